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

TEST(Records, ContentDigestCoversNamesAndValues) {
  RowDigests a;
  a[RowKey("t", "x")] = crypto::Sha256(ToBytes("1"));
  RowDigests renamed;
  renamed[RowKey("t", "y")] = crypto::Sha256(ToBytes("1"));
  RowDigests changed;
  changed[RowKey("t", "x")] = crypto::Sha256(ToBytes("2"));
  EXPECT_NE(ContentDigest(a), ContentDigest(renamed));
  EXPECT_NE(ContentDigest(a), ContentDigest(changed));
  EXPECT_NE(ContentDigest(a), ContentDigest(RowDigests()));
  EXPECT_EQ(ContentDigest(a), ContentDigest(RowDigests(a)));
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
