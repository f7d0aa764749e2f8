// Known answers for the stored form of secret values (secrets/value.h, docs/secrets.md
// "Stored form"). A change of the bytes fails here, where a round trip would pass (and
// every stored session's values would stop reading).
//
// The expected bytes were printed by scripts/kat_reference.py from the layout in
// docs/secrets.md, independently of this code:
//   "SCONE-SECRETS" || u16le 1 || u32le count || per secret in byte order of its name:
//   u32le len(name) || name || u8 kind || u32le len(material) || material
//   || u32le chain count || (u32le len || DER)*
#include <gtest/gtest.h>

#include "common/hex.h"
#include "secrets/value.h"

namespace scone::secrets {
namespace {

constexpr std::string_view kThree =
    "53434f4e452d534543524554530100030000000300000062696e0204000000deadbeef0000000004000000636572"
    "7405030000004b4559020000000300000030010003000000300101020000007077010700000068756e7465723200"
    "000000";
constexpr std::string_view kEmpty = "53434f4e452d53454352455453010000000000";

SecretValues Three() {
  SecretValues v;
  v["pw"] = {sdl::SecretKind::kAscii, SecretBytes::CopyFrom(AsBytes("hunter2")), {}};
  v["bin"] = {sdl::SecretKind::kBinary, SecretBytes::CopyFrom(Bytes{0xde, 0xad, 0xbe, 0xef}), {}};
  v["cert"] = {sdl::SecretKind::kX509,
               SecretBytes::CopyFrom(AsBytes("KEY")),
               {Bytes{0x30, 0x01, 0x00}, Bytes{0x30, 0x01, 0x01}}};
  return v;
}

TEST(ValueKat, SerializesToTheReferenceBytes) {
  auto s = SerializeValues(Three());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(HexEncode(s->Reveal()), kThree);
  auto e = SerializeValues({});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(HexEncode(e->Reveal()), kEmpty);
}

TEST(ValueKat, ParsesTheReferenceBytes) {
  auto v = ParseValues(*HexDecode(kThree));
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ(AsChars(v->at("pw").material.Reveal()), "hunter2");
  EXPECT_EQ(v->at("cert").kind, sdl::SecretKind::kX509);
  EXPECT_EQ(v->at("cert").chain, (std::vector<Bytes>{{0x30, 0x01, 0x00}, {0x30, 0x01, 0x01}}));
  EXPECT_EQ(HexEncode(v->at("bin").material.Reveal()), "deadbeef");
}

TEST(ValueKat, EveryTruncationAndTrailingByteIsRefused) {
  Bytes good = *HexDecode(kThree);
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(ParseValues(ByteView(good.data(), n)).status().code(), Code::kInvalidArgument) << n;
  }
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_EQ(ParseValues(longer).status().code(), Code::kInvalidArgument);
}

TEST(ValueKat, BadHeaderKindOrderAndChainAreRefused) {
  const Bytes good = *HexDecode(kThree);
  auto patched = [&](size_t at, uint8_t v) {
    Bytes b = good;
    b[at] = v;
    return ParseValues(b).status().code();
  };
  EXPECT_EQ(patched(0, 'X'), Code::kInvalidArgument);   // magic
  EXPECT_EQ(patched(13, 2), Code::kInvalidArgument);    // version 2
  EXPECT_EQ(patched(26, 7), Code::kInvalidArgument);    // kind of "bin": unknown
  EXPECT_EQ(patched(26, 5), Code::kInvalidArgument);    // binary with no chain as x509
  EXPECT_EQ(patched(23, 'z'), Code::kInvalidArgument);  // "zin" after "cert": order
  // Every single-bit flip either is refused or reads as something else, never crashes.
  for (size_t i = 0; i < good.size(); ++i) {
    Bytes b = good;
    b[i] ^= 0x01;
    (void)ParseValues(b);
  }
}

TEST(ValueKat, RoundTripsGeneratedShapes) {
  auto s = SerializeValues(Three());
  ASSERT_TRUE(s.ok());
  auto back = ParseValues(s->Reveal());
  ASSERT_TRUE(back.ok());
  auto again = SerializeValues(*back);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == *s);
}

}  // namespace
}  // namespace scone::secrets
