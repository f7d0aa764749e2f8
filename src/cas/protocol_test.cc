#include "cas/protocol.h"

#include <gtest/gtest.h>

#include "attestation/intel_root.h"
#include "common/hex.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/test_util.h"
#include "crypto/x509.h"
#include "platform/platform.h"
#include "platform/platform_test_util.h"

namespace scone::cas {
namespace {

using attestation::Relaxation;
using attestation::TcbStatus;
constexpr int64_t kNow = 1'780'000'000;

using KeyAndCert = crypto::testing::TestIdentity;

KeyAndCert MakeKeyAndCert(const char* cn) { return crypto::testing::MakeTestIdentity(cn, kNow); }

// A CAS as the client sees it: a platform that quotes, a CAS key and a software key.
class ProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override { Init(TcbStatus::kUpToDate); }

  void Init(TcbStatus state) {
    dir_ = std::make_unique<platform::testing::TempDir>();
    platform::PlatformOptions options;
    options.tcb_state = state;
    auto p = platform::Platform::OpenOrCreate(dir_->path() / "platform", options, kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::move(*p);
    attestation::VerifierOptions vo;
    vo.trusted_roots = {ToBytes(attestation::IntelSgxRootCaPem()),
                        ToBytes(platform_->sim_root_pem())};
    verifier_ = std::move(*attestation::QuoteVerifier::New(vo));
    identity_.mrenclave.fill(0x11);
    identity_.mrsigner = ReleaseSignerMrSigner();
    identity_.isvprodid = CasIsvProdId();
    identity_.isvsvn = CasIsvSvn();
  }

  AttestationResponse Answer(const AttestationFlags& flags) {
    AttestationResponse r;
    r.cas_certificate_pem = cas_.pem;
    r.cas_software_certificate_pem = sw_.pem;
    r.flags = flags;
    auto rd = AttestationReportData(nonce_, cas_.spki, sw_.spki, flags);
    auto quote = platform_->Quote(identity_, rd);
    EXPECT_TRUE(quote.ok()) << quote.status().ToString();
    r.quote = *quote;
    r.collateral = *platform_->CollateralAt(kNow);
    return r;
  }

  AttestationFlags Provisioned() {
    AttestationFlags f;
    f.provisioned = true;
    f.simulated = true;
    f.debug = identity_.debug();
    return f;
  }

  Result<CasEvidence> Verify(const AttestationResponse& r, const CasAttestPolicy& policy = {}) {
    return VerifyAttestation(r, nonce_, cas_.der, policy, *verifier_, kNow, &refusal_);
  }

  // Which check refused the last Verify, and what it saw.
  CasRefusal refusal_;

  std::unique_ptr<platform::testing::TempDir> dir_;
  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<attestation::QuoteVerifier> verifier_;
  platform::EnclaveIdentity identity_;
  KeyAndCert cas_ = MakeKeyAndCert("cas");
  KeyAndCert sw_ = MakeKeyAndCert("cas software");
  Bytes nonce_ = Bytes(32, 0x5a);
};

TEST_F(ProtocolTest, GenuineAnswerIsAccepted) {
  auto e = Verify(Answer(Provisioned()));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->cas_key_hash, *crypto::KeyHashOfCertificate(cas_.cert.get()));
  EXPECT_EQ(e->software_key_hash, *crypto::KeyHashOfCertificate(sw_.cert.get()));
  EXPECT_EQ(e->mrenclave, identity_.mrenclave);
  EXPECT_EQ(e->isvsvn, CasIsvSvn());
  EXPECT_TRUE(e->relaxations.empty());
  // The evidence round-trips through its JSON form (the CLI state).
  auto back = CasEvidence::FromJson(e->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), e->ToJson());
}

TEST_F(ProtocolTest, AnswerRoundTripsThroughJson) {
  auto r = Answer(Provisioned());
  auto back = AttestationResponse::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(Verify(*back).ok());
  auto j = r.ToJson();
  j["flags"].erase("debug");
  EXPECT_FALSE(AttestationResponse::FromJson(j).ok());
}

TEST_F(ProtocolTest, BodyIsTheJsonTextWithOrWithoutCachedCollateral) {
  auto r = Answer(Provisioned());
  const std::string expected = api::Serialize(r.ToJson());
  EXPECT_EQ(r.ToBody(), expected);
  r.collateral_json = std::make_shared<const std::string>(api::CollateralJsonText(r.collateral));
  EXPECT_EQ(r.ToBody(), expected);
  // A PEM with characters JSON must escape (quotes, backslashes, control characters).
  r.cas_certificate_pem = "a\"b\\c\n\x01";
  EXPECT_EQ(r.ToBody(), api::Serialize(r.ToJson()));
  auto back = api::ParseBody<AttestationResponse>(r.ToBody(), "the answer");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->cas_certificate_pem, r.cas_certificate_pem);
}

TEST_F(ProtocolTest, EveryBoundValueIsChecked) {
  AttestationResponse good = Answer(Provisioned());
  {
    auto r = good;
    r.flags.owner_secret_access = true;  // a flag flipped on the way
    CasAttestPolicy p;
    p.allow_owner_secret_access = true;
    auto e = Verify(r, p);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), Code::kVerificationFailed) << e.status().ToString();
  }
  {
    auto r = good;
    r.cas_software_certificate_pem = MakeKeyAndCert("other").pem;  // software key swapped
    EXPECT_EQ(Verify(r).status().code(), Code::kVerificationFailed);
  }
  {
    auto r = good;
    nonce_[0] ^= 1;  // an old answer replayed for a new nonce
    EXPECT_EQ(Verify(r).status().code(), Code::kVerificationFailed);
    nonce_[0] ^= 1;
  }
  {
    // A relay: the genuine answer over another server's TLS connection.
    auto other = MakeKeyAndCert("mitm");
    CasRefusal refusal;
    auto e = VerifyAttestation(good, nonce_, other.der, {}, *verifier_, kNow, &refusal);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(refusal.check, CasCheck::kEvidence);
    EXPECT_NE(e.status().message().find("TLS server key"), std::string::npos);
  }
  {
    auto r = good;
    r.quote[r.quote.size() / 2] ^= 0x40;
    EXPECT_FALSE(Verify(r).ok());
  }
  EXPECT_TRUE(Verify(good).ok());
}

TEST_F(ProtocolTest, SimulatedQuoteWithoutSimRootSaysSo) {
  auto v = attestation::QuoteVerifier::New({});
  ASSERT_TRUE(v.ok());
  CasRefusal refusal;
  auto e = VerifyAttestation(Answer(Provisioned()), nonce_, cas_.der, {}, **v, kNow, &refusal);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(refusal.check, CasCheck::kQuote);
  EXPECT_EQ(refusal.quote_failure, attestation::FailureKind::kUntrustedRoot);
  EXPECT_TRUE(refusal.simulated);
  EXPECT_NE(e.status().message().find("simulated SGX platform"), std::string::npos)
      << e.status().ToString();
}

TEST_F(ProtocolTest, DefaultPolicyWantsReleaseSignerProductAndVersion) {
  identity_.mrsigner.fill(0x22);
  auto e = Verify(Answer(Provisioned()));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Code::kPolicyRejected);
  EXPECT_EQ(refusal_.check, CasCheck::kEnclave);
  ASSERT_EQ(refusal_.violations.size(), 1u);
  EXPECT_EQ(refusal_.violations[0].check, attestation::PolicyCheck::kMrSigner);
  EXPECT_EQ(refusal_.violations[0].seen, HexEncode(identity_.mrsigner));
  EXPECT_TRUE(refusal_.relaxations.empty());

  // Another signer, named with all three values.
  CasAttestPolicy p;
  p.mrsigner = identity_.mrsigner;
  p.isvprodid = CasIsvProdId();
  p.isvsvn = 1;
  EXPECT_TRUE(Verify(Answer(Provisioned()), p).ok());
  p.isvsvn = static_cast<uint16_t>(CasIsvSvn() + 1);
  EXPECT_FALSE(Verify(Answer(Provisioned()), p).ok());
}

TEST_F(ProtocolTest, OlderVersionNeedsIsvsvnOrMrenclave) {
  identity_.isvsvn = static_cast<uint16_t>(CasIsvSvn() - 1);
  auto r = Answer(Provisioned());
  auto e = Verify(r);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(refusal_.check, CasCheck::kEnclave);
  ASSERT_EQ(refusal_.violations.size(), 1u);
  EXPECT_EQ(refusal_.violations[0].check, attestation::PolicyCheck::kIsvSvn);
  EXPECT_EQ(refusal_.violations[0].seen, std::to_string(identity_.isvsvn));
  CasAttestPolicy by_svn;
  by_svn.isvsvn = identity_.isvsvn;
  EXPECT_TRUE(Verify(r, by_svn).ok());
  CasAttestPolicy by_mrenclave;
  by_mrenclave.mrenclaves = {identity_.mrenclave};
  EXPECT_TRUE(Verify(r, by_mrenclave).ok());
  CasAttestPolicy wrong_mrenclave;
  wrong_mrenclave.mrenclaves = {ByteArray<32>{}};
  EXPECT_FALSE(Verify(r, wrong_mrenclave).ok());
}

TEST_F(ProtocolTest, OptionRules) {
  auto problem = [](const CasAttestPolicy& policy) {
    CasRefusal refusal;
    Status s = ValidatePolicy(policy, &refusal);
    EXPECT_EQ(s.ok(), refusal.check == CasCheck::kNone);
    return refusal.problem;
  };
  CasAttestPolicy p;
  p.mrsigner = ByteArray<32>{};
  EXPECT_FALSE(ValidatePolicy(p).ok());  // without ISVPRODID and ISVSVN
  EXPECT_EQ(problem(p), PolicyProblem::kSignerIncomplete);
  p.isvprodid = 1;
  EXPECT_EQ(problem(p), PolicyProblem::kSignerIncomplete);
  p.isvsvn = 1;
  EXPECT_TRUE(ValidatePolicy(p).ok());
  EXPECT_EQ(problem(p), PolicyProblem::kNone);
  CasAttestPolicy prodid_alone;
  prodid_alone.isvprodid = 1;
  EXPECT_EQ(problem(prodid_alone), PolicyProblem::kSignerIncomplete);

  CasAttestPolicy ignore;
  ignore.ignore_signer = true;
  EXPECT_EQ(problem(ignore), PolicyProblem::kIgnoreSignerWithoutMrenclave);
  CasAttestPolicy contradiction = p;
  contradiction.ignore_signer = true;
  EXPECT_EQ(problem(contradiction), PolicyProblem::kIgnoreSignerWithSigner);
  ignore.mrenclaves = {ByteArray<32>{}};
  EXPECT_TRUE(ValidatePolicy(ignore).ok());
  ignore.mrenclaves.clear();
  ignore.trust_any = true;
  EXPECT_TRUE(ValidatePolicy(ignore).ok());

  CasAttestPolicy bad_hash;
  bad_hash.cas_key_hash = "not-a-key-hash";
  EXPECT_EQ(problem(bad_hash), PolicyProblem::kBadCasKeyHash);
  CasAttestPolicy bad_sw_hash;
  bad_sw_hash.software_key_hash = "not-a-key-hash";
  EXPECT_EQ(problem(bad_sw_hash), PolicyProblem::kBadSoftwareKeyHash);
}

TEST_F(ProtocolTest, KeyHashesPinTheInstance) {
  auto r = Answer(Provisioned());
  CasAttestPolicy p;
  p.cas_key_hash = *crypto::KeyHashOfCertificate(cas_.cert.get());
  p.software_key_hash = *crypto::KeyHashOfCertificate(sw_.cert.get());
  EXPECT_TRUE(Verify(r, p).ok());
  p.cas_key_hash = *crypto::KeyHashOfCertificate(sw_.cert.get());
  auto e = Verify(r, p);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(refusal_.check, CasCheck::kCasKeyHash);
  EXPECT_EQ(refusal_.seen, *crypto::KeyHashOfCertificate(cas_.cert.get()));
  EXPECT_EQ(refusal_.expected, *p.cas_key_hash);
  p.cas_key_hash.reset();
  p.software_key_hash = *crypto::KeyHashOfCertificate(cas_.cert.get());
  EXPECT_FALSE(Verify(r, p).ok());
  EXPECT_EQ(refusal_.check, CasCheck::kSoftwareKeyHash);
  EXPECT_EQ(refusal_.seen, *crypto::KeyHashOfCertificate(sw_.cert.get()));
}

TEST_F(ProtocolTest, DebugTrustAnyAndUnprovisioned) {
  identity_.attributes_flags |= platform::kAttrDebug;
  auto r = Answer(Provisioned());
  auto e = Verify(r);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(refusal_.check, CasCheck::kEnclave);
  EXPECT_EQ(refusal_.relaxations, std::vector<Relaxation>{Relaxation::kDebug});
  CasAttestPolicy debug;
  debug.allow_debug = true;
  EXPECT_TRUE(Verify(r, debug).ok());

  identity_.mrsigner.fill(0x33);  // any signer, any version
  identity_.isvsvn = 0;
  auto any = Answer(Provisioned());
  CasAttestPolicy trust_any;
  trust_any.trust_any = true;
  auto accepted = Verify(any, trust_any);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->relaxations,
            (std::vector<Relaxation>{Relaxation::kDebug, Relaxation::kTrustAny}));
  // trust-any drops the defaults, not what the user named.
  CasAttestPolicy trust_any_but = trust_any;
  trust_any_but.mrenclaves = {ByteArray<32>{}};
  EXPECT_FALSE(Verify(any, trust_any_but).ok());
  trust_any_but.mrenclaves = {identity_.mrenclave};
  EXPECT_TRUE(Verify(any, trust_any_but).ok());

  // trust-any is refused for a production CAS.
  identity_.attributes_flags &= ~platform::kAttrDebug;
  auto production = Answer(Provisioned());
  auto refused = Verify(production, trust_any);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("debug mode"), std::string::npos);
  EXPECT_EQ(refusal_.check, CasCheck::kTrustAnyNotDebug);

  identity_.mrsigner = ReleaseSignerMrSigner();
  identity_.isvsvn = CasIsvSvn();
  AttestationFlags unprovisioned = Provisioned();
  unprovisioned.provisioned = false;
  auto fresh = Answer(unprovisioned);
  auto u = Verify(fresh);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(refusal_.check, CasCheck::kUnprovisioned);
  EXPECT_EQ(refusal_.relaxations, std::vector<Relaxation>{Relaxation::kUnprovisioned});
  CasAttestPolicy allow;
  allow.allow_unprovisioned = true;
  auto allowed = Verify(fresh, allow);
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->relaxations, std::vector<Relaxation>{Relaxation::kUnprovisioned});
  EXPECT_EQ(refusal_.check, CasCheck::kNone);
}

TEST_F(ProtocolTest, OwnerSecretAccessNeedsConsent) {
  AttestationFlags f = Provisioned();
  f.owner_secret_access = true;
  auto r = Answer(f);
  auto e = Verify(r);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(refusal_.check, CasCheck::kOwnerSecretAccess);
  EXPECT_EQ(refusal_.relaxations, std::vector<Relaxation>{Relaxation::kOwnerSecretAccess});
  CasAttestPolicy p;
  p.allow_owner_secret_access = true;
  EXPECT_TRUE(Verify(r, p).ok());
}

TEST_F(ProtocolTest, TcbStatusNeedsItsFlag) {
  Init(TcbStatus::kConfigurationNeeded);
  auto r = Answer(Provisioned());
  auto e = Verify(r);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(refusal_.check, CasCheck::kEnclave);
  ASSERT_EQ(refusal_.violations.size(), 1u);
  EXPECT_EQ(refusal_.violations[0].check, attestation::PolicyCheck::kTcbStatus);
  EXPECT_EQ(refusal_.violations[0].seen, "ConfigurationNeeded");
  EXPECT_EQ(refusal_.relaxations, std::vector<Relaxation>{Relaxation::kConfigurationNeeded});
  CasAttestPolicy p;
  p.accept_configuration_needed = true;
  auto ok = Verify(r, p);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->tcb_status, TcbStatus::kConfigurationNeeded);
}

TEST(ReportData, DependsOnEveryInput) {
  Bytes nonce(16, 1), a(10, 2), b(10, 3);
  AttestationFlags f;
  auto base = AttestationReportData(nonce, a, b, f);
  EXPECT_NE(base, AttestationReportData(Bytes(17, 1), a, b, f));
  EXPECT_NE(base, AttestationReportData(nonce, b, a, f));
  for (int bit = 0; bit < 4; ++bit) {
    AttestationFlags g;
    g.provisioned = bit == 0;
    g.owner_secret_access = bit == 1;
    g.debug = bit == 2;
    g.simulated = bit == 3;
    EXPECT_NE(base, AttestationReportData(nonce, a, b, g)) << bit;
  }
}

}  // namespace
}  // namespace scone::cas
