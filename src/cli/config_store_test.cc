#include "cli/config_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"

namespace scone::cli {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kNow = 1760000000;

class ConfigStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scone-config-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  mode_t ModeOf(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  void WriteRaw(const fs::path& p, const std::string& text, mode_t mode) {
    ASSERT_TRUE(WriteFileAtomic(p, AsBytes(text), mode).ok());
  }

  fs::path dir_;
};

TEST_F(ConfigStoreTest, CreatesPrivateFileInPrivateFolderAndReusesIt) {
  fs::path path = dir_ / "new" / "config.json";
  ConfigStore store(path);
  auto first = store.LoadOrCreate(kNow);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(path.parent_path()), 0700u);
  auto second = store.LoadOrCreate(kNow + 100);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->identity.key_hash, second->identity.key_hash);
  EXPECT_EQ(first->identity.certificate_pem, second->identity.certificate_pem);
}

TEST_F(ConfigStoreTest, RefusesFileReadableByOthersAndLeavesIt) {
  fs::path path = dir_ / "config.json";
  ConfigStore store(path);
  ASSERT_TRUE(store.LoadOrCreate(kNow).ok());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  auto before = ReadFile(path);
  auto r = store.LoadOrCreate(kNow);
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(*ReadFile(path), *before);
  EXPECT_EQ(ModeOf(path), 0644u);
}

// Found by cli_state_fuzz: nlohmann throws out_of_range, not parse_error, for 1e999.
TEST_F(ConfigStoreTest, NumberBeyondADoubleIsDataLossNotACrash) {
  EXPECT_EQ(ConfigStore::Parse(R"({"version": 1e999})").status().code(), Code::kDataLoss);
}

TEST_F(ConfigStoreTest, RefusesCorruptFileAndNeverOverwritesIt) {
  fs::path path = dir_ / "config.json";
  ConfigStore store(path);
  ASSERT_TRUE(store.LoadOrCreate(kNow).ok());
  auto good = *ReadFile(path);
  for (const std::string& bad : {good.substr(0, good.size() / 2), std::string("[]"),
                                 std::string(""), std::string("{\"version\":1}")}) {
    WriteRaw(path, bad, 0600);
    auto r = store.LoadOrCreate(kNow);
    EXPECT_EQ(r.status().code(), Code::kDataLoss) << bad;
    EXPECT_EQ(*ReadFile(path), bad);
    Status u = store.Update(kNow, [](CliConfig&) { return Status::Ok(); });
    EXPECT_FALSE(u.ok());
    EXPECT_EQ(*ReadFile(path), bad);
  }
}

TEST_F(ConfigStoreTest, RefusesUnknownVersion) {
  fs::path path = dir_ / "config.json";
  WriteRaw(path, R"({"version": 99, "identity": {}})", 0600);
  EXPECT_EQ(ConfigStore(path).LoadOrCreate(kNow).status().code(), Code::kFailedPrecondition);
}

TEST_F(ConfigStoreTest, RefusesMismatchedIdentity) {
  fs::path path = dir_ / "config.json";
  auto a = GenerateIdentity(kNow);
  auto b = GenerateIdentity(kNow);
  ASSERT_TRUE(a.ok() && b.ok());
  CliConfig config;
  config.identity = std::move(a).value();
  config.identity.certificate_pem = b->certificate_pem;
  SecretBytes text = ConfigStore::Serialize(config);
  WriteRaw(path, std::string(AsChars(text.Reveal())), 0600);
  EXPECT_EQ(ConfigStore(path).LoadOrCreate(kNow).status().code(), Code::kDataLoss);
}

TEST_F(ConfigStoreTest, UpdateRoundTripsCasEntries) {
  fs::path path = dir_ / "config.json";
  ConfigStore store(path);
  ASSERT_TRUE(store
                  .Update(kNow,
                          [](CliConfig& c) {
                            c.cas_db["cas.example.com"] = {{"key_hash", "x"}};
                            c.default_cas = "cas.example.com";
                            return Status::Ok();
                          })
                  .ok());
  auto c = store.LoadOrCreate(kNow);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->default_cas, "cas.example.com");
  EXPECT_EQ(c->cas_db["cas.example.com"]["key_hash"], "x");
  EXPECT_EQ(ModeOf(path), 0600u);
}

TEST_F(ConfigStoreTest, FailedUpdateWritesNothing) {
  fs::path path = dir_ / "config.json";
  ConfigStore store(path);
  ASSERT_TRUE(store.LoadOrCreate(kNow).ok());
  auto before = *ReadFile(path);
  Status s = store.Update(kNow, [](CliConfig& c) {
    c.default_cas = "changed";
    return InvalidArgument("refused");
  });
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(*ReadFile(path), before);
}

TEST_F(ConfigStoreTest, DanglingLockSymlinkIsNotFollowed) {
  // A link planted as the lock file must not make scone create (or lock) its target.
  fs::path path = dir_ / "config.json";
  fs::path target = dir_ / "planted-target";
  fs::create_symlink(target, dir_ / "config.json.lock");
  ConfigStore store(path);
  auto r = store.LoadOrCreate(kNow);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(fs::symlink_status(target)));
  EXPECT_FALSE(fs::exists(fs::symlink_status(path)));
  EXPECT_EQ(store.Update(kNow, [](CliConfig&) { return Status::Ok(); }).code(),
            Code::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(fs::symlink_status(target)));
}

TEST(FileLock, RefusesSymlinkedLockFileAlsoWithoutWaiting) {
  char tmpl[] = "/tmp/scone-lock-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  fs::path dir = tmpl;
  fs::create_symlink(dir / "target", dir / "x.lock");
  EXPECT_EQ(FileLock::Acquire(dir / "x.lock").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(FileLock::TryAcquire(dir / "x.lock").status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir / "target")));
  fs::remove_all(dir);
}

TEST_F(ConfigStoreTest, SymlinkedConfigIsRefusedForReadingAndWritingAndKept) {
  fs::path real = dir_ / "real.json";
  ASSERT_TRUE(ConfigStore(real).LoadOrCreate(kNow).ok());
  std::string before = *ReadFile(real);
  fs::path link = dir_ / "config.json";
  fs::create_symlink(real, link);
  ConfigStore store(link);
  EXPECT_EQ(store.LoadOrCreate(kNow).status().code(), Code::kFailedPrecondition);
  Status s = store.Update(kNow, [](CliConfig& c) {
    c.default_cas = "x";
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_TRUE(fs::is_symlink(link));  // not replaced by a file
  EXPECT_EQ(*ReadFile(real), before);
}

TEST_F(ConfigStoreTest, DanglingConfigSymlinkIsNotCreatedThrough) {
  fs::path target = dir_ / "elsewhere.json";
  fs::path link = dir_ / "config.json";
  fs::create_symlink(target, link);
  ConfigStore store(link);
  EXPECT_EQ(store.LoadOrCreate(kNow).status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(fs::symlink_status(target)));
  EXPECT_TRUE(fs::is_symlink(link));
}

TEST(ConfigStorePath, ExplicitWinsOverEnvironment) {
  setenv("SCONE_CLI_CONFIG", "/env/config.json", 1);
  EXPECT_EQ(*ConfigStore::ResolvePath(fs::path("/flag/c.json")), fs::path("/flag/c.json"));
  EXPECT_EQ(*ConfigStore::ResolvePath(std::nullopt), fs::path("/env/config.json"));
  unsetenv("SCONE_CLI_CONFIG");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(*ConfigStore::ResolvePath(std::nullopt), fs::path("/home/u/.cas/config.json"));
}

}  // namespace
}  // namespace scone::cli
