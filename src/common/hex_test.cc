#include "common/hex.h"

#include <gtest/gtest.h>

namespace scone {
namespace {

TEST(Hex, EncodesLowerCase) {
  const uint8_t data[] = {0x00, 0x0f, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "000fabff");
  EXPECT_EQ(HexEncode({}), "");
}

TEST(Hex, DecodesEitherCase) {
  auto r = HexDecode("00Abff");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Bytes{0x00, 0xab, 0xff}));
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_EQ(HexDecode("abc").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(HexDecode("zz").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(HexDecode("0g").status().code(), Code::kInvalidArgument);
}

TEST(Hex, ChecksExpectedSize) {
  EXPECT_TRUE(HexDecode("abcd", 2).ok());
  EXPECT_EQ(HexDecode("abcd", 3).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone
