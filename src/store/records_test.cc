#include "store/records.h"

#include <gtest/gtest.h>

namespace scone::store {
namespace {

SecretBytes Key(uint8_t fill) { return SecretBytes::CopyFrom(Bytes(32, fill)); }

TEST(Records, AssociatedDataIsUnambiguous) {
  EXPECT_NE(RecordAad(RecordKind::kRow, "a", "bc"), RecordAad(RecordKind::kRow, "ab", "c"));
  EXPECT_NE(RecordAad(RecordKind::kRow, "", "x"), RecordAad(RecordKind::kMeta, "", "x"));
  EXPECT_EQ(RecordAad(RecordKind::kRow, "t", "n"), RecordAad(RecordKind::kRow, "t", "n"));
}

TEST(Records, RowKeysSortByTableThenName) {
  RowDigests rows;
  for (auto [t, n] : {std::pair{"ab", "a"}, {"a", "z"}, {"a", "b"}, {"b", ""}}) {
    rows[RowKey(t, n)] = {};
  }
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& [k, v] : rows) {
    auto [t, n] = SplitRowKey(k);
    order.emplace_back(t, n);
  }
  std::vector<std::pair<std::string, std::string>> want = {
      {"a", "b"}, {"a", "z"}, {"ab", "a"}, {"b", ""}};
  EXPECT_EQ(order, want);
}

// One row, and the same row renamed, moved to another table (same bytes of table || name)
// and with another value.
struct OneRowAndVariants {
  RowDigests a, renamed, moved, changed;
};
OneRowAndVariants OneRow() {
  OneRowAndVariants v;
  v.a[RowKey("t", "x")] = crypto::Sha256(ToBytes("1"));
  v.renamed[RowKey("t", "y")] = crypto::Sha256(ToBytes("1"));
  v.moved[RowKey("tx", "")] = crypto::Sha256(ToBytes("1"));
  v.changed[RowKey("t", "x")] = crypto::Sha256(ToBytes("2"));
  return v;
}

TEST(Records, ContentDigestCoversNamesAndValues) {
  auto [a, renamed, moved, changed] = OneRow();
  EXPECT_NE(ContentDigest(a), ContentDigest(renamed));
  EXPECT_NE(ContentDigest(a), ContentDigest(changed));
  EXPECT_NE(ContentDigest(a), ContentDigest(RowDigests()));
  EXPECT_EQ(ContentDigest(a), ContentDigest(RowDigests(a)));
}

Bytes SumOf(const SecretBytes& key, const RowDigests& rows) {
  auto sum = ContentSum::Of(key, rows);
  EXPECT_TRUE(sum.ok());
  return sum.ok() ? sum->Encode() : Bytes();
}

TEST(Records, ContentSumCoversNamesValuesAndTheKey) {
  auto [a, renamed, moved, changed] = OneRow();
  EXPECT_NE(SumOf(Key(1), a), SumOf(Key(1), renamed));
  EXPECT_NE(SumOf(Key(1), a), SumOf(Key(1), moved));
  EXPECT_NE(SumOf(Key(1), a), SumOf(Key(1), changed));
  EXPECT_NE(SumOf(Key(1), a), SumOf(Key(1), RowDigests()));
  EXPECT_NE(SumOf(Key(1), a), SumOf(Key(2), a));
  EXPECT_EQ(SumOf(Key(1), a), SumOf(Key(1), RowDigests(a)));
}

// Carries and borrows across all four limbs, with terms chosen for it.
TEST(Records, ContentSumCarriesAndBorrowsAcrossEveryLimb) {
  auto sum = ContentSum::ForKey(Key(3));
  ASSERT_TRUE(sum.ok());
  const Bytes zero = sum->Encode();
  const ContentSum::Term ones = {~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}};
  const ContentSum::Term one = {1, 0, 0, 0};
  sum->Add(ones);
  sum->Add(one);  // 2^256 - 1 + 1 = 0: a carry out of every limb
  Bytes encoded = sum->Encode();
  EXPECT_EQ(Bytes(encoded.begin() + 9, encoded.end()), Bytes(zero.begin() + 9, zero.end()));
  sum->Remove(one);  // 0 - 1 = 2^256 - 1: a borrow through every limb
  encoded = sum->Encode();
  EXPECT_EQ(Bytes(encoded.begin() + 9, encoded.end()), Bytes(32, 0xff));
  sum->Remove(ones);
  EXPECT_EQ(sum->Encode(), zero);
  const ContentSum::Term high = {0, 0, 0, uint64_t{1} << 63};
  sum->Add(high);
  sum->Add(high);  // the carry out of the top limb is dropped (modulo 2^256)
  encoded = sum->Encode();
  EXPECT_EQ(Bytes(encoded.begin() + 9, encoded.end()), Bytes(32, 0));
  EXPECT_EQ(sum->count(), 2u);
}

// The sum kept row by row (adds, replacements, removals in any order, with carries and
// borrows across all limbs) equals the sum computed from scratch over what is left.
TEST(Records, ContentSumKeptRowByRowEqualsTheSumFromScratch) {
  auto sum = ContentSum::ForKey(Key(7));
  ASSERT_TRUE(sum.ok());
  const Bytes empty = sum->Encode();
  RowDigests rows;
  for (int i = 0; i < 200; ++i) {
    std::string name = "row" + std::to_string(i % 37);
    crypto::Sha256Digest value = crypto::Sha256(ToBytes(std::to_string(i)));
    std::string key = RowKey("t", name);
    auto it = rows.find(key);
    if (it != rows.end()) {
      ASSERT_TRUE(sum->Remove(key, it->second).ok());
      if (i % 3 == 0) {  // a delete
        rows.erase(it);
        continue;
      }
    }
    ASSERT_TRUE(sum->Add(key, value).ok());
    rows[key] = value;
  }
  EXPECT_EQ(sum->count(), rows.size());
  EXPECT_EQ(sum->Encode(), SumOf(Key(7), rows));
  for (const auto& [key, value] : rows) ASSERT_TRUE(sum->Remove(key, value).ok());
  EXPECT_EQ(sum->Encode(), empty);
}

TEST(Records, KeyCheckTellsOtherKeysFromDamage) {
  auto record = MakeKeyCheck(Key(1));
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(CheckKeyCheck(Key(1), *record), KeyCheck::kMatches);
  EXPECT_EQ(CheckKeyCheck(Key(2), *record), KeyCheck::kOtherKey);
  for (size_t i = kKeyIdSize; i < record->size(); ++i) {
    Bytes bad = *record;
    bad[i] ^= 0x40;
    EXPECT_EQ(CheckKeyCheck(Key(1), bad), KeyCheck::kDamaged) << i;
  }
  EXPECT_EQ(CheckKeyCheck(Key(1), ByteView(*record).first(kKeyIdSize + 3)), KeyCheck::kDamaged);
  EXPECT_EQ(CheckKeyCheck(Key(1), ByteView(*record).first(4)), KeyCheck::kDamaged);
}

}  // namespace
}  // namespace scone::store
