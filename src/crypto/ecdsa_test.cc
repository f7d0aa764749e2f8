#include "crypto/ecdsa.h"

#include <gtest/gtest.h>

#include "crypto/keys.h"

namespace scone::crypto {
namespace {

TEST(EcdsaP256Raw, SignsAndVerifies) {
  auto key = GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  const Bytes msg = ToBytes("message");
  auto sig = SignEcdsaP256Raw(key->get(), msg);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifyEcdsaP256Raw(key->get(), msg, *sig).ok());

  auto raw = EcP256PublicKeyToRaw(key->get());
  ASSERT_TRUE(raw.ok());
  auto pub = EcP256PublicKeyFromRaw(*raw);
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(VerifyEcdsaP256Raw(pub->get(), msg, *sig).ok());
}

TEST(EcdsaP256Raw, RejectsFlippedBits) {
  auto key = GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  Bytes msg = ToBytes("message");
  auto sig = SignEcdsaP256Raw(key->get(), msg);
  ASSERT_TRUE(sig.ok());
  for (size_t i = 0; i < sig->size(); i += 7) {
    auto bad = *sig;
    bad[i] ^= 0x01;
    EXPECT_EQ(VerifyEcdsaP256Raw(key->get(), msg, bad).code(), Code::kVerificationFailed);
  }
  msg[0] ^= 0x80;
  EXPECT_EQ(VerifyEcdsaP256Raw(key->get(), msg, *sig).code(), Code::kVerificationFailed);
  EXPECT_EQ(VerifyEcdsaP256Raw(key->get(), msg, ByteView(sig->data(), 63)).code(),
            Code::kVerificationFailed);
}

TEST(EcdsaP256Raw, RejectsPointNotOnCurve) {
  Bytes xy(64, 0x01);
  EXPECT_EQ(EcP256PublicKeyFromRaw(xy).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(EcP256PublicKeyFromRaw(Bytes(63, 0)).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone::crypto
