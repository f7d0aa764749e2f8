#include "common/byte_io.h"

#include <gtest/gtest.h>

namespace scone {
namespace {

TEST(ByteIo, RoundTripsLittleEndianFields) {
  Bytes b;
  PutU16(b, 0x1234);
  PutU32(b, 0xdeadbeef);
  PutU64(b, 0x0102030405060708);
  PutBytes(b, Bytes{9, 9});
  EXPECT_EQ(b[0], 0x34);
  ByteReader r("test", b);
  uint16_t a = 0;
  uint32_t c = 0;
  uint64_t d = 0;
  ByteArray<2> e{};
  ASSERT_TRUE(r.U16("a", a).ok());
  ASSERT_TRUE(r.U32("c", c).ok());
  ASSERT_TRUE(r.U64("d", d).ok());
  ASSERT_TRUE(r.Array("e", e).ok());
  EXPECT_EQ(a, 0x1234);
  EXPECT_EQ(c, 0xdeadbeef);
  EXPECT_EQ(d, 0x0102030405060708u);
  EXPECT_EQ(e[1], 9);
  EXPECT_TRUE(r.End().ok());
}

TEST(ByteIo, RefusesReadsPastTheEndAndTrailingBytes) {
  Bytes b{1, 2, 3};
  ByteReader r("thing", b);
  uint32_t v = 0;
  Status s = r.U32("field", v);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("field needs 4 bytes at offset 0, only 3 left"), std::string::npos);
  uint16_t w = 0;
  ASSERT_TRUE(r.U16("w", w).ok());
  EXPECT_EQ(r.End().code(), Code::kInvalidArgument);
  ByteView span;
  EXPECT_FALSE(r.Span("s", 2, span).ok());
  EXPECT_TRUE(r.Span("s", 1, span).ok());
  EXPECT_TRUE(r.End().ok());
}

}  // namespace
}  // namespace scone
