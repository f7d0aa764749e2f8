// `scone attestation verify-quote` inside one process: exit code and output for every TCB
// status of a simulated platform (Intel QVL's terminal / non-terminal split), and the
// report of which revocation checks ran. tests/e2e/test_verify_quote.py runs the program.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "attestation/collateral.h"
#include "attestation/tcb_status.h"
#include "cli/cli_test_util.h"
#include "common/file_util.h"
#include "platform/platform.h"
#include "platform/platform_test_util.h"

namespace scone::cli {
namespace {
using attestation::TcbStatus;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1'780'000'000;

using ::scone::cli::testing::RunResult;

class VerifyQuoteTest : public ::testing::Test {
 protected:
  // A platform in `state` with a quote and its collateral written to files.
  void MakePlatform(TcbStatus state) {
    platform::PlatformOptions options;
    options.tcb_state = state;
    const std::string name(attestation::TcbStatusName(state));
    auto p = platform::Platform::OpenOrCreate(dir_.path() / name, options, kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    root_ = (dir_.path() / (name + "-root.pem")).string();
    ASSERT_TRUE(WriteFileAtomic(root_, AsBytes((*p)->sim_root_pem()), 0644).ok());
    platform::EnclaveIdentity enclave;
    enclave.mrenclave.fill(0x11);
    auto quote = (*p)->Quote(enclave, AsBytes(std::string("report data")));
    ASSERT_TRUE(quote.ok()) << quote.status().ToString();
    quote_ = (dir_.path() / (name + ".quote")).string();
    ASSERT_TRUE(WriteFileAtomic(quote_, *quote, 0644).ok());
    auto collateral = (*p)->CollateralAt(kNow);
    ASSERT_TRUE(collateral.ok()) << collateral.status().ToString();
    collateral_ = dir_.path() / (name + "-collateral");
    ASSERT_TRUE(attestation::WriteCollateralDir(collateral_, *collateral).ok());
  }

  RunResult Scone(std::vector<std::string> args) {
    args.insert(args.begin(), "scone");
    args.push_back("--config");
    args.push_back((dir_.path() / "config.json").string());
    return ::scone::cli::testing::RunScone(args, kNow);
  }

  RunResult VerifyQuote(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "attestation",  "verify-quote",       quote_,
        "--collateral", collateral_.string(), "--only_for_testing-sim-root-ca",
        root_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Scone(args);
  }

  platform::testing::TempDir dir_;
  std::string root_;
  std::string quote_;
  std::filesystem::path collateral_;
};

TEST_F(VerifyQuoteTest, NonTerminalStatusesExitZeroAndPrintStatusAndAdvisories) {
  for (TcbStatus state :
       {TcbStatus::kUpToDate, TcbStatus::kSWHardeningNeeded, TcbStatus::kConfigurationNeeded,
        TcbStatus::kConfigurationAndSWHardeningNeeded, TcbStatus::kOutOfDate,
        TcbStatus::kOutOfDateConfigurationNeeded}) {
    const std::string name(attestation::TcbStatusName(state));
    SCOPED_TRACE(name);
    MakePlatform(state);
    RunResult text = VerifyQuote();
    ASSERT_EQ(text.code, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("Status: " + name + "\n"));
    const auto advisories = platform::AdvisoriesForState(state);
    for (const auto& a : advisories) EXPECT_THAT(text.out, HasSubstr(a));
    if (advisories.empty()) {
      EXPECT_THAT(text.out, HasSubstr("Advisory IDs: none"));
    }
    EXPECT_EQ(text.err, "");

    RunResult j = VerifyQuote({"--format", "json"});
    ASSERT_EQ(j.code, 0) << j.err;
    json v = json::parse(j.out);
    EXPECT_EQ(v["status"], name);
    EXPECT_EQ(v["advisory_ids"], advisories);
    EXPECT_FALSE(v.contains("error"));
  }
}

TEST_F(VerifyQuoteTest, RevokedIsTerminalAndExitsOne) {
  MakePlatform(TcbStatus::kRevoked);
  RunResult text = VerifyQuote();
  EXPECT_EQ(text.code, 1);
  // The result is still printed, so the user sees why.
  EXPECT_THAT(text.out, HasSubstr("Status: Revoked\n"));
  EXPECT_THAT(text.out, HasSubstr("INTEL-SA-00828"));
  EXPECT_THAT(text.err, HasSubstr("error: "));
  EXPECT_THAT(text.err, HasSubstr("TCB status is Revoked"));

  RunResult j = VerifyQuote({"--format", "json"});
  EXPECT_EQ(j.code, 1);
  json v = json::parse(j.out);
  EXPECT_EQ(v["status"], "Revoked");
  EXPECT_EQ(v["advisory_ids"], std::vector<std::string>{"INTEL-SA-00828"});
  EXPECT_EQ(v["error"]["kind"], "tcb-revoked");
  EXPECT_EQ(v["error"]["code"], "verification_failed");
}

TEST_F(VerifyQuoteTest, FailuresExitOneWithTheFailedCheck) {
  MakePlatform(TcbStatus::kUpToDate);
  Bytes quote = ToBytes(*ReadFile(quote_));
  quote[100] ^= 1;
  ASSERT_TRUE(WriteFileAtomic(quote_, quote, 0644).ok());
  RunResult j = VerifyQuote({"--format", "json"});
  EXPECT_EQ(j.code, 1);
  EXPECT_EQ(json::parse(j.out)["error"]["kind"], "isv-signature-invalid");
  EXPECT_FALSE(json::parse(j.out).contains("status"));
}

TEST_F(VerifyQuoteTest, ReportsWhichRevocationChecksRan) {
  MakePlatform(TcbStatus::kUpToDate);
  RunResult all = VerifyQuote({"--format", "json"});
  ASSERT_EQ(all.code, 0) << all.err;
  json v = json::parse(all.out);
  EXPECT_EQ(v["revocation_checked"], true);
  EXPECT_EQ(v["revocation_checks"], json({{"root_ca_crl", true}, {"pck_crl", true}}));
  EXPECT_THAT(VerifyQuote().out, HasSubstr("Revocation checked: yes"));

  std::filesystem::remove(collateral_ / attestation::kRootCaCrlFile);
  RunResult strict = VerifyQuote();
  EXPECT_EQ(strict.code, 1);
  EXPECT_THAT(strict.err, HasSubstr("--accept-unverifiable-pcs-certs"));
  RunResult partial = VerifyQuote({"--accept-unverifiable-pcs-certs", "--format", "json"});
  ASSERT_EQ(partial.code, 0) << partial.err;
  v = json::parse(partial.out);
  EXPECT_EQ(v["revocation_checked"], false);
  EXPECT_EQ(v["revocation_checks"], json({{"root_ca_crl", false}, {"pck_crl", true}}));
  RunResult text = VerifyQuote({"--accept-unverifiable-pcs-certs"});
  // The relaxation is named by its flag (attestation/ names it, the CLI gives the words).
  EXPECT_THAT(text.out, HasSubstr("Revocation checked: partly (--accept-unverifiable-pcs-certs; "
                                  "CRL files missing)"));
  EXPECT_THAT(text.out, HasSubstr("PCK certificate against the PCK CRL: yes"));
  EXPECT_THAT(text.out, HasSubstr("against the root CA CRL: NO"));
  EXPECT_THAT(text.out, Not(HasSubstr("Revocation checked: yes")));
}

}  // namespace
}  // namespace scone::cli
