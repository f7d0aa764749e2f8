#include "crypto/mac.h"

#include <gtest/gtest.h>

#include "common/hex.h"

namespace scone::crypto {
namespace {

// RFC 4231, test cases 1 and 2.
TEST(HmacSha256, Rfc4231Vectors) {
  auto one = HmacSha256(SecretBytes::CopyFrom(Bytes(20, 0x0b)), AsBytes("Hi There"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(HexEncode(*one), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  auto two =
      HmacSha256(SecretBytes::CopyFrom(AsBytes("Jefe")), AsBytes("what do ya want for nothing?"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(HexEncode(*two), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, EmptyMessage) {
  // RFC 4231 has no empty-message case; this value is Python's
  // hmac.new(bytes(32), b"", hashlib.sha256).hexdigest().
  auto mac = HmacSha256(SecretBytes::CopyFrom(Bytes(32, 0)), ByteView());
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(HexEncode(*mac), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace scone::crypto
