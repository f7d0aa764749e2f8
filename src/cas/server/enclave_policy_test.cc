// AdmitEnclave: every check of the enclave API's admission, each refused and then admitted by
// the session value the refusal names (docs/runtime.md "Enclave API").
#include "cas/server/enclave_policy.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "sdl/session.h"

namespace scone::cas {
namespace {
using attestation::TcbStatus;

const std::string kMrEnclave(64, 'a');
const std::string kMrSigner(64, 'b');
const std::string kPlatform(64, 'c');

attestation::VerifiedQuote Quote(TcbStatus status = TcbStatus::kUpToDate,
                                 std::vector<std::string> advisories = {}, bool debug = false) {
  attestation::VerifiedQuote q;
  q.status = status;
  q.advisory_ids = std::move(advisories);
  q.report.mr_enclave.fill(0xaa);
  q.report.mr_signer.fill(0xbb);
  q.report.isv_prod_id = 7;
  q.report.isv_svn = 3;
  if (debug) q.report.attributes[0] |= 0x02;
  return q;
}

// A session with one service "app" of `attestation` and the `security` section.
sdl::Session Session(const std::string& attestation, const std::string& security = "",
                     const std::string& platforms = "") {
  std::string yaml = "name: s\nversion: \"0.3\"\nservices:\n  - name: app\n    attestation:\n" +
                     attestation + platforms + security;
  auto checked = sdl::LoadSession(yaml, "s.yaml", sdl::Variables{});
  EXPECT_TRUE(checked.ok()) << checked.status().message() << "\n" << yaml;
  return checked.ok() ? checked->session : sdl::Session{};
}

std::string Security(const std::string& tolerate, const std::string& advisories = "") {
  std::string s = "security:\n  attestation:\n";
  if (!tolerate.empty()) s += "    tolerate: [" + tolerate + "]\n";
  if (!advisories.empty()) s += "    ignore_advisories: " + advisories + "\n";
  return s;
}

const std::string kByMrEnclave = "      - mrenclave: [" + kMrEnclave + "]\n";

Result<EnclaveAdmission> Admit(const attestation::VerifiedQuote& q, const sdl::Session& s,
                               const std::string& platform = kPlatform) {
  return AdmitEnclave(q, platform, s.services.at(0), s.security, "s/app");
}

void ExpectRefusedNaming(const Result<EnclaveAdmission>& r, const std::string& words) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kPolicyRejected);
  EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
}

TEST(AdmitEnclave, MrenclaveMustBeListed) {
  auto other = Session("      - mrenclave: [" + std::string(64, 'd') + "]\n");
  ExpectRefusedNaming(Admit(Quote(), other), "mrenclave: [" + kMrEnclave + "]");
  EXPECT_TRUE(Admit(Quote(), Session(kByMrEnclave)).ok());
}

TEST(AdmitEnclave, SignerChecksMrsignerIsvprodidAndIsvsvnBounds) {
  auto signer = [](const std::string& mrsigner, int prodid, const std::string& svn) {
    return Session("      - signer:\n          mrsigner: " + mrsigner +
                   "\n          isvprodid: " + std::to_string(prodid) + "\n" + svn);
  };
  ExpectRefusedNaming(Admit(Quote(), signer(std::string(64, 'e'), 7, "")), "MRSIGNER is");
  ExpectRefusedNaming(Admit(Quote(), signer(kMrSigner, 8, "")), "ISVPRODID is 7, not 8");
  ExpectRefusedNaming(Admit(Quote(), signer(kMrSigner, 7, "          isvsvn: 4\n")),
                      "ISVSVN is 3, not 4");
  ExpectRefusedNaming(Admit(Quote(), signer(kMrSigner, 7, "          isvsvn_min: 4\n")),
                      "below isvsvn_min 4");
  ExpectRefusedNaming(Admit(Quote(), signer(kMrSigner, 7, "          isvsvn_max: 2\n")),
                      "above isvsvn_max 2");
  EXPECT_TRUE(Admit(Quote(), signer(kMrSigner, 7, "")).ok());
  EXPECT_TRUE(Admit(Quote(), signer(kMrSigner, 7, "          isvsvn: 3\n")).ok());
  EXPECT_TRUE(
      Admit(Quote(), signer(kMrSigner, 7, "          isvsvn_min: 3\n          isvsvn_max: 3\n"))
          .ok());
}

TEST(AdmitEnclave, AnyOneVariantSuffices) {
  auto s = Session("      - mrenclave: [" + std::string(64, 'd') + "]\n" + kByMrEnclave);
  auto r = Admit(Quote(), s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->variant, 1u);
  // Within a variant every part must match: the right MRENCLAVE with a wrong signer fails.
  auto both = Session("      - mrenclave: [" + kMrEnclave +
                      "]\n        signer:\n          "
                      "mrsigner: " +
                      std::string(64, 'e') + "\n          isvprodid: 7\n");
  ExpectRefusedNaming(Admit(Quote(), both), "variant 1");
}

TEST(AdmitEnclave, PlatformsLimitWhereTheServiceRuns) {
  auto elsewhere = Session(kByMrEnclave, "", "    platforms: [" + std::string(64, 'f') + "]\n");
  ExpectRefusedNaming(Admit(Quote(), elsewhere), "platform " + kPlatform);
  auto here = Session(kByMrEnclave, "", "    platforms: [" + kPlatform + "]\n");
  EXPECT_TRUE(Admit(Quote(), here).ok());
  EXPECT_TRUE(Admit(Quote(), Session(kByMrEnclave)).ok());  // no list: any platform
}

TEST(AdmitEnclave, DebugModeNeedsItsTolerance) {
  auto q = Quote(TcbStatus::kUpToDate, {}, /*debug=*/true);
  ExpectRefusedNaming(Admit(q, Session(kByMrEnclave)), "tolerate: debug-mode");
  auto r = Admit(q, Session(kByMrEnclave, Security("debug-mode")));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->tolerated, std::vector<std::string>{"debug-mode"});
}

TEST(AdmitEnclave, OutdatedTcbNeedsItsToleranceAndItsAdvisories) {
  auto q = Quote(TcbStatus::kOutOfDate, {"INTEL-SA-00828"});
  auto refused = Admit(q, Session(kByMrEnclave));
  ExpectRefusedNaming(refused, "tolerate: outdated-tcb");
  ExpectRefusedNaming(refused, "ignore_advisories: [INTEL-SA-00828]");
  ExpectRefusedNaming(Admit(q, Session(kByMrEnclave, Security("outdated-tcb"))),
                      "ignore_advisories: [INTEL-SA-00828]");
  EXPECT_TRUE(Admit(q, Session(kByMrEnclave, Security("outdated-tcb", "[INTEL-SA-00828]"))).ok());
}

TEST(AdmitEnclave, SoftwareHardeningNeededNeedsItsTolerance) {
  auto q = Quote(TcbStatus::kSWHardeningNeeded, {"INTEL-SA-00615"});
  ExpectRefusedNaming(Admit(q, Session(kByMrEnclave, Security("", "[INTEL-SA-00615]"))),
                      "tolerate: software-hardening-needed");
  EXPECT_TRUE(
      Admit(q, Session(kByMrEnclave, Security("software-hardening-needed", "[INTEL-SA-00615]")))
          .ok());
}

TEST(AdmitEnclave, ConfigurationNeededIsAdmittedByInsecureConfigurationOrHyperthreading) {
  auto q = Quote(TcbStatus::kConfigurationNeeded, {"INTEL-SA-00233"});
  ExpectRefusedNaming(Admit(q, Session(kByMrEnclave)), "insecure-configuration");
  // hyperthreading admits the status and its advisory INTEL-SA-00233 (MDS).
  EXPECT_TRUE(Admit(q, Session(kByMrEnclave, Security("hyperthreading"))).ok());
  // insecure-configuration admits the status; the advisory must still be listed.
  ExpectRefusedNaming(Admit(q, Session(kByMrEnclave, Security("insecure-configuration"))),
                      "ignore_advisories: [INTEL-SA-00233]");
  EXPECT_TRUE(
      Admit(q, Session(kByMrEnclave, Security("insecure-configuration", "[INTEL-SA-00233]"))).ok());
}

TEST(AdmitEnclave, AdvisoryTolerancesAndTheStar) {
  auto igpu = Quote(TcbStatus::kUpToDate, {"INTEL-SA-00219"});
  ExpectRefusedNaming(Admit(igpu, Session(kByMrEnclave)), "INTEL-SA-00219");
  EXPECT_TRUE(Admit(igpu, Session(kByMrEnclave, Security("insecure-igpu"))).ok());
  auto aepic = Quote(TcbStatus::kUpToDate, {"INTEL-SA-00657"});
  EXPECT_TRUE(Admit(aepic, Session(kByMrEnclave, Security("aepic-leak"))).ok());
  auto many = Quote(TcbStatus::kUpToDate, {"INTEL-SA-00001", "INTEL-SA-00002"});
  EXPECT_TRUE(Admit(many, Session(kByMrEnclave, Security("debug-mode", "\"*\""))).ok());
}

TEST(AdmitEnclave, RevokedIsNeverAdmitted) {
  auto q = Quote(TcbStatus::kRevoked, {});
  auto s = Session(kByMrEnclave, Security("outdated-tcb, insecure-configuration, "
                                          "software-hardening-needed, debug-mode",
                                          "\"*\""));
  ExpectRefusedNaming(Admit(q, s), "no tolerance admits");
}

TEST(AdmitEnclave, IdentityIsCheckedBeforeTolerances) {
  // A different program on an outdated platform learns it is the wrong program, not which
  // tolerance to add.
  auto q = Quote(TcbStatus::kOutOfDate, {"INTEL-SA-00828"}, /*debug=*/true);
  auto r = Admit(q, Session("      - mrenclave: [" + std::string(64, 'd') + "]\n"));
  ExpectRefusedNaming(r, "none of the service's attestation variants");
  EXPECT_EQ(r.status().message().find("tolerate"), std::string::npos);
}

}  // namespace
}  // namespace scone::cas
