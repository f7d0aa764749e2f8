// Known answers for the report data of a backup's key offer (cas/protocol.h,
// docs/backup.md "Protocol" step 3): a change of the label, the field order or the lengths
// fails here, where a registration between two CASes of this code base would not notice.
//
// The expected values were computed independently of this code base by
// scripts/kat_reference.py ("backup_protocol_kat_test.cc") with Python's hashlib:
//   SHA-512(b"scone-cas-backup-key/1\x00" + bytes([len(nonce)]) + nonce
//           + SHA-256(spki) + salt + u16le(key_isvsvn))
// The SPKIs are the P-256 public keys of protocol_kat_test.cc.
#include <gtest/gtest.h>

#include <string_view>

#include "cas/protocol.h"
#include "common/hex.h"
#include "common/kat_test_util.h"

namespace scone::cas {
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

TEST(BackupKeyReportDataKat, ShortNonceIsvsvn2) {
  EXPECT_EQ(HexEncode(BackupKeyReportData(Range(0x00, 16), Hex(kSpkiA), Range(0x20, 32), 2)),
            "e3a39c5402eae42e57229ab8f5dc88cfbb3eba7bb8251b8ee490f6d56abd80b8"
            "7b9bac644862fe29247a3df1dff8d8525df54b76f3d966a16fe3dcddeab0f832");
}

TEST(BackupKeyReportDataKat, LongNonceTwoByteIsvsvn) {
  EXPECT_EQ(HexEncode(BackupKeyReportData(Range(0x40, 64), Hex(kSpkiB), Range(0x20, 32), 0x0102)),
            "49747d3ebcd016e2310b946c9ddb31501b06dc77093f2eab1a93e2a00df87c04"
            "bb1ec9518a89588d36d6cd3da4b2cba6f65345ace2f2acf636e598cbfc608913");
}

TEST(BackupKeyReportDataKat, EveryInputIsBound) {
  const Bytes nonce = Range(0x00, 16);
  const Bytes salt = Range(0x20, 32);
  const auto base = BackupKeyReportData(nonce, Hex(kSpkiA), salt, 2);
  Bytes other_nonce = nonce;
  other_nonce[15] ^= 1;
  Bytes other_salt = salt;
  other_salt[0] ^= 1;
  EXPECT_NE(BackupKeyReportData(other_nonce, Hex(kSpkiA), salt, 2), base);
  EXPECT_NE(BackupKeyReportData(nonce, Hex(kSpkiB), salt, 2), base);
  EXPECT_NE(BackupKeyReportData(nonce, Hex(kSpkiA), other_salt, 2), base);
  EXPECT_NE(BackupKeyReportData(nonce, Hex(kSpkiA), salt, 3), base);
  // The nonce's length is bound: a nonce one byte longer is not the same input shifted.
  EXPECT_NE(BackupKeyReportData(Range(0x00, 17), Hex(kSpkiA), salt, 2), base);
}

}  // namespace
}  // namespace scone::cas
