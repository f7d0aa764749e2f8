// The `scone cas` group as a whole: its help and how `scone` finds it (fixture:
// cas_commands_test_util.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cas_commands_test_util.h"

namespace scone::cli {
namespace {
using cas_test::CasCommandsTest;
using cas_test::kNow;
using cas_test::RunResult;
using ::testing::HasSubstr;

TEST_F(CasCommandsTest, HelpListsTheCasCommands) {
  auto r = Scone({"cas", "--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* c : {"attest", "list", "set-default", "show-certificate", "show-identification",
                        "provision", "update-config", "session"}) {
    EXPECT_THAT(r.out, HasSubstr(c)) << c;
  }
  auto p = Scone({"cas", "provision", "with-attestation", "--help"});
  EXPECT_EQ(p.code, 0);
  EXPECT_THAT(p.out, HasSubstr("--accept-configuration-needed"));
  EXPECT_THAT(p.out, HasSubstr("MRENCLAVE"));
  auto missing =
      Scone({"cas", "provision", "-c", cas_->key_hash(), "--token", cas_->token(), "--config-file",
             (state_->path() / "owner.toml").string(), "with-attestation"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("ADDRESS is required"));
  EXPECT_TRUE(cas_->received.empty());
}

// Only the named command group is registered (app.cc); wherever `--config` stands and
// whatever its form, the command runs the same, and a typo or the root help still sees
// every group.
TEST_F(CasCommandsTest, CommandGroupIsFoundWhereverTheConfigOptionStands) {
  auto run = [](const std::vector<std::string>& args) {
    return ::scone::cli::testing::RunScone(args, kNow);
  };
  auto after = run({"scone", "cas", "list", "--config", config_});
  auto before = run({"scone", "--config", config_, "cas", "list"});
  auto joined = run({"scone", "--config=" + config_, "cas", "list"});
  EXPECT_EQ(after.code, 0) << after.err;
  EXPECT_EQ(before.code, 0) << before.err;
  EXPECT_EQ(joined.code, 0) << joined.err;
  EXPECT_EQ(before.out, after.out);
  EXPECT_EQ(joined.out, after.out);
  auto typo = run({"scone", "--config", config_, "cs", "list"});
  EXPECT_EQ(typo.code, 1);
  EXPECT_THAT(typo.err, HasSubstr("did you mean \"scone cas\""));
  auto help = run({"scone", "--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* g : {"self", "cert", "signer", "attestation", "las", "session", "cas"}) {
    EXPECT_THAT(help.out, HasSubstr(g)) << g;
  }
}

}  // namespace
}  // namespace scone::cli
