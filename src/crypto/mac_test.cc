#include "crypto/mac.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

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

// One keyed context, many messages: each Mac starts from the key alone, whatever came before,
// also when copies of the key are used from several threads at once.
TEST(HmacSha256Key, EachMacStartsFromTheKey) {
  auto key = HmacSha256Key::Create(SecretBytes::CopyFrom(AsBytes("Jefe")));
  ASSERT_TRUE(key.ok());
  for (int i = 0; i < 3; ++i) {
    auto two = key->Mac(AsBytes("what do ya want for nothing?"));
    ASSERT_TRUE(two.ok());
    EXPECT_EQ(HexEncode(*two), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  HmacSha256Key copy = *key;
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const HmacSha256Key& k = t % 2 == 0 ? *key : copy;
      for (int i = 0; i < 200; ++i) {
        auto mac = k.Mac(AsBytes("what do ya want for nothing?"));
        if (mac.ok() &&
            HexEncode(*mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") {
          ++right;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(right.load(), 800);
  auto empty = HmacSha256Key::Create(SecretBytes::CopyFrom(Bytes(32, 0)));
  ASSERT_TRUE(empty.ok());
  auto mac = empty->Mac(ByteView());
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(HexEncode(*mac), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace scone::crypto
