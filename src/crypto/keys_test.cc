#include "crypto/keys.h"

#include <gtest/gtest.h>

#include "crypto/ecdsa.h"
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

}  // namespace
}  // namespace scone::crypto
