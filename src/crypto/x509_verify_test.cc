// Chain verification details the DCAP verifier relies on: a chain's root copy must be an
// unmodified copy of a trust anchor, CRLs can be checked where present, and PEM chains
// joined without a line break parse.
#include "crypto/x509_verify.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/crl.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::crypto {
namespace {

constexpr int64_t kNow = 1760000000;
constexpr int64_t kDay = 86400;

struct Ca {
  EvpPkeyPtr key;
  X509Ptr cert;
};

Ca MakeRoot(const std::string& name, int64_t not_before = kNow - kDay,
            int64_t not_after = kNow + 365 * kDay, EVP_PKEY* key = nullptr) {
  Ca ca;
  if (key == nullptr) {
    ca.key = std::move(*GenerateEcP256Key());
  } else {
    EVP_PKEY_up_ref(key);
    ca.key.reset(key);
  }
  CertificateOptions o;
  o.common_name = name;
  o.organization = "Test";
  o.not_before = not_before;
  o.not_after = not_after;
  o.is_ca = true;
  auto cert = CreateCertificate(ca.key.get(), ca.key.get(), nullptr, o);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  ca.cert = std::move(cert).value();
  return ca;
}

Ca Issue(const Ca& issuer, const std::string& name, bool is_ca) {
  Ca ca;
  ca.key = std::move(*GenerateEcP256Key());
  CertificateOptions o;
  o.common_name = name;
  o.organization = "Test";
  o.not_before = kNow - kDay;
  o.not_after = kNow + 30 * kDay;
  o.is_ca = is_ca;
  auto cert = CreateCertificate(ca.key.get(), issuer.key.get(), issuer.cert.get(), o);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  ca.cert = std::move(cert).value();
  return ca;
}

X509Ptr Reparse(const Bytes& der) {
  auto cert = ParseCertificateDer(der);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return cert.ok() ? std::move(cert).value() : nullptr;
}

ChainFailure MatchFailure(X509* copy, X509* anchor, int64_t time = kNow) {
  ChainFailure failure = ChainFailure::kNone;
  auto r = MatchAnchorCopy(copy, {anchor}, time, &failure);
  if (r.ok()) {
    EXPECT_EQ(*r, anchor);
  }
  return failure;
}

TEST(MatchAnchorCopy, AcceptsAnIdenticalCopyAndAReissuedRoot) {
  Ca root = MakeRoot("Root");
  X509Ptr copy = Reparse(*CertificateToDer(root.cert.get()));
  EXPECT_EQ(MatchFailure(copy.get(), root.cert.get()), ChainFailure::kNone);
  // Same key and subject, another serial and validity, self-signed again.
  Ca reissued = MakeRoot("Root", kNow - 2 * kDay, kNow + 900 * kDay, root.key.get());
  ASSERT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(reissued.cert.get()),
                             X509_get0_serialNumber(root.cert.get())),
            0);
  EXPECT_EQ(MatchFailure(reissued.cert.get(), root.cert.get()), ChainFailure::kNone);
  EXPECT_EQ(MatchFailure(root.cert.get(), reissued.cert.get()), ChainFailure::kNone);
}

TEST(MatchAnchorCopy, RejectsAnotherKeyOrSubject) {
  Ca root = MakeRoot("Root");
  Ca same_name = MakeRoot("Root");
  EXPECT_EQ(MatchFailure(same_name.cert.get(), root.cert.get()), ChainFailure::kUntrustedRoot);
  Ca renamed = MakeRoot("Other Root", kNow - kDay, kNow + kDay, root.key.get());
  EXPECT_EQ(MatchFailure(renamed.cert.get(), root.cert.get()), ChainFailure::kUntrustedRoot);
}

TEST(MatchAnchorCopy, RejectsEveryChangedByteThatStillParses) {
  Ca root = MakeRoot("Root");
  const Bytes der = *CertificateToDer(root.cert.get());
  int parsed = 0;
  for (size_t i = 0; i < der.size(); ++i) {
    Bytes bad = der;
    bad[i] ^= 0x01;
    auto cert = ParseCertificateDer(bad);
    if (!cert.ok()) continue;
    ++parsed;
    ChainFailure failure = ChainFailure::kNone;
    auto r = MatchAnchorCopy(cert->get(), {root.cert.get()}, kNow, &failure);
    EXPECT_FALSE(r.ok()) << "byte " << i;
    EXPECT_NE(failure, ChainFailure::kNone) << "byte " << i;
  }
  EXPECT_GT(parsed, 100);  // most single-bit changes still parse; each must be caught
}

TEST(MatchAnchorCopy, RejectsAnExpiredOrNotYetValidCopy) {
  Ca root = MakeRoot("Root", kNow - kDay, kNow + kDay);
  EXPECT_EQ(MatchFailure(root.cert.get(), root.cert.get(), kNow + 2 * kDay),
            ChainFailure::kCertificateExpired);
  EXPECT_EQ(MatchFailure(root.cert.get(), root.cert.get(), kNow - 2 * kDay),
            ChainFailure::kCertificateNotYetValid);
}

TEST(VerifyCertificateChain, AllowMissingCrlsStillChecksTheCrlsGiven) {
  Ca root = MakeRoot("Root");
  Ca ca = Issue(root, "CA", true);
  Ca leaf = Issue(ca, "Leaf", false);
  auto revoking =
      CreateCrl(ca.cert.get(), ca.key.get(), {leaf.cert.get()}, kNow - kDay, kNow + kDay);
  auto empty = CreateCrl(ca.cert.get(), ca.key.get(), {}, kNow - kDay, kNow + kDay);
  ASSERT_TRUE(revoking.ok() && empty.ok());

  ChainVerifyOptions o;
  o.trust_anchors = {root.cert.get()};
  o.intermediates = {ca.cert.get()};
  o.time = kNow;
  o.crls = {empty->get()};  // no CRL of the root: the CA is not covered
  ChainFailure failure = ChainFailure::kNone;
  EXPECT_FALSE(VerifyCertificateChain(leaf.cert.get(), o, &failure).ok());
  EXPECT_EQ(failure, ChainFailure::kCrlMissing);
  o.allow_missing_crls = true;
  EXPECT_TRUE(VerifyCertificateChain(leaf.cert.get(), o, &failure).ok());
  o.crls = {revoking->get()};
  EXPECT_FALSE(VerifyCertificateChain(leaf.cert.get(), o, &failure).ok());
  EXPECT_EQ(failure, ChainFailure::kRevoked);
}

TEST(ParseCertificatesPem, AcceptsBlocksJoinedWithoutALineBreak) {
  Ca root = MakeRoot("Root");
  Ca ca = Issue(root, "CA", true);
  std::string a = *CertificateToPem(ca.cert.get());
  std::string b = *CertificateToPem(root.cert.get());
  ASSERT_EQ(a.back(), '\n');
  std::string joined = a.substr(0, a.size() - 1) + b;
  ASSERT_NE(joined.find("-----END CERTIFICATE----------BEGIN CERTIFICATE-----"), std::string::npos);
  auto certs = ParseCertificatesPem(joined);
  ASSERT_TRUE(certs.ok()) << certs.status().ToString();
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ(X509_cmp((*certs)[0].get(), ca.cert.get()), 0);
  EXPECT_EQ(X509_cmp((*certs)[1].get(), root.cert.get()), 0);
  // Without a final line break too.
  certs = ParseCertificatesPem(joined.substr(0, joined.size() - 1));
  ASSERT_TRUE(certs.ok()) << certs.status().ToString();
  EXPECT_EQ(certs->size(), 2u);
  // A broken block is still an error.
  std::string broken = joined;
  broken.replace(broken.find("-----END CERTIFICATE-----"), 25, "-----END CERTIFICATE--");
  EXPECT_FALSE(ParseCertificatesPem(broken).ok());
}

}  // namespace
}  // namespace scone::crypto
