// The verifier against a PKI of our own (SimulatedPki), for what Intel-signed vectors
// cannot show: revocation, other FMSPCs, wrong roots, every TCB/QE status combination.
#include "attestation/verifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>
#include <utility>

#include "attestation/intel_root.h"
#include "attestation/simulated_pki.h"
#include "common/file_util.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::attestation {
namespace {

constexpr int64_t kNow = 1760000000;  // 2025-10-09
constexpr int64_t kDay = 86400;

PckExtensions PlatformValues() {
  PckExtensions e;
  e.ppid.fill(0x42);
  e.tcb_components = {5, 5, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  e.pce_svn = 11;
  e.cpu_svn = e.tcb_components;
  e.pce_id = {0, 0};
  e.fmspc = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  e.sgx_type = 1;
  return e;
}

TcbLevel Level(ByteArray<16> comps, uint16_t pce_svn, TcbStatus status,
               std::vector<std::string> advisories = {}) {
  TcbLevel l;
  l.sgx_components = comps;
  l.pce_svn = pce_svn;
  l.tcb_date = "2025-01-01T00:00:00Z";
  l.status = status;
  l.advisory_ids = std::move(advisories);
  return l;
}

QeTcbLevel QeLevel(uint16_t svn, TcbStatus status, std::vector<std::string> advisories = {}) {
  return {svn, "2025-01-01T00:00:00Z", status, std::move(advisories)};
}

class SimulatedPlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatedPkiOptions o;
    o.not_before = kNow - 365 * kDay;
    o.not_after = kNow + 365 * kDay;
    o.pck = PlatformValues();
    auto pki = SimulatedPki::Generate(o);
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    pki_ = std::move(pki).value();

    tcb_.version = 3;
    tcb_.id = "SGX";
    tcb_.issue_date = kNow - kDay;
    tcb_.next_update = kNow + 29 * kDay;
    tcb_.fmspc = o.pck.fmspc;
    tcb_.pce_id = o.pck.pce_id;
    tcb_.tcb_evaluation_data_number = 17;
    tcb_.levels = {
        Level({6, 6, 2, 2, 255, 1}, 11, TcbStatus::kUpToDate),
        Level({5, 5, 2, 2, 255, 1}, 11, TcbStatus::kSWHardeningNeeded, {"INTEL-SA-00615"}),
        Level({4, 4, 2, 2, 255, 1}, 10, TcbStatus::kOutOfDate, {"INTEL-SA-00289"})};

    qe_.id = "QE";
    qe_.version = 2;
    qe_.issue_date = kNow - kDay;
    qe_.next_update = kNow + 29 * kDay;
    qe_.tcb_evaluation_data_number = 17;
    qe_.misc_select = 0;
    qe_.misc_select_mask = 0xffffffff;
    qe_.attributes = {0x11};
    qe_.attributes_mask = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    qe_.mr_signer.fill(0x8c);
    qe_.isv_prod_id = 1;
    qe_.levels = {QeLevel(8, TcbStatus::kUpToDate),
                  QeLevel(6, TcbStatus::kOutOfDate, {"INTEL-SA-00615", "INTEL-SA-00477"}),
                  QeLevel(2, TcbStatus::kRevoked)};

    header_.qe_vendor_id = kIntelQeVendorId;
    header_.qe_svn = 8;
    header_.pce_svn = 11;
    report_.mr_enclave.fill(0xe1);
    report_.mr_signer.fill(0x51);
    report_.isv_prod_id = 7;
    report_.isv_svn = 3;
    report_.set_attributes(kAttributeInit | kAttributeMode64Bit, 0xe7);
    report_.report_data[0] = 0xaa;
    qe_report_.mr_signer = qe_.mr_signer;
    qe_report_.isv_prod_id = 1;
    qe_report_.isv_svn = 8;
    qe_report_.set_attributes(0x11, 0xe7);
    qe_auth_data_ = Bytes(32, 0x5a);
  }

  // CRLs valid from two days before kNow for 60 days: wider than the TCB info and QE
  // identity, so that their windows are what tests see.
  Collateral MakeCollateral(int64_t crl_until = kNow + 60 * kDay) const {
    auto c = pki_->MakeCollateral(tcb_, qe_, kNow - 2 * kDay, crl_until);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }

  Bytes MakeQuote(const SimulatedPki& pki) const {
    auto q = pki.MakeQuote(header_, report_, qe_report_, qe_auth_data_);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    auto b = SerializeQuote(*q);
    EXPECT_TRUE(b.ok());
    return *b;
  }
  Bytes MakeQuote() const { return MakeQuote(*pki_); }

  std::unique_ptr<QuoteVerifier> Verifier(bool relaxed = false) const {
    VerifierOptions o;
    auto root = pki_->RootPem();
    EXPECT_TRUE(root.ok());
    o.trusted_roots.push_back(ToBytes(*root));
    o.accept_unverifiable_pcs_certs = relaxed;
    auto v = QuoteVerifier::New(o);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(v).value();
  }

  Result<VerifiedQuote> Verify(const Bytes& quote, const Collateral& c, FailureKind* kind = nullptr,
                               int64_t now = kNow) const {
    return Verifier()->Verify(quote, c, now, kind);
  }

  // Expects verification to fail with `kind` and kVerificationFailed.
  void ExpectFailure(const Bytes& quote, const Collateral& c, FailureKind kind,
                     int64_t now = kNow) const {
    FailureKind got = FailureKind::kNone;
    auto r = Verify(quote, c, &got, now);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(FailureKindName(got), FailureKindName(kind)) << r.status().ToString();
    EXPECT_EQ(r.status().code(), Code::kVerificationFailed) << r.status().ToString();
  }

  std::unique_ptr<SimulatedPki> pki_;
  TcbInfo tcb_;
  QeIdentity qe_;
  QuoteHeader header_;
  ReportBody report_;
  ReportBody qe_report_;
  Bytes qe_auth_data_;
};

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

// ---- Item: the root copy at the end of every chain must be the trusted root ----------

// `pem` with one base64 character of its last block (the root copy) replaced by another
// valid base64 character: the decoded certificate differs in 6 bits. `nth` picks the
// character among those of the block's full lines (never the padded last line).
std::string TamperLastBlock(std::string pem, size_t nth) {
  size_t begin = pem.rfind("-----BEGIN CERTIFICATE-----");
  size_t body = pem.find('\n', begin) + 1;
  size_t last_line = pem.rfind('\n', pem.find("-----END CERTIFICATE-----", body) - 2);
  size_t seen = 0;
  for (size_t i = body; i < last_line; ++i) {
    if (pem[i] == '\n' || pem[i] == '\r') continue;
    if (seen++ == nth) {
      pem[i] = pem[i] == 'A' ? 'B' : 'A';
      return pem;
    }
  }
  return pem;
}

// The same collateral with `root` as the copy at the end of every issuer chain.
std::string ReplaceLastBlock(const std::string& pem, X509* root) {
  std::string out = pem.substr(0, pem.rfind("-----BEGIN CERTIFICATE-----"));
  return out + *crypto::CertificateToPem(root);
}

// A self-signed root with `key`, the subject of the simulated root and another serial and
// validity period: how a root CA is re-issued.
crypto::X509Ptr ReissueRoot(EVP_PKEY* key, int64_t not_before, int64_t not_after) {
  crypto::CertificateOptions o;
  o.organization = "SCONE simulated SGX";
  o.common_name = o.organization + " Root CA";
  o.not_before = not_before;
  o.not_after = not_after;
  o.is_ca = true;
  auto cert = crypto::CreateCertificate(key, key, nullptr, o);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return std::move(cert).value();
}

Bytes WithPckChain(const Bytes& quote, const std::string& chain_pem) {
  auto q = ParseQuote(quote);
  EXPECT_TRUE(q.ok());
  q->certification_data = ToBytes(chain_pem);
  q->certification_data.push_back(0);
  auto b = SerializeQuote(*q);
  EXPECT_TRUE(b.ok());
  return *b;
}

TEST_F(SimulatedPlatformTest, ReissuedRootWithTheSameKeyIsAccepted) {
  crypto::X509Ptr reissued = ReissueRoot(pki_->root_key(), kNow - 2 * kDay, kNow + 900 * kDay);
  ASSERT_EQ(crypto::SubjectName(reissued.get()), crypto::SubjectName(pki_->root()));
  ASSERT_NE(X509_cmp(reissued.get(), pki_->root()), 0);
  // Trusting the re-issued root: the quote and collateral still carry the old copy.
  VerifierOptions o;
  o.trusted_roots.push_back(ToBytes(*crypto::CertificateToPem(reissued.get())));
  auto v = QuoteVerifier::New(o);
  ASSERT_TRUE(v.ok());
  const Bytes quote = MakeQuote();
  const Collateral c = MakeCollateral();
  auto r = (*v)->Verify(quote, c, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Trusting the old root: quote and collateral chains end in the re-issued copy.
  Collateral c2 = c;
  c2.tcb_info_issuer_chain_pem = ReplaceLastBlock(c.tcb_info_issuer_chain_pem, reissued.get());
  c2.qe_identity_issuer_chain_pem =
      ReplaceLastBlock(c.qe_identity_issuer_chain_pem, reissued.get());
  c2.pck_crl_issuer_chain_pem = ReplaceLastBlock(*c.pck_crl_issuer_chain_pem, reissued.get());
  const Bytes quote2 = WithPckChain(quote, ReplaceLastBlock(*pki_->PckChainPem(), reissued.get()));
  r = Verify(quote2, c2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

TEST_F(SimulatedPlatformTest, RootCopyWithTheSameSubjectAndAnotherKeyFails) {
  // The PCK certificate and PCK CA are genuine; only the root copy is another key's.
  auto key = crypto::GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  crypto::X509Ptr impostor = ReissueRoot(key->get(), kNow - kDay, kNow + kDay);
  ASSERT_EQ(crypto::SubjectName(impostor.get()), crypto::SubjectName(pki_->root()));
  ExpectFailure(WithPckChain(MakeQuote(), ReplaceLastBlock(*pki_->PckChainPem(), impostor.get())),
                MakeCollateral(), FailureKind::kUntrustedRoot);
  Collateral c = MakeCollateral();
  c.tcb_info_issuer_chain_pem = ReplaceLastBlock(c.tcb_info_issuer_chain_pem, impostor.get());
  ExpectFailure(MakeQuote(), c, FailureKind::kUntrustedRoot);
}

TEST_F(SimulatedPlatformTest, TamperedRootCopyFailsInEveryChain) {
  const Bytes quote = MakeQuote();
  const Collateral good = MakeCollateral();
  auto v = Verifier();
  ASSERT_TRUE(v->Verify(quote, good, kNow).ok());
  const std::string pck_chain = *pki_->PckChainPem();
  // Every character position of the root copy's full base64 lines, in each chain.
  int checked = 0;
  for (size_t nth = 0; nth < 64 * 8; nth += 7) {
    std::vector<std::pair<std::string, std::function<void(Bytes&, Collateral&)>>> chains = {
        {"PCK chain",
         [&](Bytes& q, Collateral&) { q = WithPckChain(q, TamperLastBlock(pck_chain, nth)); }},
        {"TCB info chain",
         [&](Bytes&, Collateral& c) {
           c.tcb_info_issuer_chain_pem = TamperLastBlock(c.tcb_info_issuer_chain_pem, nth);
         }},
        {"QE identity chain",
         [&](Bytes&, Collateral& c) {
           c.qe_identity_issuer_chain_pem = TamperLastBlock(c.qe_identity_issuer_chain_pem, nth);
         }},
        {"PCK CRL issuer chain",
         [&](Bytes&, Collateral& c) {
           c.pck_crl_issuer_chain_pem = TamperLastBlock(*c.pck_crl_issuer_chain_pem, nth);
         }},
    };
    for (auto& [name, tamper] : chains) {
      Bytes q = quote;
      Collateral c = good;
      tamper(q, c);
      if (q == quote && c.tcb_info_issuer_chain_pem == good.tcb_info_issuer_chain_pem &&
          c.qe_identity_issuer_chain_pem == good.qe_identity_issuer_chain_pem &&
          c.pck_crl_issuer_chain_pem == good.pck_crl_issuer_chain_pem) {
        continue;  // past the end of the block
      }
      ++checked;
      FailureKind kind = FailureKind::kNone;
      auto r = v->Verify(q, c, kNow, &kind);
      EXPECT_FALSE(r.ok()) << name << ", character " << nth;
      EXPECT_NE(kind, FailureKind::kNone) << name << ", character " << nth;
    }
  }
  EXPECT_GT(checked, 4 * 50);
}

// ---- Item: partial CRL sets (only with accept_unverifiable_pcs_certs) ------------------

TEST_F(SimulatedPlatformTest, PckCrlWithoutRootCaCrlStillCatchesARevokedPck) {
  Collateral c = MakeCollateral();
  c.root_ca_crl.reset();
  auto r = Verifier(true)->Verify(MakeQuote(), c, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->revocation.root_ca_crl);
  EXPECT_TRUE(r->revocation.pck_crl);
  EXPECT_FALSE(r->revocation_checked);

  c.pck_crl = *pki_->PckCrl({pki_->pck_cert()}, kNow - kDay, kNow + kDay);
  FailureKind kind = FailureKind::kNone;
  r = Verifier(true)->Verify(MakeQuote(), c, kNow, &kind);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(kind, FailureKind::kCertificateRevoked) << r.status().ToString();
  // Without its issuer chain the PCK CRL is checked against the PCK certificate's CA.
  c.pck_crl_issuer_chain_pem.reset();
  r = Verifier(true)->Verify(MakeQuote(), c, kNow, &kind);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(kind, FailureKind::kCertificateRevoked) << r.status().ToString();
  c.pck_crl = *pki_->PckCrl({}, kNow - kDay, kNow + kDay);
  r = Verifier(true)->Verify(MakeQuote(), c, kNow, &kind);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->revocation.pck_crl);
  // Still with its own signature and window checked.
  c.pck_crl = *pki_->PckCrl({}, kNow - kDay, kNow - 1);
  r = Verifier(true)->Verify(MakeQuote(), c, kNow, &kind);
  EXPECT_EQ(kind, FailureKind::kPckCrlExpired) << r.status().ToString();
  auto other =
      SimulatedPki::Generate({kNow - kDay, kNow + kDay, "SCONE simulated SGX", PlatformValues()});
  ASSERT_TRUE(other.ok());
  c.pck_crl = *(*other)->PckCrl({}, kNow - kDay, kNow + kDay);
  r = Verifier(true)->Verify(MakeQuote(), c, kNow, &kind);
  ASSERT_FALSE(r.ok());
  // Same CA name, another key: OpenSSL picks the CRL by name while building the chain and
  // rejects its signature first.
  EXPECT_TRUE(kind == FailureKind::kPckCrlInvalid || kind == FailureKind::kCertificateChainInvalid)
      << r.status().ToString();
  // A CRL of another CA name (Intel: the Processor CA's CRL for a Platform CA PCK) would
  // cover nothing: refused, not ignored.
  auto other_ca =
      SimulatedPki::Generate({kNow - kDay, kNow + kDay, "Other CA name", PlatformValues()});
  ASSERT_TRUE(other_ca.ok());
  c.pck_crl = *(*other_ca)->PckCrl({}, kNow - kDay, kNow + kDay);
  r = Verifier(true)->Verify(MakeQuote(), c, kNow, &kind);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(kind, FailureKind::kPckCrlInvalid) << r.status().ToString();
}

TEST_F(SimulatedPlatformTest, RootCaCrlWithoutPckCrlStillCatchesARevokedCa) {
  Collateral c = MakeCollateral();
  c.pck_crl.reset();
  c.pck_crl_issuer_chain_pem.reset();
  auto r = Verifier(true)->Verify(MakeQuote(), c, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->revocation.root_ca_crl);
  EXPECT_FALSE(r->revocation.pck_crl);
  c.root_ca_crl = *pki_->RootCaCrl({pki_->pck_ca()}, kNow - kDay, kNow + kDay);
  FailureKind kind = FailureKind::kNone;
  r = Verifier(true)->Verify(MakeQuote(), c, kNow, &kind);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(kind, FailureKind::kCertificateRevoked) << r.status().ToString();
  c.root_ca_crl = *pki_->RootCaCrl({pki_->tcb_signer()}, kNow - kDay, kNow + kDay);
  r = Verifier(true)->Verify(MakeQuote(), c, kNow, &kind);
  EXPECT_EQ(kind, FailureKind::kCertificateRevoked) << r.status().ToString();
}

TEST_F(SimulatedPlatformTest, ReportsWhichRevocationChecksRan) {
  Collateral c = MakeCollateral();
  auto r = Verify(MakeQuote(), c);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->revocation.root_ca_crl && r->revocation.pck_crl && r->revocation_checked);
  c.root_ca_crl.reset();
  c.pck_crl.reset();
  r = Verifier(true)->Verify(MakeQuote(), c, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->revocation.root_ca_crl || r->revocation.pck_crl || r->revocation_checked);
}

TEST_F(SimulatedPlatformTest, IssuerChainsJoinedWithoutALineBreakVerify) {
  Collateral c = MakeCollateral();
  auto join = [](std::string pem) {
    size_t at = pem.find("-----END CERTIFICATE-----\n");
    pem.erase(at + 25, 1);
    EXPECT_NE(pem.find("-----END CERTIFICATE----------BEGIN CERTIFICATE-----"), std::string::npos);
    return pem;
  };
  c.tcb_info_issuer_chain_pem = join(c.tcb_info_issuer_chain_pem);
  c.qe_identity_issuer_chain_pem = join(c.qe_identity_issuer_chain_pem);
  c.pck_crl_issuer_chain_pem = join(*c.pck_crl_issuer_chain_pem);
  auto r = Verify(MakeQuote(), c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->revocation_checked);
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
