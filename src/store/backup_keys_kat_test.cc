// Known answers for the backup entry's associated data and key wrapping (store/backup_keys.h,
// docs/backup.md "Protocol" step 5): a change of the label, a field, its order or its length
// prefix fails here, where a wrap and an unwrap by the same code would not notice.
//
// The expected bytes were computed independently of this code base by
// scripts/kat_reference.py ("backup_keys_kat_test.cc"): the AAD from its documentation,
// KEK = HKDF-SHA256(shared secret, salt "scone-cas-backup-wrap v1", info = AAD, 32) with a
// fixed shared secret in place of the ECDH output, and the database key wrapped under it with
// a fixed nonce.
#include <gtest/gtest.h>

#include <string_view>

#include "common/hex.h"
#include "common/kat_test_util.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "store/backup_keys.h"

namespace scone::store {
namespace {
using scone::testing::Hex;
using scone::testing::Range;

constexpr std::string_view kSpkiA =
    "3059301306072a8648ce3d020106082a8648ce3d0301070342000486581206d910eba972345fd94b82e77e"
    "19dae5b3973c68164b864394ae1ed4b2bae6a6c9e77afce6aa4796cd1f2a29fb24e63778b0ed575cc30bc3"
    "edf8f5a712";
constexpr std::string_view kSpkiB =
    "3059301306072a8648ce3d020106082a8648ce3d03010703420004ee975525e2bd9c72d25d50a3f0440dc1"
    "de114501524c3d6d2dd8a9cb5cc9847c77677a9229b6b7a860d87a980e0acac53809545fddf49ccca90628"
    "c8640ff4db";

constexpr std::string_view kAad =
    "73636f6e652d6361732d6261636b75702d656e7472792076310010000000101112131415161718191a1b1c1d"
    "1e1f130000006261636b75702e6578616d706c653a383038312000000022222222222222222222222222222222"
    "222222222222222222222222222222222900030000080000005570546f44617465030020000000202122232425"
    "262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f5b0000003059301306072a8648ce3d020106"
    "082a8648ce3d0301070342000486581206d910eba972345fd94b82e77e19dae5b3973c68164b864394ae1ed4"
    "b2bae6a6c9e77afce6aa4796cd1f2a29fb24e63778b0ed575cc30bc3edf8f5a7125b0000003059301306072a"
    "8648ce3d020106082a8648ce3d03010703420004ee975525e2bd9c72d25d50a3f0440dc1de114501524c3d6d"
    "2dd8a9cb5cc9847c77677a9229b6b7a860d87a980e0acac53809545fddf49ccca90628c8640ff4db00f15365"
    "00000000";
constexpr std::string_view kKek =
    "561adaac9450b7b8171a29fd0bab284be3afa240a8d72f7c08a86307abdec188";
constexpr std::string_view kWrapped =
    "e0e1e2e3e4e5e6e7e8e9eaeb8ce8d17e4b726381eaf3b01f1f1d4eb102bac03322a09a2de351a6f6e18216ca"
    "cf886c5a13bfc1db5b398968d2be2ce4";

BackupEntry Entry() {
  BackupEntry e;
  e.address = "backup.example:8081";
  e.identity.mrsigner.fill(0x22);
  e.identity.isvprodid = 41;
  e.identity.isvsvn = 3;
  e.identity.debug = false;
  e.tcb_status = "UpToDate";
  e.offer.key_isvsvn = 3;
  e.offer.salt = Range(0x20, 32);
  e.offer.public_key = Hex(kSpkiA);
  e.one_time_key = Hex(kSpkiB);
  e.registered = 1700000000;
  return e;
}

TEST(BackupEntryAadKat, BindsEveryFieldInTheDocumentedOrder) {
  EXPECT_EQ(HexEncode(EntryAad(Entry(), Range(0x10, 16))), kAad);
}

TEST(BackupEntryAadKat, ExcludesOnlyTheWrappedKeyAndTheId) {
  BackupEntry e = Entry();
  e.wrapped_key = Range(0, 60);
  e.id = "anything";
  EXPECT_EQ(HexEncode(EntryAad(e, Range(0x10, 16))), kAad);
  e = Entry();
  e.identity.debug = true;
  EXPECT_NE(HexEncode(EntryAad(e, Range(0x10, 16))), kAad);
  e = Entry();
  e.registered += 1;
  EXPECT_NE(HexEncode(EntryAad(e, Range(0x10, 16))), kAad);
}

TEST(BackupEntryAadKat, KekAndWrappedKeyFollowTheDocumentedConstruction) {
  auto kek =
      crypto::HkdfSha256(SecretBytes::CopyFrom(Range(0x60, 32)),
                         AsBytes(std::string_view("scone-cas-backup-wrap v1")), Hex(kAad), 32);
  ASSERT_TRUE(kek.ok());
  EXPECT_EQ(HexEncode(kek->Reveal()), kKek);
  auto key = crypto::AesGcmOpen(*kek, Hex(kWrapped), Hex(kAad));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(HexEncode(key->Reveal()), HexEncode(Range(0x80, 32)));
}

}  // namespace
}  // namespace scone::store
