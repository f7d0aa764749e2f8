#include "crypto/keys.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/kdf.h"
#include "crypto/key_hash.h"
#include "crypto/pem.h"

namespace scone::crypto {
namespace {

SecretBytes Seed(uint8_t fill) { return SecretBytes::CopyFrom(Bytes(32, fill)); }

std::string HashOf(EVP_PKEY* key) { return *KeyHashOfPublicKey(key); }

TEST(DeriveEcP256Key, SameSeedAndInfoGiveTheSameKey) {
  auto a = DeriveEcP256Key(Seed(7), AsBytes(std::string_view("ctx")));
  auto b = DeriveEcP256Key(Seed(7), AsBytes(std::string_view("ctx")));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(HashOf(a->get()), HashOf(b->get()));
  EXPECT_TRUE(SamePublicKey(a->get(), b->get()));
}

TEST(DeriveEcP256Key, SeedAndInfoBothMatter) {
  auto base = DeriveEcP256Key(Seed(7), AsBytes(std::string_view("ctx")));
  auto other_seed = DeriveEcP256Key(Seed(8), AsBytes(std::string_view("ctx")));
  auto other_info = DeriveEcP256Key(Seed(7), AsBytes(std::string_view("ctx2")));
  ASSERT_TRUE(base.ok() && other_seed.ok() && other_info.ok());
  EXPECT_NE(HashOf(base->get()), HashOf(other_seed->get()));
  EXPECT_NE(HashOf(base->get()), HashOf(other_info->get()));
}

TEST(DeriveEcP256Key, KeySignsAndItsPublicHalfVerifies) {
  auto key = DeriveEcP256Key(Seed(1), AsBytes(std::string_view("sign")));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Bytes msg = {1, 2, 3};
  auto sig = SignEcdsaP256Raw(key->get(), msg);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  auto spki = PublicKeySpkiDer(key->get());
  ASSERT_TRUE(spki.ok());
  auto pub = ParsePublicKeySpkiDer(*spki);
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(VerifyEcdsaP256Raw(pub->get(), msg, *sig).ok());
  // The PKCS#8 encoding round-trips to the same key.
  auto pem = PrivateKeyToPkcs8Pem(key->get());
  ASSERT_TRUE(pem.ok());
  auto parsed = ParsePrivateKeyPem(std::string_view(
      reinterpret_cast<const char*>(pem->Reveal().data()), pem->size()));  // NOLINT
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(SamePublicKey(parsed->get(), key->get()));
}

TEST(DeriveEcP256Key, ShortSeedIsRefused) {
  auto key = DeriveEcP256Key(SecretBytes::CopyFrom(Bytes(16, 1)), {});
  EXPECT_FALSE(key.ok());
}

// Each key type read with a named decoder (EC, RSA, Ed25519) and one read through the
// generic path (X25519) round-trips through PKCS#8.
TEST(ParsePkcs8PrivateKeyDer, KnownAndOtherKeyTypesRoundTrip) {
  EvpPkeyPtr keys[] = {EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")),
                       EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})),
                       EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")),
                       EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"))};
  for (const auto& key : keys) {
    ASSERT_TRUE(key);
    auto pem = PrivateKeyToPkcs8Pem(key.get());
    ASSERT_TRUE(pem.ok());
    auto parsed = ParsePrivateKeyPem(std::string_view(
        reinterpret_cast<const char*>(pem->Reveal().data()), pem->size()));  // NOLINT
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_TRUE(SamePublicKey(parsed->get(), key.get()));
    EXPECT_EQ(EVP_PKEY_get_base_id(parsed->get()), EVP_PKEY_get_base_id(key.get()));
  }
}

// The DER of a fresh P-256 key as OpenSSL writes it: 138 bytes, the private scalar at
// kScalarOffset, the stored public key (an uncompressed point) in the last 65 bytes.
constexpr size_t kScalarOffset = 36;
constexpr size_t kPointSize = 65;

Bytes FreshP256Pkcs8Der() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  auto pem = PrivateKeyToPkcs8Pem(key.get());
  auto blocks = ParsePemBlocks(std::string_view(reinterpret_cast<const char*>(pem->Reveal().data()),
                                                pem->size()));  // NOLINT
  ByteView der = blocks->front().der.Reveal();
  return Bytes(der.begin(), der.end());
}

// A key written without its public key (`openssl ec -no_public | openssl pkcs8 -topk8
// -nocrypt`); the SHA-256 of its SubjectPublicKeyInfo was computed by `openssl pkey -pubout
// -outform DER | sha256sum`.
TEST(ParsePkcs8PrivateKeyDer, P256KeyWithoutStoredPublicKeyGivesItsPublicKey) {
  constexpr std::string_view kPem =
      "-----BEGIN PRIVATE KEY-----\n"
      "MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCApV8PruQLXwps37lsB\n"
      "b7nhKukS0CVbPURKz3CR1SpOkQ==\n"
      "-----END PRIVATE KEY-----\n";
  auto key = ParsePrivateKeyPem(kPem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto spki = PublicKeySpkiDer(key->get());
  ASSERT_TRUE(spki.ok());
  EXPECT_EQ(HexEncode(Sha256(*spki)),
            "a0fab9372d4a49dc0e1f62b49c95e88b480b83038821ddee906170ba7d804fd5");
}

// A key file whose stored public key belongs to another private key is refused: it would
// otherwise show one identity and sign as another.
TEST(ParsePkcs8PrivateKeyDer, P256StoredPublicKeyOfAnotherKeyIsRefused) {
  Bytes der = FreshP256Pkcs8Der();
  const Bytes other = FreshP256Pkcs8Der();
  ASSERT_EQ(der.size(), 138u);
  ASSERT_TRUE(ParsePkcs8PrivateKeyDer(der).ok());
  std::copy(other.end() - kPointSize, other.end(), der.end() - kPointSize);
  auto key = ParsePkcs8PrivateKeyDer(der);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), Code::kInvalidArgument);
  EXPECT_NE(key.status().message().find("does not belong"), std::string::npos);
}

TEST(ParsePkcs8PrivateKeyDer, P256ScalarOutOfRangeIsRefused) {
  for (uint8_t fill : {uint8_t{0x00}, uint8_t{0xff}}) {
    Bytes der = FreshP256Pkcs8Der();
    std::fill_n(der.begin() + kScalarOffset, 32, fill);
    auto key = ParsePkcs8PrivateKeyDer(der);
    ASSERT_FALSE(key.ok());
    EXPECT_NE(key.status().message().find("out of range"), std::string::npos)
        << key.status().ToString();
  }
}

// Every truncation and every single-byte change of a valid key is either refused or (where
// the change does not touch what is checked) gives the same key; none crashes.
TEST(ParsePkcs8PrivateKeyDer, P256DamagedDerNeverGivesAnotherKey) {
  const Bytes der = FreshP256Pkcs8Der();
  auto original = ParsePkcs8PrivateKeyDer(der);
  ASSERT_TRUE(original.ok());
  for (size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(ParsePkcs8PrivateKeyDer(ByteView(der.data(), n)).ok()) << n;
  }
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_FALSE(ParsePkcs8PrivateKeyDer(trailing).ok());
  for (size_t i = 0; i < der.size(); ++i) {
    Bytes changed = der;
    changed[i] ^= 0x01;
    auto key = ParsePkcs8PrivateKeyDer(changed);
    if (key.ok()) {
      EXPECT_TRUE(SamePublicKey(key->get(), original->get())) << i;
    }
  }
}

// RFC 5869 test case 3: an empty salt and an empty info are valid inputs.
TEST(HkdfSha256, EmptySaltAndInfo) {
  auto okm = HkdfSha256(SecretBytes::CopyFrom(Bytes(22, 0x0b)), {}, {}, 42);
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  const uint8_t expected[] = {0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f, 0x71, 0x5f, 0x80,
                              0x2a, 0x06, 0x3c, 0x5a, 0x31, 0xb8, 0xa1, 0x1f, 0x5c, 0x5e, 0xe1,
                              0x87, 0x9e, 0xc3, 0x45, 0x4e, 0x5f, 0x3c, 0x73, 0x8d, 0x2d, 0x9d,
                              0x20, 0x13, 0x95, 0xfa, 0xa4, 0xb6, 0x1a, 0x96, 0xc8};
  EXPECT_EQ(Bytes(okm->Reveal().begin(), okm->Reveal().end()),
            Bytes(std::begin(expected), std::end(expected)));
}

}  // namespace
}  // namespace scone::crypto
