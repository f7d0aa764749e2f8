// The real Intel-rooted quotes in testdata/vectors: documented results and must-fail cases.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attestation/collateral.h"
#include "attestation/policy.h"
#include "attestation/quote.h"
#include "attestation/report_format.h"
#include "attestation/verifier.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::attestation {
namespace {

const std::filesystem::path kVectors = std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors";

struct Vector {
  Bytes quote;
  Collateral collateral;
};

Vector Load(const std::string& quote_file, const std::string& collateral_dir) {
  auto quote = ReadFile(kVectors / quote_file);
  EXPECT_TRUE(quote.ok()) << quote.status().ToString();
  auto collateral = LoadCollateralDir(kVectors / collateral_dir);
  EXPECT_TRUE(collateral.ok()) << collateral.status().ToString();
  return {ToBytes(*quote), *collateral};
}

Vector DcapQvl() { return Load("dcap-qvl/sgx_quote", "dcap-qvl/pcs"); }
Vector AutomataV3() { return Load("automata-v3/quote.bin", "automata-v3"); }
Vector AutomataV2() { return Load("automata-tcbinfo-v2/quote.bin", "automata-tcbinfo-v2"); }

constexpr int64_t kDcapQvlTime = 1752919277;
constexpr int64_t kAutomataV3Time = 1755236700;
constexpr int64_t kAutomataV2Time = 1716000000;

std::unique_ptr<QuoteVerifier> IntelVerifier(bool relaxed = false) {
  VerifierOptions options;
  options.accept_unverifiable_pcs_certs = relaxed;
  auto v = QuoteVerifier::New(options);
  EXPECT_TRUE(v.ok());
  return std::move(v).value();
}

// Verifies and expects a failure of `kind`; returns the message.
std::string ExpectFailure(const QuoteVerifier& v, const Vector& vec, int64_t now, FailureKind kind,
                          Code code = Code::kVerificationFailed) {
  FailureKind got = FailureKind::kNone;
  auto r = v.Verify(vec.quote, vec.collateral, now, &got);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(FailureKindName(got), FailureKindName(kind)) << r.status().ToString();
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  return r.status().message();
}

std::string Hex(ByteView b) { return HexEncode(b); }

TEST(DcapQvlVector, VerifiesWithDocumentedResult) {
  auto v = IntelVerifier();
  FailureKind kind = FailureKind::kMalformedQuote;
  auto r = v->Verify(DcapQvl().quote, DcapQvl().collateral, kDcapQvlTime, &kind);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(kind, FailureKind::kNone);
  EXPECT_EQ(r->status, TcbStatus::kConfigurationAndSWHardeningNeeded);
  EXPECT_EQ(r->advisory_ids, (std::vector<std::string>{"INTEL-SA-00289", "INTEL-SA-00615"}));
  EXPECT_EQ(Hex(r->fmspc), "00a067110000");
  EXPECT_EQ(Hex(r->pce_id), "0000");
  EXPECT_EQ(Hex(r->tcb_components), "0b0b0202ff0100000000000000000000");
  EXPECT_EQ(r->pce_svn, 13);
  EXPECT_EQ(r->header.pce_svn, 15);
  EXPECT_EQ(Hex(r->mr_enclave()),
            "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  EXPECT_EQ(Hex(r->mr_signer()),
            "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  EXPECT_EQ(r->isv_prod_id(), 0);
  EXPECT_EQ(r->isv_svn(), 0);
  EXPECT_FALSE(r->debug());
  ByteArray<64> rd{};
  const std::string hello = "Hello, world!";
  std::copy(hello.begin(), hello.end(), rd.begin());
  EXPECT_EQ(r->report_data(), rd);
  EXPECT_EQ(r->qe_status, TcbStatus::kUpToDate);
  EXPECT_TRUE(r->revocation_checked);

  auto j = VerifiedQuoteToJson(*r);
  EXPECT_EQ(j["status"], "ConfigurationAndSWHardeningNeeded");
  EXPECT_EQ(j["fmspc"], "00a067110000");
  EXPECT_EQ(j["qe_status"], "UpToDate");
  EXPECT_EQ(j["debug"], false);
  EXPECT_EQ(j["isvprodid"], 0);
  EXPECT_EQ(j["advisory_ids"].size(), 2u);
  EXPECT_NE(FormatVerifiedQuote(*r).find("ConfigurationAndSWHardeningNeeded"), std::string::npos);
}

TEST(DcapQvlVector, PolicyNeedsBothConfigurationAndSwHardeningFlags) {
  auto v = IntelVerifier();
  auto r = v->Verify(DcapQvl().quote, DcapQvl().collateral, kDcapQvlTime);
  ASSERT_TRUE(r.ok());
  QuotePolicy p;
  p.accept_configuration_needed = true;
  p.ignore_all_advisories = true;
  auto res = CheckPolicy(*r, p);
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_EQ(res.violations[0].check, PolicyCheck::kTcbStatus);
  EXPECT_EQ(res.violations[0].relaxations, std::vector<Relaxation>{Relaxation::kSwHardeningNeeded});
  p.accept_sw_hardening_needed = true;
  EXPECT_TRUE(CheckPolicy(*r, p).ok());
}

TEST(DcapQvlVector, MustFailCases) {
  auto v = IntelVerifier();
  Vector vec = DcapQvl();
  ExpectFailure(*v, vec, 1750320802, FailureKind::kTcbInfoNotYetValid);
  ExpectFailure(*v, vec, 1752919279, FailureKind::kQeIdentityExpired);
  // The first and last second of the documented window succeed.
  EXPECT_TRUE(v->Verify(vec.quote, vec.collateral, 1750330571).ok());
  EXPECT_TRUE(v->Verify(vec.quote, vec.collateral, 1752919278).ok());
  EXPECT_FALSE(v->Verify(vec.quote, vec.collateral, 1750330570).ok());
}

TEST(DcapQvlVector, EditedTcbInfoFails) {
  auto v = IntelVerifier();
  Vector vec = DcapQvl();
  auto pos = vec.collateral.tcb_info_json.find("\"tcbEvaluationDataNumber\":17");
  ASSERT_NE(pos, std::string::npos);
  vec.collateral.tcb_info_json.replace(pos, 28, "\"tcbEvaluationDataNumber\":18");
  ExpectFailure(*v, vec, kDcapQvlTime, FailureKind::kTcbInfoSignatureInvalid);
}

TEST(DcapQvlVector, EditedQeIdentityFails) {
  auto v = IntelVerifier();
  Vector vec = DcapQvl();
  auto pos = vec.collateral.qe_identity_json.find("\"isvprodid\":1");
  ASSERT_NE(pos, std::string::npos);
  vec.collateral.qe_identity_json.replace(pos, 13, "\"isvprodid\":2");
  ExpectFailure(*v, vec, kDcapQvlTime, FailureKind::kQeIdentitySignatureInvalid);
}

TEST(DcapQvlVector, WhitespaceOutsideTheSignedObjectIsHarmless) {
  auto v = IntelVerifier();
  Vector vec = DcapQvl();
  vec.collateral.tcb_info_json = " \n" + vec.collateral.tcb_info_json + "\n";
  EXPECT_TRUE(v->Verify(vec.quote, vec.collateral, kDcapQvlTime).ok());
}

TEST(DcapQvlVector, DuplicateTopLevelKeyIsRejected) {
  auto v = IntelVerifier();
  Vector vec = DcapQvl();
  std::string& j = vec.collateral.tcb_info_json;
  // A second "tcbInfo" member: a reader that keeps the last one would see other values.
  j.insert(j.size() - 1, ",\"tcbInfo\":{}");
  ExpectFailure(*v, vec, kDcapQvlTime, FailureKind::kMalformedCollateral, Code::kInvalidArgument);
}

TEST(DcapQvlVector, FlippedByteInSignedRegionFails) {
  auto v = IntelVerifier();
  Vector vec = DcapQvl();
  for (size_t off : {size_t{0} + 8, size_t{48}, size_t{112}, size_t{368}, size_t{431}}) {
    Vector bad = vec;
    bad.quote[off] ^= 0x01;
    ExpectFailure(*v, bad, kDcapQvlTime, FailureKind::kIsvSignatureInvalid);
  }
}

TEST(AutomataV3Vector, VerifiesWithDocumentedResult) {
  auto v = IntelVerifier();
  Vector vec = AutomataV3();
  for (int64_t now : {kAutomataV3Time, int64_t{1756000000}}) {
    auto r = v->Verify(vec.quote, vec.collateral, now);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, TcbStatus::kSWHardeningNeeded);
    EXPECT_EQ(r->advisory_ids, std::vector<std::string>{"INTEL-SA-00615"});
    EXPECT_EQ(r->qe_status, TcbStatus::kUpToDate);
    EXPECT_EQ(Hex(r->fmspc), "00606a000000");
    EXPECT_EQ(Hex(r->tcb_components), "0e0e0303ffff01000000000000000000");
    EXPECT_EQ(r->pce_svn, 13);
    EXPECT_EQ(Hex(r->mr_enclave()),
              "a4f45c39dac622cb1dd32ddb35a52ec92db41d0fa88a1c911c49e59c534f61cd");
    EXPECT_EQ(Hex(r->mr_signer()),
              "8f2dbc0f9c5d3378d596974b2deed1f93223cc49242899f83809bcc92546132c");
    EXPECT_EQ(r->isv_prod_id(), 0);
    EXPECT_EQ(r->isv_svn(), 0);
    EXPECT_FALSE(r->debug());
    EXPECT_EQ(r->report_data(), ByteArray<64>{});
    EXPECT_EQ(r->tcb_date, "2024-03-13T00:00:00Z");
  }
}

TEST(AutomataV3Vector, MustFailCases) {
  auto v = IntelVerifier();
  Vector vec = AutomataV3();
  ExpectFailure(*v, vec, 1755236485, FailureKind::kPckCrlNotYetValid);
  ExpectFailure(*v, vec, 1757824607, FailureKind::kQeIdentityExpired);
  Vector bad = vec;
  bad.quote[200] ^= 0x80;
  ExpectFailure(*v, bad, kAutomataV3Time, FailureKind::kIsvSignatureInvalid);
}

TEST(AutomataV3Vector, OldTcbSigningCertFailsOnlyOnValidity) {
  auto v = IntelVerifier();
  Vector vec = AutomataV3();
  auto old_chain = ReadFile(kVectors / "automata-tcbinfo-v2/tcb_info_issuer_chain.pem");
  ASSERT_TRUE(old_chain.ok());
  ASSERT_NE(*old_chain, vec.collateral.tcb_info_issuer_chain_pem);
  vec.collateral.tcb_info_issuer_chain_pem = *old_chain;
  ExpectFailure(*v, vec, kAutomataV3Time, FailureKind::kCertificateExpired);
  // The same key signed it: at a time when the old certificate was valid, only the
  // collateral's own dates are wrong.
  ExpectFailure(*v, vec, 1747000000, FailureKind::kTcbInfoNotYetValid);
}

TEST(AutomataV2Vector, VerifiesWithDocumentedResult) {
  auto v = IntelVerifier();
  Vector vec = AutomataV2();
  auto r = v->Verify(vec.quote, vec.collateral, kAutomataV2Time);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, TcbStatus::kSWHardeningNeeded);
  EXPECT_TRUE(r->advisory_ids.empty());
  EXPECT_EQ(r->qe_status, TcbStatus::kUpToDate);
  EXPECT_EQ(Hex(r->fmspc), "00606a000000");
  EXPECT_EQ(Hex(r->tcb_components), "0c0c0303ffff01000000000000000000");
  EXPECT_EQ(r->pce_svn, 13);
  EXPECT_EQ(r->header.pce_svn, 14);
  EXPECT_EQ(Hex(r->mr_enclave()),
            "46049af725ec3986eeb788693df7bc5f14d3f2705106a19cd09b9d89237db1a0");
  EXPECT_EQ(Hex(r->mr_signer()),
            "ef69011f29043f084e99ce420bfebdfa410aee1e132014e7ceff29efa9659bd9");
  EXPECT_EQ(r->isv_prod_id(), 0);
  EXPECT_EQ(r->isv_svn(), 1);
  EXPECT_TRUE(r->debug());
  EXPECT_EQ(r->report.attribute_flags(), 0x07u);
  EXPECT_EQ(r->report.xfrm(), 0xE7u);
  EXPECT_EQ(r->report_data(), ByteArray<64>{});
  EXPECT_EQ(r->tcb_date, "2023-08-09T00:00:00Z");

  // The debug enclave is refused by a default policy and accepted with the relaxation.
  QuotePolicy p;
  p.accept_sw_hardening_needed = true;
  auto res = CheckPolicy(*r, p);
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_EQ(res.violations[0].check, PolicyCheck::kDebug);
  EXPECT_EQ(res.NeededRelaxations(), std::vector<Relaxation>{Relaxation::kDebug});
  EXPECT_EQ(res.ToStatus().code(), Code::kPolicyRejected);
  p.allow_debug = true;
  EXPECT_TRUE(CheckPolicy(*r, p).ok());
}

TEST(AutomataV2Vector, MustFailCases) {
  auto v = IntelVerifier();
  Vector vec = AutomataV2();
  ExpectFailure(*v, vec, 1715258272, FailureKind::kPckCrlNotYetValid);
  ExpectFailure(*v, vec, 1716949481, FailureKind::kQeIdentityExpired);
  // The repository's own warp: nothing is issued yet; the root CA CRL is checked first.
  ExpectFailure(*v, vec, 1708508100, FailureKind::kRootCaCrlNotYetValid);
  EXPECT_TRUE(v->Verify(vec.quote, vec.collateral, 1715258273).ok());
  EXPECT_TRUE(v->Verify(vec.quote, vec.collateral, 1716949480).ok());
  // Without CRLs (explicitly relaxed) the first failing time is the TCB info's issueDate.
  auto relaxed = IntelVerifier(true);
  Vector no_crl = vec;
  no_crl.collateral.pck_crl.reset();
  no_crl.collateral.pck_crl_issuer_chain_pem.reset();
  no_crl.collateral.root_ca_crl.reset();
  ExpectFailure(*relaxed, no_crl, 1714617869, FailureKind::kTcbInfoNotYetValid);
  auto ok = relaxed->Verify(no_crl.quote, no_crl.collateral, 1714617870);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_FALSE(ok->revocation_checked);
}

TEST(AutomataV2Vector, EditedEnclaveIdentityFails) {
  auto v = IntelVerifier();
  Vector vec = AutomataV2();
  auto pos = vec.collateral.qe_identity_json.find("\"isvprodid\":1");
  ASSERT_NE(pos, std::string::npos);
  vec.collateral.qe_identity_json[pos + 12] = '3';
  ExpectFailure(*v, vec, kAutomataV2Time, FailureKind::kQeIdentitySignatureInvalid);
}

struct Named {
  const char* name;
  Vector (*load)();
  int64_t now;
};
const Named kAll[] = {{"dcap-qvl", DcapQvl, kDcapQvlTime},
                      {"automata-v3", AutomataV3, kAutomataV3Time},
                      {"automata-v2", AutomataV2, kAutomataV2Time}};

TEST(AllVectors, FlippedQeReportOrAuthDataFails) {
  auto v = IntelVerifier();
  for (const Named& n : kAll) {
    Vector vec = n.load();
    ASSERT_TRUE(v->Verify(vec.quote, vec.collateral, n.now).ok()) << n.name;
    constexpr size_t kQeReport = 436 + 128;
    for (size_t off : {kQeReport, kQeReport + 100, kQeReport + 383}) {
      Vector bad = vec;
      bad.quote[off] ^= 0x20;
      ExpectFailure(*v, bad, n.now, FailureKind::kQeReportSignatureInvalid);
    }
    constexpr size_t kAuthData = 436 + 128 + 384 + 64 + 2;
    Vector bad = vec;
    bad.quote[kAuthData + 7] ^= 0x20;
    ExpectFailure(*v, bad, n.now, FailureKind::kQeReportDataMismatch);
    bad = vec;
    bad.quote[436 + 64 + 9] ^= 0x20;  // attestation key
    ExpectFailure(*v, bad, n.now, FailureKind::kQeReportDataMismatch);
    bad = vec;
    bad.quote[436 + 17] ^= 0x20;  // ISV signature
    ExpectFailure(*v, bad, n.now, FailureKind::kIsvSignatureInvalid);
  }
}

// Replaces the quote's PCK chain with `pem` (NUL-terminated as Intel's QE does).
Bytes WithChain(const Bytes& quote_bytes, const std::string& pem) {
  auto q = ParseQuote(quote_bytes);
  EXPECT_TRUE(q.ok());
  q->certification_data = ToBytes(pem);
  q->certification_data.push_back(0);
  auto out = SerializeQuote(*q);
  EXPECT_TRUE(out.ok());
  return *out;
}

TEST(AllVectors, PckChainThatDoesNotReachThePinnedRootFails) {
  auto v = IntelVerifier();
  for (const Named& n : kAll) {
    Vector vec = n.load();
    auto q = ParseQuote(vec.quote);
    ASSERT_TRUE(q.ok());
    auto certs = crypto::ParseCertificatesPem(PckChainPem(*q));
    ASSERT_TRUE(certs.ok());
    ASSERT_EQ(certs->size(), 3u);
    auto leaf = crypto::CertificateToPem((*certs)[0].get());
    ASSERT_TRUE(leaf.ok());
    Vector bad = vec;
    bad.quote = WithChain(vec.quote, *leaf);  // no intermediate: no path to the root
    ExpectFailure(*v, bad, n.now, FailureKind::kUntrustedRoot);
  }
}

TEST(AllVectors, ALookAlikeRootEmbeddedInTheQuoteFails) {
  // Replace the quote's root by a self-signed certificate with Intel's names and another
  // key: the root copy must be the pinned root (same subject and key), so this fails even
  // though the PCK certificate and PCK CA are genuine and chain to the pinned root.
  auto key = crypto::GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  crypto::CertificateOptions o;
  o.common_name = "Intel SGX Root CA";
  o.organization = "Intel Corporation";
  o.not_before = 0;
  o.not_after = 4102444800;
  o.is_ca = true;
  auto fake = crypto::CreateCertificate(key->get(), key->get(), nullptr, o);
  ASSERT_TRUE(fake.ok());
  auto v = IntelVerifier();
  for (const Named& n : kAll) {
    Vector vec = n.load();
    auto q = ParseQuote(vec.quote);
    ASSERT_TRUE(q.ok());
    auto certs = crypto::ParseCertificatesPem(PckChainPem(*q));
    ASSERT_TRUE(certs.ok());
    std::string pem = *crypto::CertificateToPem((*certs)[0].get()) +
                      *crypto::CertificateToPem((*certs)[1].get()) +
                      *crypto::CertificateToPem(fake->get());
    Vector swapped = vec;
    swapped.quote = WithChain(vec.quote, pem);
    ExpectFailure(*v, swapped, n.now, FailureKind::kUntrustedRoot);
    // And a verifier that (wrongly) pins the fake root instead trusts nothing here.
    VerifierOptions options;
    options.trusted_roots.push_back(ToBytes(*crypto::CertificateToPem(fake->get())));
    auto fake_verifier = QuoteVerifier::New(options);
    ASSERT_TRUE(fake_verifier.ok());
    FailureKind kind = FailureKind::kNone;
    EXPECT_FALSE((*fake_verifier)->Verify(swapped.quote, swapped.collateral, n.now, &kind).ok());
    EXPECT_TRUE(kind == FailureKind::kUntrustedRoot || kind == FailureKind::kRootCaCrlInvalid)
        << FailureKindName(kind);
  }
}

TEST(AllVectors, CollateralOfAnotherPlatformFails) {
  // The dcap-qvl quote (FMSPC 00A067110000, Processor CA) with automata-v3's collateral
  // (FMSPC 00606A000000, Platform CA CRL).
  Vector vec = DcapQvl();
  vec.collateral = AutomataV3().collateral;
  // With CRLs: the PCK CRL is the Platform CA's, so the Processor CA chain has no CRL.
  ExpectFailure(*IntelVerifier(), vec, kAutomataV3Time, FailureKind::kCertificateChainInvalid);
  // Without CRLs the TCB info is for another FMSPC.
  vec.collateral.pck_crl.reset();
  vec.collateral.pck_crl_issuer_chain_pem.reset();
  vec.collateral.root_ca_crl.reset();
  ExpectFailure(*IntelVerifier(true), vec, kAutomataV3Time, FailureKind::kFmspcMismatch);
}

TEST(Collateral, MissingCrlsAreAnErrorNamingTheRelaxation) {
  auto v = IntelVerifier();
  Vector vec = DcapQvl();
  vec.collateral.root_ca_crl.reset();
  std::string m =
      ExpectFailure(*v, vec, kDcapQvlTime, FailureKind::kMissingCrls, Code::kFailedPrecondition);
  // The relaxation by name; the CLI names its flag (cli::WithQuoteFailureHint).
  EXPECT_NE(m.find("unverifiable-pcs-certs"), std::string::npos);
  EXPECT_EQ(m.find("--"), std::string::npos);
  auto relaxed = IntelVerifier(true);
  auto r = relaxed->Verify(vec.quote, vec.collateral, kDcapQvlTime);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->revocation_checked);
  // The Intel PCK CRL that is present is still checked (and reported).
  EXPECT_TRUE(r->revocation.pck_crl);
  EXPECT_FALSE(r->revocation.root_ca_crl);
}

// ---- The root copy at the end of each real chain --------------------------------------

// Positions (in `text`) of the base64 characters of the last PEM certificate's full lines:
// changing one of them to another base64 character changes 6 bits of the certificate.
std::vector<size_t> RootCopyBase64Positions(std::string_view text) {
  std::vector<size_t> out;
  size_t begin = text.rfind("-----BEGIN CERTIFICATE-----");
  size_t end = text.find("-----END CERTIFICATE-----", begin);
  if (begin == std::string_view::npos || end == std::string_view::npos) return out;
  size_t body = text.find('\n', begin) + 1;
  size_t last_line = text.rfind('\n', end - 2);  // the padded last line is left out
  for (size_t i = body; i < last_line; ++i) {
    if (text[i] != '\n' && text[i] != '\r') out.push_back(i);
  }
  return out;
}

char OtherBase64Character(char c) { return c == 'A' ? 'B' : 'A'; }

TEST(AllVectors, EveryChangedCharacterOfTheQuotesRootCopyFails) {
  // The quote's signatures do not cover the certification data, so the root copy in it is
  // covered by nothing but its own signature: each changed character must be caught.
  auto v = IntelVerifier();
  for (const auto& [vec, now] :
       {std::pair{DcapQvl(), kDcapQvlTime}, std::pair{AutomataV3(), kAutomataV3Time},
        std::pair{AutomataV2(), kAutomataV2Time}}) {
    ASSERT_TRUE(v->Verify(vec.quote, vec.collateral, now).ok());
    auto positions = RootCopyBase64Positions(AsChars(ByteView(vec.quote)));
    ASSERT_GT(positions.size(), 500u);
    for (size_t at : positions) {
      Bytes bad = vec.quote;
      bad[at] = static_cast<uint8_t>(OtherBase64Character(static_cast<char>(bad[at])));
      FailureKind kind = FailureKind::kNone;
      auto r = v->Verify(bad, vec.collateral, now, &kind);
      ASSERT_FALSE(r.ok()) << "character at quote offset " << at;
      EXPECT_NE(kind, FailureKind::kNone);
    }
  }
}

TEST(AllVectors, ChangedRootCopyInEachIssuerChainFails) {
  auto v = IntelVerifier();
  Vector vec = DcapQvl();
  using Field = std::string* (*)(Collateral&);
  const std::vector<std::pair<const char*, Field>> fields = {
      {"tcb_info_issuer_chain", [](Collateral& c) { return &c.tcb_info_issuer_chain_pem; }},
      {"qe_identity_issuer_chain", [](Collateral& c) { return &c.qe_identity_issuer_chain_pem; }},
      {"pck_crl_issuer_chain", [](Collateral& c) { return &*c.pck_crl_issuer_chain_pem; }},
  };
  for (const auto& [name, field] : fields) {
    const std::string original = *field(vec.collateral);
    auto positions = RootCopyBase64Positions(original);
    ASSERT_GT(positions.size(), 500u) << name;
    for (size_t i = 0; i < positions.size(); i += 3) {
      Vector bad = vec;
      std::string& pem = *field(bad.collateral);
      pem[positions[i]] = OtherBase64Character(pem[positions[i]]);
      FailureKind kind = FailureKind::kNone;
      auto r = v->Verify(bad.quote, bad.collateral, kDcapQvlTime, &kind);
      ASSERT_FALSE(r.ok()) << name << " character " << positions[i];
      EXPECT_NE(kind, FailureKind::kNone);
    }
  }
}

// ---- Collateral as other tools store it ------------------------------------------------

std::string JoinBlocks(std::string pem) {
  for (size_t at = pem.find("-----END CERTIFICATE-----\n-----BEGIN"); at != std::string::npos;
       at = pem.find("-----END CERTIFICATE-----\n-----BEGIN", at)) {
    pem.erase(at + 25, 1);
  }
  return pem;
}

TEST(AllVectors, IssuerChainsJoinedWithoutALineBreakVerify) {
  auto v = IntelVerifier();
  for (const auto& [vec, now] :
       {std::pair{DcapQvl(), kDcapQvlTime}, std::pair{AutomataV3(), kAutomataV3Time},
        std::pair{AutomataV2(), kAutomataV2Time}}) {
    auto expected = v->Verify(vec.quote, vec.collateral, now);
    ASSERT_TRUE(expected.ok());
    Collateral c = vec.collateral;
    c.tcb_info_issuer_chain_pem = JoinBlocks(c.tcb_info_issuer_chain_pem);
    c.qe_identity_issuer_chain_pem = JoinBlocks(c.qe_identity_issuer_chain_pem);
    c.pck_crl_issuer_chain_pem = JoinBlocks(*c.pck_crl_issuer_chain_pem);
    ASSERT_NE(
        c.tcb_info_issuer_chain_pem.find("-----END CERTIFICATE----------BEGIN CERTIFICATE-----"),
        std::string::npos);
    auto r = v->Verify(vec.quote, c, now);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, expected->status);
    EXPECT_TRUE(r->revocation_checked);
  }
}

TEST(AllVectors, EveryPresentCrlIsCheckedAndReported) {
  auto relaxed = IntelVerifier(true);
  Vector vec = AutomataV3();
  // PCK CRL (Intel's Platform CA CRL, 44 revoked serials) without the root CA CRL.
  Vector pck_only = vec;
  pck_only.collateral.root_ca_crl.reset();
  auto r = relaxed->Verify(pck_only.quote, pck_only.collateral, kAutomataV3Time);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->revocation.pck_crl);
  EXPECT_FALSE(r->revocation.root_ca_crl);
  auto j = VerifiedQuoteToJson(*r);
  EXPECT_EQ(j["revocation_checks"]["pck_crl"], true);
  EXPECT_EQ(j["revocation_checks"]["root_ca_crl"], false);
  EXPECT_EQ(j["revocation_checked"], false);
  // The PCK CRL's own window is still enforced without the root CA CRL.
  ExpectFailure(*relaxed, pck_only, 1755236485, FailureKind::kPckCrlNotYetValid);
  // Root CA CRL without the PCK CRL.
  Vector root_only = vec;
  root_only.collateral.pck_crl.reset();
  root_only.collateral.pck_crl_issuer_chain_pem.reset();
  r = relaxed->Verify(root_only.quote, root_only.collateral, kAutomataV3Time);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->revocation.root_ca_crl);
  EXPECT_FALSE(r->revocation.pck_crl);
  EXPECT_NE(FormatVerifiedQuote(*r).find("PCK certificate against the PCK CRL: NO"),
            std::string::npos);
}

TEST(Collateral, LoadReportsMissingRequiredFile) {
  auto c = LoadCollateralDir(kVectors / "no-such-dir");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace scone::attestation
