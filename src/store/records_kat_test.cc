// Known answers for the store's records (store/records.h, docs/store.md): the associated data
// that binds a value to its row, the key id, the key-check record, a row value and the content
// digest. A change of any of them fails here, where a round trip through the store would pass
// (and every existing database would stop opening).
//
// The expected values were computed independently of this code base by
// scripts/kat_reference.py from the layout in docs/store.md: hashlib/hmac for SHA-256 and
// HKDF-SHA256 (RFC 5869, written out), AES-256-GCM from Python's `cryptography` with fixed
// nonces (the product draws them at random):
//   aad        = "scone-store v1" || kind (1 kv, 2 meta) || u32le len(table) || table
//                || u32le len(name) || name
//   key id     = HKDF-SHA256(key, salt "scone-store", info "scone-store key id v1", 16)
//   key-check  = key id || nonce || AES-256-GCM(key, "scone-store key-check v1",
//                                               aad(meta, "", "key-check")) || tag
//   row value  = nonce || AES-256-GCM(key, value, aad(kv, table, name)) || tag
//   digest     = SHA-256("scone-store content v1" || u64le row count || for each row in byte
//                order of (table, name): u32le len(table) || table || u32le len(name) || name
//                || SHA-256(stored value))
//   digest v2  = 0x02 || u64le row count || (sum mod 2^256, little-endian, of HMAC-SHA256(T,
//                u32le len(table) || table || u32le len(name) || name || SHA-256(stored value))
//                over the rows), T = HKDF-SHA256(key, salt "scone-store",
//                info "scone-store content key v2", 32)
// Database key: 80 81 .. 9f.
#include <gtest/gtest.h>

#include <string_view>

#include "common/hex.h"
#include "common/kat_test_util.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "store/records.h"

namespace scone::store {
namespace {
using scone::testing::Hex;

SecretBytes DatabaseKey() {
  Bytes key(32);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(0x80 + i);
  return SecretBytes::CopyFrom(key);
}

constexpr std::string_view kKeyId = "00c1701f091b94e86c4698929e9827f4";
constexpr std::string_view kKeyCheckAad =
    "73636f6e652d73746f72652076310200000000090000006b65792d636865636b";

TEST(RecordsKat, AssociatedData) {
  EXPECT_EQ(HexEncode(RecordAad(RecordKind::kRow, "sessions", "alpha")),
            "73636f6e652d73746f7265207631010800000073657373696f6e7305000000616c706861");
  EXPECT_EQ(HexEncode(RecordAad(RecordKind::kMeta, "", kKeyCheckName)), kKeyCheckAad);
}

TEST(RecordsKat, KeyId) {
  auto id = KeyId(DatabaseKey());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(HexEncode(*id), kKeyId);
}

TEST(RecordsKat, AcceptsTheReferenceKeyCheck) {
  Bytes record =
      Hex("00c1701f091b94e86c4698929e9827f4c0c1c2c3c4c5c6c7c8c9cacb175fefecd98090b76d5d526f29c449"
          "1d4aa96f2289208464b16855a1ca6ffdcb463a9593acb46b1a");
  EXPECT_EQ(CheckKeyCheck(DatabaseKey(), record), KeyCheck::kMatches);
}

// MakeKeyCheck draws a random nonce: its output is checked field by field.
TEST(RecordsKat, MakeKeyCheckWritesTheDocumentedLayout) {
  auto record = MakeKeyCheck(DatabaseKey());
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  ByteView r(*record);
  ASSERT_EQ(r.size(), kKeyIdSize + crypto::kAesGcmOverhead + 24);
  EXPECT_EQ(HexEncode(r.first(kKeyIdSize)), kKeyId);
  auto opened = crypto::AesGcmOpen(DatabaseKey(), r.subspan(kKeyIdSize), Hex(kKeyCheckAad));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsChars(opened->Reveal()), "scone-store key-check v1");
}

// A kv value as the store writes it (AES-GCM under the database key, bound to its row) opens
// with the associated data RecordAad makes, and with no other row's.
TEST(RecordsKat, OpensTheReferenceRowValue) {
  Bytes value =
      Hex("b0b1b2b3b4b5b6b7b8b9babb014420f08e5f5ee712e3df86878ed22c6a8c89a0feb6bebf83238d16b017ed");
  auto opened =
      crypto::AesGcmOpen(DatabaseKey(), value, RecordAad(RecordKind::kRow, "sessions", "alpha"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsChars(opened->Reveal()), "session body v1");
  EXPECT_FALSE(
      crypto::AesGcmOpen(DatabaseKey(), value, RecordAad(RecordKind::kRow, "sessions", "beta"))
          .ok());
  EXPECT_FALSE(
      crypto::AesGcmOpen(DatabaseKey(), value, RecordAad(RecordKind::kMeta, "sessions", "alpha"))
          .ok());
}

TEST(RecordsKat, ContentDigest) {
  EXPECT_EQ(HexEncode(ContentDigest({})),
            "968d563f4afe057687a98d49ebbd9958927c79ed1052294f980d0305d94889a9");
  RowDigests rows;
  rows[RowKey("sessions", "alpha")] = crypto::Sha256(AsBytes("a"));
  rows[RowKey("sessions", "beta")] = crypto::Sha256(AsBytes("b"));
  rows[RowKey("keys", "k")] = crypto::Sha256(AsBytes("c"));
  EXPECT_EQ(HexEncode(ContentDigest(rows)),
            "996c41544cb3890deb4fb26304e6d3ad2b7dcf94060b9fa571a5856b7f27c9af");
}

TEST(RecordsKat, ContentDigestV2) {
  auto empty = ContentSum::ForKey(DatabaseKey());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(HexEncode(empty->Encode()), "02" + std::string(80, '0'));
  RowDigests rows;
  rows[RowKey("sessions", "alpha")] = crypto::Sha256(AsBytes("a"));
  rows[RowKey("sessions", "beta")] = crypto::Sha256(AsBytes("b"));
  rows[RowKey("keys", "k")] = crypto::Sha256(AsBytes("c"));
  auto sum = ContentSum::Of(DatabaseKey(), rows);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(HexEncode(sum->Encode()),
            "020300000000000000dd1dfc1ba6105f5d1b5313be97132c880f2c17e1241f15791dca123a65f412dc");
}

}  // namespace
}  // namespace scone::store
