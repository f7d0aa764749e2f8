// ApplyConfiguration (docs/runtime.md "Delivery"): argv with host arguments, the policy's
// environment only, injection files with their modes, created safely, and pwd.
#include "runtime/apply_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/test_util.h"

namespace scone::runtime {
namespace {
namespace fs = std::filesystem;

SecretBytes S(std::string_view text) { return SecretBytes::CopyFrom(AsBytes(text)); }

std::vector<std::string> Strings(const std::vector<char*>& pointers) {
  std::vector<std::string> out;
  for (char* p : pointers) {
    if (p == nullptr) break;
    out.emplace_back(p);
  }
  return out;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t ModeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(BuildExecPlan, HostArgumentsReplaceWholeArgumentsOnly) {
  Configuration c;
  c.command = std::vector<SecretBytes>{S("/bin/server"), S("@@2"), S("--x=@@1"),
                                       S("@@1"),         S("@@"),  S("@@1a")};
  std::vector<std::string> host = {"./prog", "first", "second"};
  auto plan = BuildExecPlan(c, host);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(Strings(plan->argv),
            (std::vector<std::string>{"/bin/server", "second", "--x=@@1", "first", "@@", "@@1a"}));
  EXPECT_EQ(plan->argv.back(), nullptr);
  EXPECT_EQ(plan->argv.size(), 7u);
}

TEST(BuildExecPlan, AHostArgumentThatIsMissingIsAnError) {
  Configuration c;
  c.command = std::vector<SecretBytes>{S("/bin/server"), S("@@3")};
  std::vector<std::string> host = {"./prog", "one"};
  auto plan = BuildExecPlan(c, host);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), Code::kInvalidArgument);
  EXPECT_NE(plan.status().message().find("@@3"), std::string::npos);
}

TEST(BuildExecPlan, WithoutACommandTheHostArgumentsAreKept) {
  Configuration c;
  std::vector<std::string> host = {"./prog", "a", "b"};
  auto plan = BuildExecPlan(c, host);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Strings(plan->argv), host);
}

TEST(BuildExecPlan, TheEnvironmentIsThePolicysOnly) {
  Configuration c;
  c.environment.emplace_back("A", S("1"));
  c.environment.emplace_back("SECRET", S("x=y z"));
  c.environment.emplace_back("EMPTY", S(""));
  auto plan = BuildExecPlan(c, std::vector<std::string>{"p"});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Strings(plan->envp), (std::vector<std::string>{"A=1", "SECRET=x=y z", "EMPTY="}));
  EXPECT_EQ(plan->envp.back(), nullptr);
}

class InjectionFilesTest : public ::testing::Test {
 protected:
  scone::testing::TempDir dir_{"scone-apply-config"};
};

TEST_F(InjectionFilesTest, FilesGetTheirModesWhateverTheUmaskAndParentsAreMade) {
  Configuration c;
  fs::path secret = dir_.path() / "new" / "deeper" / "secret.conf";
  fs::path open = dir_.path() / "public.conf";
  c.injection_files.push_back({secret.string(), S("pw=1\n"), 0600});
  c.injection_files.push_back({open.string(), S("hello"), 0644});
  mode_t old = ::umask(077);
  Status s = WriteInjectionFiles(c);
  ::umask(old);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadAll(secret), "pw=1\n");
  EXPECT_EQ(ModeOf(secret), 0600u);
  EXPECT_EQ(ReadAll(open), "hello");
  EXPECT_EQ(ModeOf(open), 0644u);
  EXPECT_EQ(ModeOf(dir_.path() / "new") & 077, 0u);
}

TEST_F(InjectionFilesTest, ASymlinkAtThePathIsReplacedNotFollowed) {
  fs::path target = dir_.path() / "victim";
  { std::ofstream(target) << "keep me"; }
  fs::path link = dir_.path() / "conf";
  fs::create_symlink(target, link);
  Configuration c;
  c.injection_files.push_back({link.string(), S("secret"), 0600});
  ASSERT_TRUE(WriteInjectionFiles(c).ok());
  EXPECT_EQ(ReadAll(target), "keep me");
  EXPECT_FALSE(fs::is_symlink(link));
  EXPECT_EQ(ReadAll(link), "secret");
  EXPECT_EQ(ModeOf(link), 0600u);
}

TEST_F(InjectionFilesTest, ARelativePathIsRefused) {
  Configuration c;
  c.injection_files.push_back({"relative/file", S("x"), 0600});
  EXPECT_EQ(WriteInjectionFiles(c).code(), Code::kInvalidArgument);
}

TEST_F(InjectionFilesTest, ApplyWritesFilesAndChangesToPwd) {
  fs::path before = fs::current_path();
  Configuration c;
  c.pwd = dir_.path().string();
  c.injection_files.push_back({(dir_.path() / "f").string(), S("x"), 0600});
  auto plan = ApplyConfiguration(c, std::vector<std::string>{"p"});
  fs::path now = fs::current_path();
  fs::current_path(before);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(fs::canonical(now), fs::canonical(dir_.path()));
  EXPECT_TRUE(fs::exists(dir_.path() / "f"));

  c.pwd = (dir_.path() / "missing").string();
  auto missing = ApplyConfiguration(c, std::vector<std::string>{"p"});
  fs::current_path(before);
  EXPECT_EQ(missing.status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace scone::runtime
