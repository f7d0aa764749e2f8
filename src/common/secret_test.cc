#include "common/secret.h"

#include <gtest/gtest.h>

namespace scone {
namespace {

TEST(SecretBytes, CopiesAndComparesInConstantTime) {
  const uint8_t a[] = {1, 2, 3};
  const uint8_t b[] = {1, 2, 4};
  SecretBytes s = SecretBytes::CopyFrom(a);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s == SecretBytes::CopyFrom(a));
  EXPECT_FALSE(s == SecretBytes::CopyFrom(b));
  EXPECT_FALSE(s == SecretBytes(2));
}

TEST(ConstantTimeEquals, ComparesLengthAndContent) {
  const uint8_t a[] = {1, 2, 3};
  const uint8_t b[] = {1, 2};
  EXPECT_TRUE(ConstantTimeEquals(a, a));
  EXPECT_FALSE(ConstantTimeEquals(a, b));
  EXPECT_TRUE(ConstantTimeEquals({}, {}));
}

}  // namespace
}  // namespace scone
