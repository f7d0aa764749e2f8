// The verifier against a PKI of our own (fixture: verifier_test_util.h): revocation, other
// FMSPCs, wrong roots, every TCB/QE status combination, the cache.
#include "attestation/verifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>
#include <utility>

#include "attestation/intel_root.h"
#include "attestation/simulated_pki.h"
#include "attestation/verifier_test_util.h"
#include "common/file_util.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::attestation {
namespace {
using verifier_test::kDay;
using verifier_test::kNow;
using verifier_test::Level;
using verifier_test::PlatformValues;
using verifier_test::QeLevel;
using verifier_test::SimulatedPlatformTest;

TEST_F(SimulatedPlatformTest, VerifiesUnderTheExplicitlyTrustedRoot) {
  auto r = Verify(MakeQuote(), MakeCollateral());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, TcbStatus::kSWHardeningNeeded);
  EXPECT_EQ(r->advisory_ids, std::vector<std::string>{"INTEL-SA-00615"});
  EXPECT_EQ(r->qe_status, TcbStatus::kUpToDate);
  EXPECT_EQ(r->fmspc, tcb_.fmspc);
  EXPECT_EQ(r->mr_enclave(), report_.mr_enclave);
  EXPECT_EQ(r->isv_prod_id(), 7);
  EXPECT_EQ(r->isv_svn(), 3);
  EXPECT_EQ(r->report_data()[0], 0xaa);
  EXPECT_TRUE(r->revocation_checked);
}

TEST_F(SimulatedPlatformTest, TcbInfoVersion2Verifies) {
  tcb_.version = 2;
  tcb_.id.clear();
  for (auto& l : tcb_.levels) l.advisory_ids.clear();
  auto r = Verify(MakeQuote(), MakeCollateral());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, TcbStatus::kSWHardeningNeeded);
  EXPECT_TRUE(r->advisory_ids.empty());
}

TEST_F(SimulatedPlatformTest, WithoutItsRootTheQuoteIsUntrusted) {
  VerifierOptions o;  // Intel's root only
  auto v = QuoteVerifier::New(o);
  ASSERT_TRUE(v.ok());
  FailureKind kind = FailureKind::kNone;
  auto r = (*v)->Verify(MakeQuote(), MakeCollateral(), kNow, &kind);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(kind, FailureKind::kUntrustedRoot);
  EXPECT_EQ(r.status().code(), Code::kVerificationFailed);

  // Even with Intel-signed collateral... the PCK chain itself is what fails: use relaxed
  // collateral checks off and a verifier trusting both roots, but the quote from a PKI
  // whose root is not listed.
  auto other =
      SimulatedPki::Generate({kNow - kDay, kNow + kDay, "SCONE simulated SGX", PlatformValues()});
  ASSERT_TRUE(other.ok());
  ExpectFailure(MakeQuote(**other), MakeCollateral(), FailureKind::kUntrustedRoot);
}

TEST_F(SimulatedPlatformTest, TheRootInsideTheQuoteIsNeverTrusted) {
  // An attacker PKI with identical names: its quote carries its own root, which must not
  // count, even though the names match the trusted root's.
  auto attacker =
      SimulatedPki::Generate({kNow - kDay, kNow + kDay, "SCONE simulated SGX", PlatformValues()});
  ASSERT_TRUE(attacker.ok());
  ASSERT_EQ(crypto::SubjectName((*attacker)->root()), crypto::SubjectName(pki_->root()));
  ExpectFailure(MakeQuote(**attacker), MakeCollateral(), FailureKind::kUntrustedRoot);
}

TEST_F(SimulatedPlatformTest, IntelQuoteUnderAnotherRootIsUntrusted) {
  auto quote = ReadFile(std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors/dcap-qvl/sgx_quote");
  auto collateral =
      LoadCollateralDir(std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors/dcap-qvl/pcs");
  ASSERT_TRUE(quote.ok() && collateral.ok());
  FailureKind kind = FailureKind::kNone;
  auto r = Verifier()->Verify(ToBytes(*quote), *collateral, 1752919277, &kind);
  ASSERT_FALSE(r.ok());
  // The root CA CRL is Intel's, so it is the first thing not issued by a trusted root;
  // without CRLs it is the TCB info signer chain.
  EXPECT_EQ(kind, FailureKind::kUntrustedRoot);
  auto relaxed = Verifier(true);
  collateral->root_ca_crl.reset();
  r = relaxed->Verify(ToBytes(*quote), *collateral, 1752919277, &kind);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(kind, FailureKind::kUntrustedRoot);
}

TEST_F(SimulatedPlatformTest, RevokedPckCertificateFails) {
  Collateral c = MakeCollateral();
  auto crl = pki_->PckCrl({pki_->pck_cert()}, kNow - kDay, kNow + kDay);
  ASSERT_TRUE(crl.ok());
  c.pck_crl = *crl;
  ExpectFailure(MakeQuote(), c, FailureKind::kCertificateRevoked);
  // Without CRLs (explicitly relaxed) revocation is not checked.
  c.pck_crl.reset();
  auto r = Verifier(true)->Verify(MakeQuote(), c, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->revocation_checked);
}

TEST_F(SimulatedPlatformTest, RevokedPckCaAndTcbSignerFail) {
  Collateral c = MakeCollateral();
  auto crl = pki_->RootCaCrl({pki_->tcb_signer()}, kNow - kDay, kNow + kDay);
  ASSERT_TRUE(crl.ok());
  c.root_ca_crl = *crl;
  ExpectFailure(MakeQuote(), c, FailureKind::kCertificateRevoked);
  crl = pki_->RootCaCrl({pki_->pck_ca()}, kNow - kDay, kNow + kDay);
  ASSERT_TRUE(crl.ok());
  c.root_ca_crl = *crl;
  ExpectFailure(MakeQuote(), c, FailureKind::kCertificateRevoked);
}

TEST_F(SimulatedPlatformTest, CrlsSignedByTheWrongKeyFail) {
  auto other =
      SimulatedPki::Generate({kNow - kDay, kNow + kDay, "SCONE simulated SGX", PlatformValues()});
  ASSERT_TRUE(other.ok());
  Collateral c = MakeCollateral();
  c.pck_crl = *(*other)->PckCrl({}, kNow - kDay, kNow + kDay);
  ExpectFailure(MakeQuote(), c, FailureKind::kPckCrlInvalid);
  c = MakeCollateral();
  c.root_ca_crl = *(*other)->RootCaCrl({}, kNow - kDay, kNow + kDay);
  ExpectFailure(MakeQuote(), c, FailureKind::kRootCaCrlInvalid);
}

TEST_F(SimulatedPlatformTest, CrlValidityWindows) {
  Collateral c = MakeCollateral();
  c.pck_crl = *pki_->PckCrl({}, kNow + 10, kNow + kDay);
  ExpectFailure(MakeQuote(), c, FailureKind::kPckCrlNotYetValid);
  c.pck_crl = *pki_->PckCrl({}, kNow - kDay, kNow - 10);
  ExpectFailure(MakeQuote(), c, FailureKind::kPckCrlExpired);
  c = MakeCollateral();
  c.root_ca_crl = *pki_->RootCaCrl({}, kNow - kDay, kNow - 1);
  ExpectFailure(MakeQuote(), c, FailureKind::kRootCaCrlExpired);
}

TEST_F(SimulatedPlatformTest, ExpiredAndNotYetValidCollateralFails) {
  Collateral c = MakeCollateral();
  ExpectFailure(MakeQuote(), c, FailureKind::kTcbInfoExpired, kNow + 29 * kDay + 1);
  ExpectFailure(MakeQuote(), c, FailureKind::kTcbInfoNotYetValid, kNow - kDay - 1);
  tcb_.next_update = kNow + 40 * kDay;
  qe_.next_update = kNow - 1;
  ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kQeIdentityExpired);
  qe_.issue_date = kNow + 1;
  qe_.next_update = kNow + kDay;
  ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kQeIdentityNotYetValid);
}

TEST_F(SimulatedPlatformTest, ExpiredCertificatesFail) {
  tcb_.next_update = kNow + 400 * kDay;
  qe_.next_update = kNow + 400 * kDay;
  ExpectFailure(MakeQuote(), MakeCollateral(kNow + 400 * kDay), FailureKind::kCertificateExpired,
                kNow + 366 * kDay);
}

TEST_F(SimulatedPlatformTest, TcbInfoForAnotherFmspcFails) {
  tcb_.fmspc = {0x00, 0xa0, 0x67, 0x11, 0x00, 0x00};
  ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kFmspcMismatch);
}

TEST_F(SimulatedPlatformTest, TcbInfoForAnotherPceIdFails) {
  tcb_.pce_id = {0x01, 0x00};
  ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kPceIdMismatch);
}

TEST_F(SimulatedPlatformTest, NoMatchingTcbLevelIsTcbNotSupported) {
  tcb_.levels = {Level({6, 6, 2, 2, 255, 1}, 11, TcbStatus::kUpToDate),
                 Level({5, 5, 2, 2, 255, 1}, 12, TcbStatus::kOutOfDate)};
  ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kTcbNotSupported);
}

TEST_F(SimulatedPlatformTest, TcbLevelComesFromThePckCertificateNotTheQuoteHeader) {
  header_.pce_svn = 9;  // would select no level if it were used
  qe_report_.cpu_svn.fill(0);
  report_.cpu_svn.fill(0);
  auto r = Verify(MakeQuote(), MakeCollateral());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->platform_tcb_status, TcbStatus::kSWHardeningNeeded);
}

struct ConvergenceCase {
  TcbStatus platform;
  uint16_t qe_svn;
  TcbStatus expected;
};

TEST_F(SimulatedPlatformTest, StatusConvergesWithQeIdentityStatus) {
  for (const ConvergenceCase& c :
       {ConvergenceCase{TcbStatus::kUpToDate, 8, TcbStatus::kUpToDate},
        {TcbStatus::kUpToDate, 7, TcbStatus::kOutOfDate},
        {TcbStatus::kSWHardeningNeeded, 6, TcbStatus::kOutOfDate},
        {TcbStatus::kConfigurationNeeded, 6, TcbStatus::kOutOfDateConfigurationNeeded},
        {TcbStatus::kConfigurationAndSWHardeningNeeded, 6,
         TcbStatus::kOutOfDateConfigurationNeeded},
        {TcbStatus::kOutOfDate, 6, TcbStatus::kOutOfDate},
        {TcbStatus::kOutOfDateConfigurationNeeded, 6, TcbStatus::kOutOfDateConfigurationNeeded},
        {TcbStatus::kConfigurationNeeded, 8, TcbStatus::kConfigurationNeeded},
        {TcbStatus::kUpToDate, 2, TcbStatus::kRevoked},
        {TcbStatus::kRevoked, 8, TcbStatus::kRevoked},
        // Below every QE level: treated as OutOfDate, as Intel's QVL does.
        {TcbStatus::kUpToDate, 1, TcbStatus::kOutOfDate}}) {
    tcb_.levels = {Level({5, 5, 2, 2, 255, 1}, 11, c.platform, {"INTEL-SA-00001"})};
    qe_report_.isv_svn = c.qe_svn;
    auto r = Verify(MakeQuote(), MakeCollateral());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(TcbStatusName(r->status), TcbStatusName(c.expected))
        << TcbStatusName(c.platform) << " + QE isvsvn " << c.qe_svn;
    EXPECT_EQ(r->platform_tcb_status, c.platform);
    if (c.qe_svn == 6 || c.qe_svn == 7) {
      // Union of the TCB level's and the QE level's advisories, sorted.
      EXPECT_EQ(r->advisory_ids,
                (std::vector<std::string>{"INTEL-SA-00001", "INTEL-SA-00477", "INTEL-SA-00615"}));
    }
  }
}

TEST(ConvergeTcbStatus, MatchesIntelQvl) {
  EXPECT_EQ(ConvergeTcbStatus(TcbStatus::kSWHardeningNeeded, TcbStatus::kUpToDate),
            TcbStatus::kSWHardeningNeeded);
  EXPECT_EQ(ConvergeTcbStatus(TcbStatus::kConfigurationNeeded, TcbStatus::kOutOfDate),
            TcbStatus::kOutOfDateConfigurationNeeded);
  EXPECT_EQ(ConvergeTcbStatus(TcbStatus::kUpToDate, TcbStatus::kRevoked), TcbStatus::kRevoked);
}

TEST_F(SimulatedPlatformTest, QeIdentityMismatchesFail) {
  {
    ReportBody saved = qe_report_;
    qe_report_.mr_signer[0] ^= 1;
    ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kQeIdentityMismatch);
    qe_report_ = saved;
  }
  {
    ReportBody saved = qe_report_;
    qe_report_.isv_prod_id = 2;
    ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kQeIdentityMismatch);
    qe_report_ = saved;
  }
  {
    ReportBody saved = qe_report_;
    qe_report_.set_attributes(0x13, 0xe7);  // DEBUG set: inside the mask
    ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kQeIdentityMismatch);
    qe_report_.set_attributes(0x15, 0xe7);  // MODE64BIT: outside the mask, ignored
    EXPECT_TRUE(Verify(MakeQuote(), MakeCollateral()).ok());
    qe_report_ = saved;
  }
  qe_report_.misc_select = 1;
  ExpectFailure(MakeQuote(), MakeCollateral(), FailureKind::kQeIdentityMismatch);
}

TEST_F(SimulatedPlatformTest, QeReportDataMustBindAttestationKeyAndAuthData) {
  auto q = pki_->MakeQuote(header_, report_, qe_report_, qe_auth_data_);
  ASSERT_TRUE(q.ok());
  q->qe_auth_data[0] ^= 1;  // the QE report (and its signature) still cover the old value
  auto bytes = SerializeQuote(*q);
  ASSERT_TRUE(bytes.ok());
  ExpectFailure(*bytes, MakeCollateral(), FailureKind::kQeReportDataMismatch);
}

TEST_F(SimulatedPlatformTest, FlippedByteInEachQuoteRegionFails) {
  const Bytes good = MakeQuote();
  const Collateral c = MakeCollateral();
  auto v = Verifier();
  ASSERT_TRUE(v->Verify(good, c, kNow).ok());
  const size_t auth_len_at = 436 + 64 + 64 + 384 + 64;
  struct Region {
    const char* name;
    size_t at;
    std::vector<FailureKind> kinds;
  };
  const std::vector<Region> regions = {
      {"header", 10, {FailureKind::kIsvSignatureInvalid}},
      {"report body", 48 + 64, {FailureKind::kIsvSignatureInvalid}},
      {"report data", 48 + 320, {FailureKind::kIsvSignatureInvalid}},
      {"signature data length", 432, {FailureKind::kMalformedQuote}},
      {"ISV signature", 436 + 5, {FailureKind::kIsvSignatureInvalid}},
      {"attestation key", 436 + 64 + 5, {FailureKind::kQeReportDataMismatch}},
      {"QE report", 436 + 128 + 64, {FailureKind::kQeReportSignatureInvalid}},
      {"QE report signature", 436 + 128 + 384 + 3, {FailureKind::kQeReportSignatureInvalid}},
      {"QE auth data length", auth_len_at, {FailureKind::kMalformedQuote}},
      {"QE auth data", auth_len_at + 2 + 4, {FailureKind::kQeReportDataMismatch}},
      {"certification data type", auth_len_at + 2 + 32, {FailureKind::kMalformedQuote}},
      {"certification data length", auth_len_at + 2 + 32 + 2, {FailureKind::kMalformedQuote}},
      {"PCK certificate",
       auth_len_at + 2 + 32 + 6 + 200,
       {FailureKind::kMalformedQuote, FailureKind::kCertificateChainInvalid,
        FailureKind::kPckExtensionInvalid, FailureKind::kUntrustedRoot}},
  };
  for (const Region& region : regions) {
    Bytes bad = good;
    bad[region.at] ^= 0x04;
    FailureKind kind = FailureKind::kNone;
    auto r = v->Verify(bad, c, kNow, &kind);
    ASSERT_FALSE(r.ok()) << region.name;
    EXPECT_NE(std::find(region.kinds.begin(), region.kinds.end(), kind), region.kinds.end())
        << region.name << ": " << FailureKindName(kind) << ": " << r.status().ToString();
  }
}

TEST_F(SimulatedPlatformTest, CacheAgreesWithFullVerification) {
  auto v = Verifier();
  const Bytes quote = MakeQuote();
  const Collateral c = MakeCollateral();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(v->Verify(quote, c, kNow + i).ok());
  // Outside the window the cached entry is not used: the precise failure comes back.
  FailureKind kind = FailureKind::kNone;
  EXPECT_FALSE(v->Verify(quote, c, kNow + 40 * kDay, &kind).ok());
  EXPECT_EQ(kind, FailureKind::kTcbInfoExpired);
  // A changed byte of collateral is a different cache key.
  Collateral edited = c;
  edited.tcb_info_json[edited.tcb_info_json.find("\"tcbEvaluationDataNumber\":17") + 26] = '8';
  EXPECT_FALSE(v->Verify(quote, edited, kNow, &kind).ok());
  EXPECT_EQ(kind, FailureKind::kTcbInfoSignatureInvalid);
  EXPECT_TRUE(v->Verify(quote, c, kNow).ok());
  // A second quote from the same platform reuses the PCK chain; a tampered one still fails.
  Bytes bad = quote;
  bad[100] ^= 1;
  EXPECT_FALSE(v->Verify(bad, c, kNow, &kind).ok());
  EXPECT_EQ(kind, FailureKind::kIsvSignatureInvalid);
  v->ClearCache();
  EXPECT_TRUE(v->Verify(quote, c, kNow).ok());
}

TEST_F(SimulatedPlatformTest, VerifiedQeReportsAreRememberedByTheirExactBytes) {
  auto v = Verifier();
  const Bytes quote = MakeQuote();
  const Collateral c = MakeCollateral();
  ASSERT_TRUE(v->Verify(quote, c, kNow).ok());
  // The same QE report under another ISV report (a new quote of that QE) still verifies.
  report_.report_data[0] = 0xbb;
  const Bytes second = MakeQuote();
  ASSERT_NE(second, quote);
  EXPECT_TRUE(v->Verify(second, c, kNow).ok());
  // Once remembered, any other QE report or signature byte is verified again and fails.
  constexpr size_t kQeReport = 436 + 128;
  constexpr size_t kQeSignature = kQeReport + 384;
  for (size_t at : {kQeReport + 1, kQeReport + 200, kQeReport + 383, kQeSignature,
                    kQeSignature + 40, kQeSignature + 63}) {
    Bytes bad = quote;
    bad[at] ^= 0x01;
    FailureKind kind = FailureKind::kNone;
    EXPECT_FALSE(v->Verify(bad, c, kNow, &kind).ok()) << at;
    EXPECT_EQ(kind, FailureKind::kQeReportSignatureInvalid) << at;
  }
  EXPECT_TRUE(v->Verify(quote, c, kNow).ok());
}

TEST_F(SimulatedPlatformTest, ConcurrentVerificationsAgree) {
  auto v = Verifier();
  const Bytes good = MakeQuote();
  Bytes bad = good;
  bad[300] ^= 1;
  const Collateral c = MakeCollateral();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        if (t == 0 && i % 5 == 0) v->ClearCache();
        if (!v->Verify(good, c, kNow + i).ok()) ++wrong;
        if (v->Verify(bad, c, kNow + i).ok()) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// ---- Item: terminal and non-terminal statuses -------------------------------------------

TEST(TerminalStatus, OnlyRevokedIsTerminal) {
  for (TcbStatus s :
       {TcbStatus::kUpToDate, TcbStatus::kSWHardeningNeeded, TcbStatus::kConfigurationNeeded,
        TcbStatus::kConfigurationAndSWHardeningNeeded, TcbStatus::kOutOfDate,
        TcbStatus::kOutOfDateConfigurationNeeded}) {
    EXPECT_FALSE(IsTerminalStatus(s)) << TcbStatusName(s);
  }
  EXPECT_TRUE(IsTerminalStatus(TcbStatus::kRevoked));
}

TEST_F(SimulatedPlatformTest, RevokedPlatformOrQeVerifiesWithTerminalStatus) {
  tcb_.levels[1].status = TcbStatus::kRevoked;
  auto r = Verify(MakeQuote(), MakeCollateral());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, TcbStatus::kRevoked);
  EXPECT_TRUE(IsTerminalStatus(r->status));
  tcb_.levels[1].status = TcbStatus::kUpToDate;
  qe_report_.isv_svn = 2;  // the QE identity's Revoked level
  r = Verify(MakeQuote(), MakeCollateral());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, TcbStatus::kRevoked);
}

TEST_F(SimulatedPlatformTest, RootsMustBeSelfSigned) {
  VerifierOptions o;
  auto pem = crypto::CertificateToPem(pki_->pck_ca());
  ASSERT_TRUE(pem.ok());
  o.trusted_roots.push_back(ToBytes(*pem));
  auto v = QuoteVerifier::New(o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
  o.trusted_roots = {ToBytes("not a certificate")};
  EXPECT_FALSE(QuoteVerifier::New(o).ok());
}

TEST(IntelRoot, IsTheDocumentedCertificate) {
  auto root = IntelSgxRootCa();
  ASSERT_TRUE(root.ok());
  auto der = crypto::CertificateToDer(root->get());
  ASSERT_TRUE(der.ok());
  auto file =
      ReadFile(std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors/dcap-qvl/TrustedRootCA.der");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*der, ToBytes(*file));
}

}  // namespace
}  // namespace scone::attestation
