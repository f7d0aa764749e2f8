// How the verifier anchors chains and uses CRLs (fixture: verifier_test_util.h): the root copy
// at the end of every chain must be the trusted root; partial CRL sets (only with
// accept_unverifiable_pcs_certs) still check what they can.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>

#include "attestation/simulated_pki.h"
#include "attestation/verifier.h"
#include "attestation/verifier_test_util.h"
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

}  // namespace
}  // namespace scone::attestation
