// Generation of every kind (secrets/generate.h): sizes, alphabets, key types, explicit
// values and that two generations differ.
#include "secrets/generate.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/hex.h"
#include "crypto/keygen.h"
#include "crypto/keys.h"
#include "crypto/pem.h"
#include "crypto/x509.h"
#include "secrets/test_util.h"

namespace scone::secrets {
namespace {

using testing::Generate;
using testing::Load;

constexpr std::string_view kEveryKind = R"(secrets:
  - {name: pw, kind: ascii}
  - {name: pw64, kind: ascii, size: 64}
  - {name: bin, kind: binary}
  - {name: bin7, kind: binary, size: 7}
  - {name: key, kind: private-key}
  - {name: pub, kind: public-key, private_key: key}
  - {name: ca, kind: x509-ca}
  - {name: cert, kind: x509, private_key: key, issuer: ca}
)";

// An explicit P-256 key (made once with `openssl genpkey -algorithm EC -pkeyopt
// ec_paramgen_curve:P-256`), for explicit values.
constexpr std::string_view kP256Pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOgI2F2FLNPZAgdi9
f0D0Sk1l9gQxAlRvENHRUg5aWzChRANCAAQ4jGkGtwJuLeE2tXUsIX9IOvuClXpO
GSZLr0PhGjfmXadq5SdOenq5jg/2ZornXFMv7ojJms02dZz19IdSt8WJ
-----END PRIVATE KEY-----
)";

std::string Indented(std::string_view pem) {
  std::string out;
  for (size_t i = 0, j = 0; i < pem.size(); i = j + 1) {
    j = pem.find('\n', i);
    out += "      " + std::string(pem.substr(i, j - i)) + "\n";
  }
  return out;
}

TEST(GenerateTest, AsciiHasTheDeclaredSizeAndVisibleCharactersOnly) {
  auto v = Generate(Load(kEveryKind));
  ASSERT_EQ(v.count("pw"), 1u);
  EXPECT_EQ(v.at("pw").material.size(), 20u);  // the default
  EXPECT_EQ(v.at("pw64").material.size(), 64u);
  for (const char* name : {"pw", "pw64"}) {
    for (uint8_t c : v.at(name).material.Reveal()) {
      EXPECT_TRUE(c >= 0x21 && c <= 0x7e) << int{c};
    }
  }
}

TEST(GenerateTest, AsciiUsesTheWholeAlphabet) {
  // 4096 characters over 94 symbols: every symbol appears (the chance that one is missing
  // is below 1e-17).
  auto v = Generate(Load("secrets:\n  - {name: a, kind: ascii, size: 4096}\n"));
  std::vector<bool> seen(128, false);
  for (uint8_t c : v.at("a").material.Reveal()) seen[c] = true;
  EXPECT_EQ(std::count(seen.begin() + 0x21, seen.begin() + 0x7f, true), 94);
}

TEST(GenerateTest, BinaryHasTheDeclaredSize) {
  auto v = Generate(Load(kEveryKind));
  EXPECT_EQ(v.at("bin").material.size(), 20u);
  EXPECT_EQ(v.at("bin7").material.size(), 7u);
  EXPECT_TRUE(v.at("bin").chain.empty());
}

TEST(GenerateTest, TwoGenerationsDiffer) {
  sdl::Session s = Load(kEveryKind);
  auto a = Generate(s);
  auto b = Generate(s);
  ASSERT_EQ(a.size(), 8u);
  for (const auto& [name, value] : a) {
    EXPECT_FALSE(value.material == b.at(name).material) << name;
    if (!value.chain.empty()) {
      EXPECT_NE(value.chain.front(), b.at(name).chain.front()) << name;
    }
  }
}

TEST(GenerateTest, EveryKeyTypeParsesAsItsType) {
  for (std::string_view type :
       {"P-256", "P-384", "P-521", "Ed25519", "ed25519", "RSA-2048", "RSA-3072"}) {
    auto v = Generate(
        Load("secrets:\n  - {name: k, kind: private-key, key_type: " + std::string(type) + "}\n"));
    ASSERT_EQ(v.count("k"), 1u) << type;
    auto key = crypto::ParsePkcs8PrivateKeyDer(v.at("k").material.Reveal());
    ASSERT_TRUE(key.ok()) << type << ": " << key.status().message();
    EXPECT_EQ(crypto::KeyTypeOf(key->get()), crypto::ParseKeyType(type)) << type;
  }
  auto v = Generate(Load("secrets:\n  - {name: k, kind: private-key}\n"));
  auto key = crypto::ParsePkcs8PrivateKeyDer(v.at("k").material.Reveal());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(crypto::KeyTypeOf(key->get()), crypto::KeyType::kP256);  // the default
}

TEST(GenerateTest, PublicKeyIsThatOfItsPrivateKey) {
  auto v = Generate(Load(kEveryKind));
  auto priv = crypto::ParsePkcs8PrivateKeyDer(v.at("key").material.Reveal());
  auto pub = crypto::ParsePublicKeySpkiDer(v.at("pub").material.Reveal());
  ASSERT_TRUE(priv.ok() && pub.ok());
  EXPECT_TRUE(crypto::SamePublicKey(priv->get(), pub->get()));
}

TEST(GenerateTest, ExplicitValuesAreTakenInTheirForm) {
  std::string body =
      "secrets:\n  - {name: b, kind: binary, value: DEADbeef}\n"
      "  - {name: a, kind: ascii, value: \"s3cr3t\"}\n"
      "  - name: k\n    kind: private-key\n    key_type: P-256\n    value: |\n" +
      Indented(kP256Pem);
  body += "  - {name: p, kind: public-key, private_key: k}\n";
  auto v = Generate(Load(body));
  EXPECT_EQ(HexEncode(v.at("b").material.Reveal()), "deadbeef");
  EXPECT_EQ(AsChars(v.at("a").material.Reveal()), "s3cr3t");
  auto given = crypto::ParsePrivateKeyPem(kP256Pem);
  auto stored = crypto::ParsePkcs8PrivateKeyDer(v.at("k").material.Reveal());
  ASSERT_TRUE(given.ok() && stored.ok());
  EXPECT_TRUE(crypto::SamePublicKey(given->get(), stored->get()));
}

// A session whose explicit value is wrong in a way only generation sees.
Status GenerateError(std::string_view body) {
  GenerateOptions o;
  o.now = testing::kNow;
  return GenerateSecrets(Load(body), o).status();
}

TEST(GenerateTest, ExplicitKeyOfAnotherTypeIsRefusedWithoutEchoingIt) {
  Status st = GenerateError(
      "secrets:\n  - name: k\n    kind: private-key\n    key_type: "
      "RSA-2048\n    value: |\n" +
      Indented(kP256Pem));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("\"k\""), std::string::npos);
  EXPECT_EQ(st.message().find("OgI2F2FLNPZA"), std::string::npos);
}

TEST(GenerateTest, ExplicitPublicKeyMustBelongToItsPrivateKey) {
  auto other = crypto::GenerateEcP256Key();
  ASSERT_TRUE(other.ok());
  auto spki = crypto::PublicKeySpkiDer(other->get());
  ASSERT_TRUE(spki.ok());
  auto pem = crypto::EncodePem("PUBLIC KEY", *spki);
  ASSERT_TRUE(pem.ok());
  Status st = GenerateError(
      "secrets:\n  - {name: k, kind: private-key}\n  - name: p\n    kind: public-key\n"
      "    private_key: k\n    value: |\n" +
      Indented(*pem));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
}

TEST(GenerateTest, ExplicitCertificateMustMatchItsPrivateKey) {
  // A certificate made by an earlier generation, over another key than `k`'s.
  auto first = Generate(Load("secrets:\n  - {name: c, kind: x509-ca}\n"));
  auto cert = crypto::ParseCertificateDer(first.at("c").chain.front());
  ASSERT_TRUE(cert.ok());
  auto pem = crypto::CertificateToPem(cert->get());
  ASSERT_TRUE(pem.ok());
  std::string key_block = "  - name: k\n    kind: private-key\n    value: |\n" + Indented(kP256Pem);
  Status st = GenerateError("secrets:\n" + key_block +
                            "  - name: c\n    kind: x509\n    private_key: k\n    value: |\n" +
                            Indented(*pem));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("does not match"), std::string::npos);

  // Without private_key the certificate is taken as it is, without a key.
  auto v = Generate(Load("secrets:\n  - name: c\n    kind: x509\n    value: |\n" + Indented(*pem)));
  ASSERT_EQ(v.at("c").chain.size(), 1u);
  EXPECT_EQ(v.at("c").chain.front(), first.at("c").chain.front());
  EXPECT_TRUE(v.at("c").material.empty());
}

TEST(GenerateTest, ReferenceToAnUnresolvedImportIsAPreconditionFailure) {
  sdl::Session s = Load(
      "secrets:\n  - {name: ca, kind: x509-ca, import: {session: other, secret: ca}}\n"
      "  - {name: k, kind: private-key}\n"
      "  - {name: c, kind: x509, private_key: k, issuer: ca}\n");
  GenerateOptions o;
  o.now = testing::kNow;
  EXPECT_EQ(GenerateSecrets(s, o).status().code(), Code::kFailedPrecondition);

  // With the import resolved, the certificate is issued by the imported CA.
  auto exporter = Generate(Load("secrets:\n  - {name: ca, kind: x509-ca}\n"));
  o.imported = &exporter;
  auto v = GenerateSecrets(s, o);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->count("ca"), 0u);  // imports are not this session's values
  ASSERT_EQ(v->at("c").chain.size(), 2u);
  EXPECT_EQ(v->at("c").chain[1], exporter.at("ca").chain.front());
}

}  // namespace
}  // namespace scone::secrets
