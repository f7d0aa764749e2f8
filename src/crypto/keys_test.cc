#include "crypto/keys.h"

#include <gtest/gtest.h>

#include "crypto/ecdsa.h"
#include "crypto/kdf.h"
#include "crypto/key_hash.h"

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
