// The writer record (writer_record.h) and the writer mark (writer_mark.h): "one writer" across
// machines (docs/backup.md).
#include <gtest/gtest.h>

#include "common/byte_io.h"
#include "common/hex.h"
#include "store/store_test_util.h"
#include "store/writer_mark.h"
#include "store/writer_record.h"

namespace scone::store {
namespace {
using testing::PlatformSealKeys;
using testing::ReadBytes;
using testing::StoreFixture;
using testing::WriteBytes;

WriterRecord Record() {
  WriterRecord r;
  r.key_id.fill(0xab);
  r.generation = 7;
  r.instance = "3s1pm8W6Be6cxvAQRbRP5YXd9YuERAr7KswN97uGtoPkRW87x1";
  r.opened_at = 1700000000;
  return r;
}

TEST(WriterRecordTest, EncodesTheDocumentedLayout) {
  auto bytes = EncodeWriterRecord(Record());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  Bytes expected(std::begin("SCONE-WR"), std::end("SCONE-WR") - 1);
  PutU16(expected, 1);
  expected.insert(expected.end(), 16, 0xab);
  PutU64(expected, 7);
  PutU64(expected, 1700000000);
  PutU16(expected, 50);
  PutBytes(expected, AsBytes(Record().instance));
  EXPECT_EQ(HexEncode(*bytes), HexEncode(expected));
  auto back = DecodeWriterRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Record());
}

TEST(WriterRecordTest, RejectsEveryTruncationAndTrailingBytes) {
  Bytes good = *EncodeWriterRecord(Record());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(DecodeWriterRecord(ByteView(good).first(n)).status().code(), Code::kInvalidArgument)
        << n;
  }
  Bytes longer = good;
  longer.push_back('x');
  EXPECT_EQ(DecodeWriterRecord(longer).status().code(), Code::kInvalidArgument);
  Bytes magic = good;
  magic[0] ^= 1;
  EXPECT_EQ(DecodeWriterRecord(magic).status().code(), Code::kInvalidArgument);
  Bytes version = good;
  version[8] = 2;
  EXPECT_EQ(DecodeWriterRecord(version).status().code(), Code::kInvalidArgument);
}

TEST(WriterRecordTest, RejectsInstanceIdsThatAreEmptyLongOrUnprintable) {
  for (std::string bad : {std::string(), std::string(129, 'a'), std::string("a b"),
                          std::string("a\nb"), std::string("\x7f")}) {
    WriterRecord r = Record();
    r.instance = bad;
    EXPECT_EQ(EncodeWriterRecord(r).status().code(), Code::kInvalidArgument) << bad;
  }
}

class StoreWriterTest : public StoreFixture {};

TEST_F(StoreWriterTest, RecordIsARowOfTheStoreBoundToItsKey) {
  auto store = Open();
  ASSERT_TRUE(store);
  auto none = ReadWriterRecord(*store);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  WriterRecord r = Record();
  r.key_id = *store->key_id();
  ASSERT_TRUE(WriteWriterRecord(*store, r).ok());
  store.reset();
  store = Open();
  ASSERT_TRUE(store);
  auto back = ReadWriterRecord(*store);
  ASSERT_TRUE(back.ok() && back->has_value()) << back.status().ToString();
  EXPECT_EQ(**back, r);
  // A record naming another key is refused.
  r.key_id[0] ^= 1;
  ASSERT_TRUE(WriteWriterRecord(*store, r).ok());
  EXPECT_EQ(ReadWriterRecord(*store).status().code(), Code::kDataLoss);
}

TEST_F(StoreWriterTest, MarkRoundTripsAndIsAbsentUntilWritten) {
  auto store = Open();
  ASSERT_TRUE(store);
  auto absent = store->ReadWriterMark();
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(absent->state, WriterMarkRead::State::kAbsent);
  ASSERT_TRUE(store->WriteWriterMark(5).ok());
  auto read = store->ReadWriterMark();
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->state, WriterMarkRead::State::kPresent);
  EXPECT_EQ(read->mark.generation, 5u);
  EXPECT_EQ(read->mark.key_id, *store->key_id());
  EXPECT_EQ(ReadBytes(WriterMarkPath(db())).size(), kWriterMarkSize);
}

TEST_F(StoreWriterTest, MarkOfAnotherPlatformCountsAsForeign) {
  WriterMark mark;
  mark.generation = 9;
  ASSERT_TRUE(WriteWriterMark(WriterMarkPath(db()), PlatformSealKeys(2), 0, mark).ok());
  auto read = ReadWriterMark(WriterMarkPath(db()), PlatformSealKeys(1), 0);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->state, WriterMarkRead::State::kForeign);
}

TEST_F(StoreWriterTest, TruncatedOrChangedMarkIsRefusedAndLeftAsItIs) {
  const auto path = WriterMarkPath(db());
  WriterMark mark;
  mark.generation = 3;
  ASSERT_TRUE(WriteWriterMark(path, PlatformSealKeys(1), 0, mark).ok());
  const Bytes good = ReadBytes(path);
  // Every truncation, and every flipped byte outside the platform tag: kDataLoss naming the
  // file; the file is not replaced or removed.
  for (size_t n = 0; n < good.size(); ++n) {
    WriteBytes(path, ByteView(good).first(n));
    auto read = ReadWriterMark(path, PlatformSealKeys(1), 0);
    ASSERT_EQ(read.status().code(), Code::kDataLoss) << n;
    EXPECT_NE(read.status().message().find(path.string()), std::string::npos);
    EXPECT_EQ(ReadBytes(path).size(), n);
  }
  for (size_t i = 0; i < good.size(); ++i) {
    if (i >= 12 && i < 28) continue;   // the platform tag: see below
    if (i == 10 || i == 11) continue;  // the ISVSVN: see below
    Bytes bad = good;
    bad[i] ^= 0x01;
    WriteBytes(path, bad);
    EXPECT_EQ(ReadWriterMark(path, PlatformSealKeys(1), 0).status().code(), Code::kDataLoss) << i;
    EXPECT_EQ(ReadBytes(path), bad);
  }
  // A changed platform tag makes the mark another platform's: no more than removing it.
  Bytes tag = good;
  tag[20] ^= 0x01;
  WriteBytes(path, tag);
  EXPECT_EQ(ReadWriterMark(path, PlatformSealKeys(1), 0)->state, WriterMarkRead::State::kForeign);
  // A raised ISVSVN is refused before anything is unsealed.
  Bytes svn = good;
  svn[10] = 1;
  WriteBytes(path, svn);
  EXPECT_EQ(ReadWriterMark(path, PlatformSealKeys(1), 0).status().code(),
            Code::kFailedPrecondition);
}

TEST_F(StoreWriterTest, MarkSealedByAnOlderCasOpensInANewerOne) {
  const auto path = WriterMarkPath(db());
  WriterMark mark;
  mark.generation = 4;
  ASSERT_TRUE(WriteWriterMark(path, PlatformSealKeys(1, 1), 1, mark).ok());
  auto read = ReadWriterMark(path, PlatformSealKeys(1, 3), 3);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->state, WriterMarkRead::State::kPresent);
  EXPECT_EQ(read->mark.generation, 4u);
}

}  // namespace
}  // namespace scone::store
