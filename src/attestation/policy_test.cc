#include "attestation/policy.h"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "common/hex.h"

namespace scone::attestation {
namespace {

VerifiedQuote Quote(TcbStatus status, std::vector<std::string> advisories = {}) {
  VerifiedQuote q;
  q.status = status;
  q.advisory_ids = std::move(advisories);
  q.report.mr_enclave.fill(1);
  q.report.mr_signer.fill(2);
  q.report.isv_prod_id = 3;
  q.report.isv_svn = 4;
  q.report.report_data.fill(0x77);
  return q;
}

std::vector<Relaxation> Relaxations(const PolicyResult& r) {
  return r.violations.empty() ? std::vector<Relaxation>{} : r.violations[0].relaxations;
}

TEST(Policy, UpToDateNonDebugPassesTheDefaultPolicy) {
  EXPECT_TRUE(CheckPolicy(Quote(TcbStatus::kUpToDate), {}).ok());
  EXPECT_TRUE(CheckPolicy(Quote(TcbStatus::kUpToDate), {}).ToStatus().ok());
}

TEST(Policy, EachStatusNeedsItsFlags) {
  struct Case {
    TcbStatus status;
    std::vector<Relaxation> needed;
  };
  for (const Case& c : {Case{TcbStatus::kSWHardeningNeeded, {Relaxation::kSwHardeningNeeded}},
                        Case{TcbStatus::kConfigurationNeeded, {Relaxation::kConfigurationNeeded}},
                        Case{TcbStatus::kConfigurationAndSWHardeningNeeded,
                             {Relaxation::kConfigurationNeeded, Relaxation::kSwHardeningNeeded}},
                        Case{TcbStatus::kOutOfDate, {Relaxation::kOutOfDate}},
                        Case{TcbStatus::kOutOfDateConfigurationNeeded,
                             {Relaxation::kOutOfDate, Relaxation::kConfigurationNeeded}}}) {
    auto r = CheckPolicy(Quote(c.status), {});
    ASSERT_EQ(r.violations.size(), 1u) << TcbStatusName(c.status);
    EXPECT_EQ(r.violations[0].check, PolicyCheck::kTcbStatus);
    EXPECT_EQ(Relaxations(r), c.needed) << TcbStatusName(c.status);
    EXPECT_EQ(r.ToStatus().code(), Code::kPolicyRejected);
    EXPECT_EQ(r.violations[0].needed, c.needed);
    EXPECT_EQ(r.violations[0].seen, TcbStatusName(c.status));
    // The message names the status, never a flag (the CLI adds those).
    EXPECT_NE(r.violations[0].message.find(TcbStatusName(c.status)), std::string::npos);
    EXPECT_EQ(r.violations[0].message.find("--"), std::string::npos);

    QuotePolicy all;
    all.accept_configuration_needed = true;
    all.accept_out_of_date = true;
    all.accept_sw_hardening_needed = true;
    EXPECT_TRUE(CheckPolicy(Quote(c.status), all).ok());
    // One flag of a combined status is not enough; the violation lists what is missing.
    if (c.needed.size() == 2) {
      QuotePolicy half;
      half.accept_configuration_needed = true;
      auto h = CheckPolicy(Quote(c.status), half);
      ASSERT_EQ(h.violations.size(), 1u);
      EXPECT_EQ(h.violations[0].relaxations.size(), 1u);
      EXPECT_NE(h.violations[0].relaxations[0], Relaxation::kConfigurationNeeded);
      EXPECT_EQ(h.violations[0].needed, c.needed);
    }
  }
}

TEST(Policy, RevokedCannotBeRelaxed) {
  QuotePolicy all;
  all.accept_configuration_needed = all.accept_out_of_date = all.accept_sw_hardening_needed = true;
  all.allow_debug = all.ignore_all_advisories = true;
  auto r = CheckPolicy(Quote(TcbStatus::kRevoked), all);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_TRUE(r.violations[0].relaxations.empty());
  EXPECT_TRUE(r.NeededRelaxations().empty());
}

TEST(Policy, AdvisoriesMustBeIgnoredByIdOrAll) {
  VerifiedQuote q = Quote(TcbStatus::kSWHardeningNeeded, {"INTEL-SA-00289", "INTEL-SA-00615"});
  QuotePolicy p;
  p.accept_sw_hardening_needed = true;
  auto r = CheckPolicy(q, p);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].check, PolicyCheck::kAdvisories);
  EXPECT_EQ(Relaxations(r), std::vector<Relaxation>{Relaxation::kIgnoreAdvisories});
  EXPECT_NE(r.violations[0].message.find("INTEL-SA-00289,INTEL-SA-00615"), std::string::npos);
  p.ignored_advisories = {"INTEL-SA-00615"};
  r = CheckPolicy(q, p);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].message.find("INTEL-SA-00615"), std::string::npos);
  p.ignored_advisories.push_back("INTEL-SA-00289");
  EXPECT_TRUE(CheckPolicy(q, p).ok());
  p.ignored_advisories.clear();
  p.ignore_all_advisories = true;
  EXPECT_TRUE(CheckPolicy(q, p).ok());
}

TEST(Policy, DebugNeedsExplicitPermission) {
  VerifiedQuote q = Quote(TcbStatus::kUpToDate);
  q.report.set_attributes(kAttributeInit | kAttributeDebug, 0);
  auto r = CheckPolicy(q, {});
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].check, PolicyCheck::kDebug);
  EXPECT_EQ(r.NeededRelaxations(), std::vector<Relaxation>{Relaxation::kDebug});
  QuotePolicy p;
  p.allow_debug = true;
  EXPECT_TRUE(CheckPolicy(q, p).ok());
}

TEST(Policy, IdentityChecksCannotBeRelaxed) {
  VerifiedQuote q = Quote(TcbStatus::kUpToDate);
  QuotePolicy p;
  ByteArray<32> other{};
  other.fill(9);
  p.mr_enclaves = {other};
  p.mr_signer = other;
  p.isv_prod_id = 4;
  p.min_isv_svn = 5;
  p.report_data = Bytes(64, 0x78);
  auto r = CheckPolicy(q, p);
  ASSERT_EQ(r.violations.size(), 5u);
  std::vector<PolicyCheck> checks;
  for (const auto& v : r.violations) {
    checks.push_back(v.check);
    EXPECT_TRUE(v.relaxations.empty());
  }
  EXPECT_EQ(checks, (std::vector<PolicyCheck>{PolicyCheck::kMrEnclave, PolicyCheck::kMrSigner,
                                              PolicyCheck::kIsvProdId, PolicyCheck::kIsvSvn,
                                              PolicyCheck::kReportData}));
  EXPECT_TRUE(r.NeededRelaxations().empty());

  p.mr_enclaves.push_back(q.mr_enclave());
  p.mr_signer = q.mr_signer();
  p.isv_prod_id = 3;
  p.min_isv_svn = 4;
  p.report_data = Bytes(64, 0x77);
  EXPECT_TRUE(CheckPolicy(q, p).ok());
}

TEST(Policy, ReportDataPrefix) {
  VerifiedQuote q = Quote(TcbStatus::kUpToDate);
  QuotePolicy p;
  p.report_data = Bytes(32, 0x77);
  EXPECT_TRUE(CheckPolicy(q, p).ok());
  p.report_data->back() = 0;
  EXPECT_FALSE(CheckPolicy(q, p).ok());
  p.report_data = Bytes(65, 0x77);  // longer than the report data: never matches
  EXPECT_FALSE(CheckPolicy(q, p).ok());
}

TEST(Policy, NamesAreStable) {
  EXPECT_EQ(RelaxationName(Relaxation::kConfigurationNeeded), "configuration-needed");
  EXPECT_EQ(PolicyCheckName(PolicyCheck::kTcbStatus), "tcb-status");
}

// The names are stored (the CLI state's evidence): each is distinct, parses back to its
// value, and an unknown name is refused.
TEST(Relaxation, EveryNameParsesBackAndUnknownNamesAreRefused) {
  std::set<std::string_view> names;
  for (Relaxation r : kAllRelaxations) {
    EXPECT_TRUE(names.insert(RelaxationName(r)).second) << RelaxationName(r);
    auto parsed = ParseRelaxation(RelaxationName(r));
    ASSERT_TRUE(parsed.ok()) << RelaxationName(r);
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_EQ(ParseRelaxation("unknown").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseRelaxation("").status().code(), Code::kInvalidArgument);
}

TEST(Policy, ViolationsSayWhatWasSeenAndNameNoFlag) {
  QuotePolicy strict;
  strict.mr_enclaves = {ByteArray<32>{}};
  auto q = Quote(TcbStatus::kUpToDate);
  q.report.set_attributes(kAttributeInit | kAttributeDebug, 0);
  auto r = CheckPolicy(q, strict);
  ASSERT_EQ(r.violations.size(), 2u);
  EXPECT_EQ(r.violations[0].check, PolicyCheck::kDebug);
  EXPECT_EQ(r.violations[0].relaxations, std::vector<Relaxation>{Relaxation::kDebug});
  EXPECT_EQ(r.violations[1].check, PolicyCheck::kMrEnclave);
  EXPECT_TRUE(r.violations[1].relaxations.empty());
  EXPECT_EQ(r.violations[1].seen, HexEncode(q.mr_enclave()));
  for (const auto& v : r.violations) EXPECT_EQ(v.message.find("--"), std::string::npos);
  // ToStatus names the relaxation by its name.
  EXPECT_NE(r.ToStatus().message().find("relaxation debug"), std::string::npos);
}

}  // namespace
}  // namespace scone::attestation
