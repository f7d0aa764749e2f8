#include "store/key_store.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace scone::store {
namespace {

using testing::PlatformSealKeys;

SecretBytes DbKey(uint8_t fill = 7) { return SecretBytes::CopyFrom(Bytes(32, fill)); }

Bytes Sealed(uint8_t platform, uint16_t svn) {
  auto content = SealKeyStore(PlatformSealKeys(platform), svn, DbKey());
  EXPECT_TRUE(content.ok()) << content.status().ToString();
  return content.ok() ? *content : Bytes();
}

TEST(KeyStore, RoundTripsAndRecordsTheIsvsvn) {
  Bytes content = Sealed(1, 0x0203);
  ASSERT_EQ(content.size(), kKeyStoreSize);
  EXPECT_EQ(AsChars(ByteView(content).first(8)), "SCONE-KS");
  EXPECT_EQ(content[8], 1);  // format version, little-endian
  EXPECT_EQ(content[9], 0);
  EXPECT_EQ(content[10], 0x03);  // key ISVSVN, little-endian
  EXPECT_EQ(content[11], 0x02);
  auto ks = KeyStore::Parse("ks", content);
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  EXPECT_EQ(ks->key_isvsvn(), 0x0203);
  auto key = ks->UnsealWith(PlatformSealKeys(1), 0x0203);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(*key == DbKey());
}

TEST(KeyStore, AnotherPlatformCannotUnseal) {
  auto ks = KeyStore::Parse("ks", Sealed(1, 0));
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(ks->UnsealWith(PlatformSealKeys(2), 0).status().code(), Code::kDataLoss);
}

TEST(KeyStore, RejectsEveryFlippedByte) {
  Bytes good = Sealed(1, 4);
  for (size_t i = 0; i < good.size(); ++i) {
    for (int bit : {0x01, 0x80}) {
      Bytes bad = good;
      bad[i] = static_cast<uint8_t>(bad[i] ^ bit);
      auto ks = KeyStore::Parse("ks", bad);
      if (!ks.ok()) {
        EXPECT_EQ(ks.status().code(), Code::kDataLoss) << i;
        continue;
      }
      auto key = ks->UnsealWith(PlatformSealKeys(1), 0xffff);
      ASSERT_FALSE(key.ok()) << i;
      EXPECT_EQ(key.status().code(), Code::kDataLoss) << i;
    }
  }
}

TEST(KeyStore, RejectsTruncationAndTrailingBytes) {
  Bytes good = Sealed(1, 0);
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(KeyStore::Parse("ks", ByteView(good).first(n)).status().code(), Code::kDataLoss) << n;
  }
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_EQ(KeyStore::Parse("ks", longer).status().code(), Code::kDataLoss);
}

TEST(KeyStore, RefusesANewerIsvsvnWithoutAskingThePlatform) {
  auto ks = KeyStore::Parse("ks", Sealed(1, 5));
  ASSERT_TRUE(ks.ok());
  auto asked = std::make_shared<std::vector<uint16_t>>();
  auto key = ks->UnsealWith(PlatformSealKeys(1, 0xffff, asked), 4);
  EXPECT_EQ(key.status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(asked->empty());
}

TEST(KeyStore, AsksForTheRecordedLowerIsvsvn) {
  auto ks = KeyStore::Parse("ks", Sealed(1, 2));
  ASSERT_TRUE(ks.ok());
  auto asked = std::make_shared<std::vector<uint16_t>>();
  auto key = ks->UnsealWith(PlatformSealKeys(1, 9, asked), 9);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*asked, std::vector<uint16_t>{2});
}

TEST(KeyStore, PassesOnSealKeyFailuresAndRejectsBadKeySizes) {
  SealKeyFunction unavailable = [](uint16_t) -> Result<SecretBytes> {
    return Status(Code::kUnavailable, "las is down");
  };
  EXPECT_EQ(SealKeyStore(unavailable, 0, DbKey()).status().code(), Code::kUnavailable);
  SealKeyFunction short_key = [](uint16_t) -> Result<SecretBytes> { return SecretBytes(16); };
  EXPECT_FALSE(SealKeyStore(short_key, 0, DbKey()).ok());
  EXPECT_EQ(SealKeyStore(PlatformSealKeys(1), 0, SecretBytes(31)).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone::store
