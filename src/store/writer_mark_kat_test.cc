// Known answers for the writer mark file (store/writer_mark.h, docs/backup.md "One writer").
// The expected bytes were computed independently of this code base by
// scripts/kat_reference.py ("writer_mark_kat_test.cc"), with a fixed nonce: the test opens
// the reference's file, and checks the product's own output field by field.
#include <gtest/gtest.h>

#include <string_view>

#include "common/hex.h"
#include "common/kat_test_util.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "store/store_test_util.h"
#include "store/writer_mark.h"

namespace scone::store {
namespace {
using scone::testing::Range;

constexpr std::string_view kHeader = "53434f4e452d574d0100030019290d7681438b33c7df91ea9632e4d0";
constexpr std::string_view kMark =
    "53434f4e452d574d0100030019290d7681438b33c7df91ea9632e4d0f0f1f2f3f4f5f6f7f8f9fafb4199c828"
    "e5407f21cb250e567b262d363908f44597ae39727edacb618fd5b70e68ae9ad6bb6646d9";

SealKeyFunction FixedSealKey() {
  return [](uint16_t) -> Result<SecretBytes> { return SecretBytes::CopyFrom(Range(0x40, 32)); };
}

WriterMark Mark() {
  WriterMark m;
  Bytes id = Range(0x10, 16);
  std::copy(id.begin(), id.end(), m.key_id.begin());
  m.generation = 0x0102030405;
  return m;
}

TEST(WriterMarkKat, OpensTheReferenceFile) {
  testing::TempDir dir;
  auto path = dir.path() / "cas.db.writer-mark";
  testing::WriteBytes(path, *HexDecode(kMark));
  auto read = ReadWriterMark(path, FixedSealKey(), 3);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->state, WriterMarkRead::State::kPresent);
  EXPECT_EQ(read->mark, Mark());
}

TEST(WriterMarkKat, WritesTheReferenceHeaderAndPayload) {
  auto seal = FixedSealKey()(3);
  ASSERT_TRUE(seal.ok());
  auto mine = EncodeWriterMark(*seal, 3, Mark());
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), kWriterMarkSize);
  EXPECT_EQ(HexEncode(ByteView(*mine).first(28)), kHeader);
  auto key = crypto::HkdfSha256(*seal, AsBytes(std::string_view("scone-store")),
                                AsBytes(std::string_view("scone-store writer-mark key v1")), 32);
  ASSERT_TRUE(key.ok());
  auto payload = crypto::AesGcmOpen(*key, ByteView(*mine).subspan(28), ByteView(*mine).first(28));
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(HexEncode(payload->Reveal()), "101112131415161718191a1b1c1d1e1f0504030201000000");
}

}  // namespace
}  // namespace scone::store
