// CasState: the CAS certificate follows the owner configuration's [api_identity], over the
// same CAS key, on disk and in the TLS credentials alike (docs/cas.md "Owner configuration").
#include "cas/server/cas_state.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "common/test_util.h"
#include "crypto/key_hash.h"
#include "crypto/x509.h"

namespace scone::cas {
namespace {
using nlohmann::json;

constexpr int64_t kNow = 1'780'000'000;

store::StoreOptions Options(const std::filesystem::path& db) {
  store::StoreOptions o;
  o.db_path = db;
  o.seal_key = [](uint16_t) { return Result<SecretBytes>(SecretBytes::CopyFrom(Bytes(32, 7))); };
  return o;
}

SecretBytes Seed() { return SecretBytes::CopyFrom(Bytes(32, 3)); }

crypto::X509Ptr Cert(const std::string& pem) {
  auto certs = crypto::ParseCertificatesPem(pem);
  EXPECT_TRUE(certs.ok()) << certs.status().ToString();
  return std::move(certs->front());
}

// The subject alternative names as "DNS:x" / "IP:x".
std::vector<std::string> Sans(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(  // NOLINT
                                             ASN1_STRING_get0_data(n->d.dNSName)),
                                         static_cast<size_t>(ASN1_STRING_length(n->d.dNSName))));
    } else if (n->type == GEN_IPADD) {
      out.push_back("IP:" + std::to_string(ASN1_STRING_length(n->d.iPAddress)) + " bytes");
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

json Identity(const std::string& cn) {
  return {{"api_identity",
           {{"common_name", cn},
            {"alt_names", {cn, "127.0.0.1"}},
            {"country_name", "DE"},
            {"org_name", "Example"},
            {"state_or_province", "Saxony"},
            {"locality", "Dresden"},
            {"email", "ops@example.test"}}}};
}

class CasStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = CasState::Open(Options(dir_.path() / "cas.db"), Seed(), false, kNow);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    state_ = std::move(*s);
  }
  std::unique_ptr<CasState> Reopen() {
    state_.reset();
    auto s = CasState::Open(Options(dir_.path() / "cas.db"), Seed(), false, kNow);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  CasOwner owner_{"owner-hash", "owner-pem"};
  scone::testing::TempDir dir_{"scone-cas-state"};
  std::unique_ptr<CasState> state_;
};

TEST_F(CasStateTest, ApiIdentityBecomesSubjectAndSansOverTheSameKey) {
  const std::string key_hash = state_->Snapshot().keys->cas_key_hash;
  ASSERT_TRUE(state_->CommitProvisioning(owner_, Identity("cas.example.test"), kNow).ok());
  auto keys = state_->Snapshot().keys;
  auto cert = Cert(keys->cas_certificate_pem);
  EXPECT_EQ(crypto::SubjectName(cert.get()),
            "emailAddress=ops@example.test,CN=cas.example.test,O=Example,L=Dresden,ST=Saxony,C=DE");
  EXPECT_EQ(Sans(cert.get()), (std::vector<std::string>{"DNS:cas.example.test", "IP:4 bytes"}));
  EXPECT_EQ(keys->cas_key_hash, key_hash);
  EXPECT_EQ(*crypto::KeyHashOfCertificate(cert.get()), key_hash);
  EXPECT_TRUE(crypto::PrivateKeyMatchesCertificate(keys->cas_key.get(), cert.get()));

  // Stored: a restart presents the same certificate.
  std::string pem = keys->cas_certificate_pem;
  auto reopened = Reopen();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->Snapshot().keys->cas_certificate_pem, pem);

  // Another name: a new certificate, same key; the same name again: unchanged.
  ASSERT_TRUE(reopened->CommitConfig(Identity("other.example.test"), kNow).ok());
  auto other = Cert(reopened->Snapshot().keys->cas_certificate_pem);
  EXPECT_EQ(Sans(other.get()), (std::vector<std::string>{"DNS:other.example.test", "IP:4 bytes"}));
  EXPECT_EQ(*crypto::KeyHashOfCertificate(other.get()), key_hash);
  std::string other_pem = reopened->Snapshot().keys->cas_certificate_pem;
  ASSERT_TRUE(reopened->CommitConfig(Identity("other.example.test"), kNow + 5).ok());
  EXPECT_EQ(reopened->Snapshot().keys->cas_certificate_pem, other_pem);

  // Without [api_identity]: the default certificate again.
  ASSERT_TRUE(reopened->CommitConfig(json::object(), kNow).ok());
  auto plain = Cert(reopened->Snapshot().keys->cas_certificate_pem);
  EXPECT_EQ(crypto::SubjectName(plain.get()), "CN=SCONE CAS,O=SCONE open CAS");
  EXPECT_TRUE(Sans(plain.get()).empty());
  EXPECT_EQ(*crypto::KeyHashOfCertificate(plain.get()), key_hash);
}

TEST_F(CasStateTest, WithoutApiIdentityTheCertificateStaysAsItWas) {
  std::string before = state_->Snapshot().keys->cas_certificate_pem;
  ASSERT_TRUE(state_->CommitProvisioning(owner_, json{{"dcap", json::object()}}, kNow + 10).ok());
  EXPECT_EQ(state_->Snapshot().keys->cas_certificate_pem, before);
}

TEST_F(CasStateTest, AnInvalidStoredIdentityIsRefusedAndChangesNothing) {
  std::string before = state_->Snapshot().keys->cas_certificate_pem;
  json bad = {{"api_identity", {{"common_name", "x"}, {"alt_names", {"bad name"}}}}};
  EXPECT_FALSE(state_->CommitProvisioning(owner_, bad, kNow).ok());
  EXPECT_FALSE(state_->Snapshot().flags.provisioned);
  EXPECT_EQ(state_->Snapshot().keys->cas_certificate_pem, before);
  EXPECT_FALSE(state_->broken());
}

}  // namespace
}  // namespace scone::cas
