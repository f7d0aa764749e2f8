#include "crypto/aead.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "crypto/kdf.h"
#include "crypto/random.h"

namespace scone::crypto {
namespace {

SecretBytes Key(uint8_t fill) { return SecretBytes::CopyFrom(Bytes(32, fill)); }

TEST(AesGcm, RoundTripsWithAssociatedData) {
  const Bytes msg = ToBytes("attack at dawn");
  const Bytes aad = ToBytes("table/key");
  auto sealed = AesGcmSeal(Key(1), msg, aad);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), msg.size() + kAesGcmOverhead);
  auto opened = AesGcmOpen(Key(1), *sealed, aad);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Bytes(opened->Reveal().begin(), opened->Reveal().end()), msg);
}

TEST(AesGcm, FreshNonceEachTime) {
  auto a = AesGcmSeal(Key(1), ToBytes("x"), {});
  auto b = AesGcmSeal(Key(1), ToBytes("x"), {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(AesGcm, RejectsEveryFlippedByteWrongKeyWrongContextAndTruncation) {
  const Bytes aad = ToBytes("ctx");
  auto sealed = AesGcmSeal(Key(1), ToBytes("secret value"), aad);
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    Bytes bad = *sealed;
    bad[i] ^= 0x01;
    EXPECT_EQ(AesGcmOpen(Key(1), bad, aad).status().code(), Code::kDataLoss) << i;
  }
  EXPECT_EQ(AesGcmOpen(Key(2), *sealed, aad).status().code(), Code::kDataLoss);
  EXPECT_EQ(AesGcmOpen(Key(1), *sealed, ToBytes("other")).status().code(), Code::kDataLoss);
  for (size_t n : {size_t{0}, size_t{5}, kAesGcmOverhead - 1, sealed->size() - 1}) {
    EXPECT_EQ(AesGcmOpen(Key(1), ByteView(sealed->data(), n), aad).status().code(), Code::kDataLoss)
        << n;
  }
  EXPECT_EQ(AesGcmSeal(SecretBytes(16), ToBytes("x"), {}).status().code(), Code::kInvalidArgument);
}

// RFC 5869 test case 1.
TEST(Hkdf, KnownAnswer) {
  auto ikm = HexDecode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  auto salt = HexDecode("000102030405060708090a0b0c");
  auto info = HexDecode("f0f1f2f3f4f5f6f7f8f9");
  ASSERT_TRUE(ikm.ok() && salt.ok() && info.ok());
  auto okm = HkdfSha256(SecretBytes::CopyFrom(*ikm), *salt, *info, 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(HexEncode(okm->Reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(Random, GivesDistinctValues) {
  auto a = RandomBytes(32);
  auto b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(RandomSecret(16)->size(), 16u);
}

}  // namespace
}  // namespace scone::crypto
