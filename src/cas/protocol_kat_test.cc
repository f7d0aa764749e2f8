// Known answers for the report data of a CAS attestation answer (cas/protocol.h, docs/cas.md):
// a change of the label, the field order, the lengths or the flag bits fails here, where a
// round trip through the server and the client would not notice.
//
// The expected values were computed independently of this code base by
// scripts/kat_reference.py with Python's hashlib:
//   SHA-512(b"scone-cas-attestation/1\x00" + bytes([len(nonce)]) + nonce
//           + SHA-256(cas_spki) + SHA-256(sw_spki) + bytes([flags]))
// The two SPKIs are P-256 public keys made once with `openssl genpkey -algorithm EC -pkeyopt
// ec_paramgen_curve:P-256` and printed with `openssl pkey -pubout -outform DER`.
#include <gtest/gtest.h>

#include <string_view>

#include "cas/protocol.h"
#include "common/hex.h"
#include "common/kat_test_util.h"
#include "crypto/hash.h"

namespace scone::cas {
namespace {
using scone::testing::Hex;
using scone::testing::Range;

constexpr std::string_view kCasSpki =
    "3059301306072a8648ce3d020106082a8648ce3d0301070342000486581206d910eba972345fd94b82e77e"
    "19dae5b3973c68164b864394ae1ed4b2bae6a6c9e77afce6aa4796cd1f2a29fb24e63778b0ed575cc30bc3"
    "edf8f5a712";
constexpr std::string_view kSoftwareSpki =
    "3059301306072a8648ce3d020106082a8648ce3d03010703420004ee975525e2bd9c72d25d50a3f0440dc1"
    "de114501524c3d6d2dd8a9cb5cc9847c77677a9229b6b7a860d87a980e0acac53809545fddf49ccca90628"
    "c8640ff4db";

AttestationFlags Flags(bool provisioned, bool owner_secret_access, bool debug, bool simulated) {
  AttestationFlags f;
  f.provisioned = provisioned;
  f.owner_secret_access = owner_secret_access;
  f.debug = debug;
  f.simulated = simulated;
  return f;
}

std::string ReportDataHex(ByteView nonce, const AttestationFlags& flags) {
  return HexEncode(AttestationReportData(nonce, Hex(kCasSpki), Hex(kSoftwareSpki), flags));
}

TEST(AttestationReportDataKat, KeyDigestsAreSha256OfTheSpkis) {
  EXPECT_EQ(HexEncode(crypto::Sha256(Hex(kCasSpki))),
            "add78860c84567cc6240ca1bf6dc405a518f4942b83999776aac955c30e18666");
  EXPECT_EQ(HexEncode(crypto::Sha256(Hex(kSoftwareSpki))),
            "4c5527a00ecd22c578004cee8d395d5030b2bf6aa47a898d7e14e0e864c86230");
}

TEST(AttestationReportDataKat, FlagsByteHasOneBitPerFlag) {
  EXPECT_EQ(Flags(false, false, false, false).ToByte(), 0x00);
  EXPECT_EQ(Flags(true, false, false, false).ToByte(), 0x01);
  EXPECT_EQ(Flags(false, true, false, false).ToByte(), 0x02);
  EXPECT_EQ(Flags(false, false, true, false).ToByte(), 0x04);
  EXPECT_EQ(Flags(false, false, false, true).ToByte(), 0x08);
}

TEST(AttestationReportDataKat, ShortestNonceNoFlags) {
  EXPECT_EQ(ReportDataHex(Range(0x00, kMinNonceSize), Flags(false, false, false, false)),
            "730e8c96a272834f2899015841d6a29a7ef744a26b00942d24170203a7b16481"
            "c041afdfd0d40dd8df78ac5722c894fea387e5e2c4fc7dbb7a5c8a768f351251");
}

TEST(AttestationReportDataKat, ShortestNonceProvisioned) {
  EXPECT_EQ(ReportDataHex(Range(0x00, kMinNonceSize), Flags(true, false, false, false)),
            "b25cf480a98e4334090cce582f06d56ac3e0448f45ee062e4f9d411fe80cf62b"
            "172fe85ec1d4a5df7f9b56f5befe194ab8da840fb72ef81568699b1dbe6e59e8");
}

TEST(AttestationReportDataKat, ShortestNonceProvisionedDebugSimulated) {
  EXPECT_EQ(ReportDataHex(Range(0x00, kMinNonceSize), Flags(true, false, true, true)),
            "148b63474aed34b620f1c890b6f7b42a598d0f8be3c5a79a50eb9a9405ac32ac"
            "31f1d1308b81beb34160636e18fa80e9c4a75cc337a4c28fed1a238c6aab00ef");
}

TEST(AttestationReportDataKat, LongestNonceAllFlags) {
  EXPECT_EQ(ReportDataHex(Range(0x40, kMaxNonceSize), Flags(true, true, true, true)),
            "41f3f9bfa066c09e8c25f90f5fb10146e4b5913b646ad37c2ce27bbc0af57f86"
            "a2d723635fb1cc7e53098b00a8429c2e23bdeab68178c8de7f7264adb2858cc0");
}

}  // namespace
}  // namespace scone::cas
