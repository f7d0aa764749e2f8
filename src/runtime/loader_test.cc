#include "runtime/loader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "common/file_util.h"
#include "platform/enclave_identity.h"

namespace scone::runtime {
namespace {

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scone-loader-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Copy(const std::string& from, const std::string& name) {
    auto to = dir_ / name;
    std::filesystem::copy_file(from, to);
    return to.string();
  }

  // Runs `program` (opened before) in a child with `argv`; returns its exit status.
  static int RunInChild(const OpenProgram& program, const std::vector<std::string>& argv) {
    pid_t child = fork();
    if (child == 0) {
      (void)program.Exec(argv, {});
      _exit(99);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::filesystem::path dir_;
};

TEST_F(LoaderTest, MeasuresTheOpenFileAsSignerInfoDoes) {
  std::string prog = Copy("/bin/true", "prog");
  auto open = OpenProgram::Open(prog, std::nullopt);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_FALSE(open->signature_fd().has_value());
  auto measured = open->Measure();
  ASSERT_TRUE(measured.ok());
  EXPECT_EQ(*measured, *platform::MeasureProgram(prog));
  EXPECT_EQ(*open->Measure(), *measured);  // again, from the start
}

TEST_F(LoaderTest, OpensTheSignatureFileBesideIt) {
  std::string prog = Copy("/bin/true", "prog");
  ASSERT_TRUE(WriteFileAtomic(prog + ".sig", AsBytes("not checked here"), 0644).ok());
  auto open = OpenProgram::Open(prog, std::nullopt);
  ASSERT_TRUE(open.ok());
  ASSERT_TRUE(open->signature_fd().has_value());
  char buf[3] = {};
  EXPECT_EQ(pread(*open->signature_fd(), buf, 3, 0), 3);
  EXPECT_EQ(std::string(buf, 3), "not");
}

TEST_F(LoaderTest, LooksUpNamesWithoutSlashOnTheSearchPath) {
  Copy("/bin/true", "mytrue");
  std::string path = "/nonexistent:" + dir_.string();
  auto open = OpenProgram::Open("mytrue", path);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(open->path(), (dir_ / "mytrue").string());
  EXPECT_EQ(OpenProgram::Open("no-such-program-here", path).status().code(), Code::kNotFound);
  EXPECT_EQ(OpenProgram::Open((dir_ / "missing").string(), std::nullopt).status().code(),
            Code::kNotFound);
  EXPECT_EQ(OpenProgram::Open(dir_.string(), std::nullopt).status().code(), Code::kInvalidArgument);
}

TEST_F(LoaderTest, RunsTheOpenedFileEvenIfThePathNowNamesAnother) {
  std::string prog = Copy("/bin/true", "prog");
  auto open = OpenProgram::Open(prog, std::nullopt);
  ASSERT_TRUE(open.ok());
  auto measured = open->Measure();
  // Another program takes the path after the loader opened it.
  std::string other = Copy("/bin/false", "other");
  ASSERT_EQ(std::rename(other.c_str(), prog.c_str()), 0);
  EXPECT_NE(*platform::MeasureProgram(prog), *measured);
  EXPECT_EQ(RunInChild(*open, {"prog"}), 0);  // true's status, not false's
  // The rename unlinked the opened file, which changed its ctime: CheckUnchanged cannot tell
  // that from a write whose mtime was set back, so it refuses (start again).
  EXPECT_EQ(open->CheckUnchanged().code(), Code::kFailedPrecondition);
}

TEST_F(LoaderTest, NoticesAWriteIntoTheOpenedFile) {
  std::string prog = Copy("/bin/true", "prog");
  auto open = OpenProgram::Open(prog, std::nullopt);
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->CheckUnchanged().ok());
  int fd = ::open(prog.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "x", 1), 1);
  close(fd);
  EXPECT_EQ(open->CheckUnchanged().code(), Code::kFailedPrecondition);
}

TEST_F(LoaderTest, RefusesScriptsClearly) {
  std::string script = (dir_ / "script").string();
  ASSERT_TRUE(WriteFileAtomic(script, AsBytes("#!/bin/sh\nexit 0\n"), 0755).ok());
  auto open = OpenProgram::Open(script, std::nullopt);
  ASSERT_TRUE(open.ok());
  pid_t child = fork();
  if (child == 0) {
    Status s = open->Exec({"script"}, {});
    _exit(s.code() == Code::kInvalidArgument && s.message().find("script") != std::string::npos
              ? 42
              : 43);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) << status;
}

TEST_F(LoaderTest, RefusesToExecuteAFileWithoutExecutePermission) {
  std::string prog = Copy("/bin/true", "prog");
  ASSERT_EQ(chmod(prog.c_str(), 0644), 0);  // no x bit: not even root may execute it
  auto open = OpenProgram::Open(prog, std::nullopt);
  ASSERT_TRUE(open.ok());
  pid_t child = fork();
  if (child == 0) {
    Status s = open->Exec({"prog"}, {});
    _exit(s.code() == Code::kPermissionDenied ? 42 : 43);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) << status;
}

}  // namespace
}  // namespace scone::runtime
