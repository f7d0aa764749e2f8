// Known answers for the key-store file (store/key_store.h, docs/store.md). A change of the
// magic, the version, the field order or the associated data fails here, where a round trip
// would pass (and every existing CAS database would stop opening).
//
// The expected values were computed independently of this code base by
// scripts/kat_reference.py from the layout in docs/store.md, with AES-256-GCM from Python's
// `cryptography` and a fixed nonce (the product draws it at random):
//   header    = "SCONE-KS" || u16le 1 || u16le key ISVSVN          (12 bytes)
//   key-store = header || nonce (12) || AES-256-GCM(seal key, database key, aad = header)
//               || tag (16)                                         (72 bytes)
// Seal key 40 41 .. 5f, database key 80 81 .. 9f, key ISVSVN 0x0102, nonce d0 d1 .. db.
#include <gtest/gtest.h>

#include <string_view>

#include "common/hex.h"
#include "common/kat_test_util.h"
#include "crypto/aead.h"
#include "store/key_store.h"

namespace scone::store {
namespace {
using scone::testing::Hex;

SecretBytes Counting(uint8_t first) {
  Bytes key(32);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(first + i);
  return SecretBytes::CopyFrom(key);
}

SecretBytes SealKey() { return Counting(0x40); }
SecretBytes DatabaseKey() { return Counting(0x80); }

constexpr std::string_view kHeader = "53434f4e452d4b5301000201";
constexpr std::string_view kReferenceKeyStore =
    "53434f4e452d4b5301000201d0d1d2d3d4d5d6d7d8d9dadb5f4d545472d263d479c2a0042cc06bf53c304e25"
    "d0b4ac7c44db18d71bd358e457a56b63b2636feb1abe8bcfd8334685";

TEST(KeyStoreKat, OpensTheReferenceKeyStore) {
  auto ks = KeyStore::Parse("ks", Hex(kReferenceKeyStore));
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  EXPECT_EQ(ks->key_isvsvn(), 0x0102);
  auto key = ks->Unseal(SealKey());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(*key == DatabaseKey());
}

TEST(KeyStoreKat, UnsealWithAsksForTheRecordedIsvsvn) {
  auto ks = KeyStore::Parse("ks", Hex(kReferenceKeyStore));
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  uint16_t asked = 0;
  auto key = ks->UnsealWith(
      [&asked](uint16_t svn) -> Result<SecretBytes> {
        asked = svn;
        return SealKey();
      },
      0x0200);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(asked, 0x0102);
  EXPECT_TRUE(*key == DatabaseKey());
}

// EncodeKeyStore draws a random nonce: its output is checked field by field.
TEST(KeyStoreKat, EncodeWritesTheDocumentedLayout) {
  auto content = EncodeKeyStore(SealKey(), 0x0102, DatabaseKey());
  ASSERT_TRUE(content.ok()) << content.status().ToString();
  ByteView c(*content);
  ASSERT_EQ(c.size(), 72u);
  EXPECT_EQ(HexEncode(c.first(12)), kHeader);
  auto key = crypto::AesGcmOpen(SealKey(), c.subspan(12), Hex(kHeader));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(*key == DatabaseKey());
}

}  // namespace
}  // namespace scone::store
