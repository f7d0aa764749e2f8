// Known answers for the enclave API's report data and platform id (cas/enclave_protocol.h,
// docs/runtime.md). The expected values come from scripts/kat_reference.py (Python hashlib),
// independently of this code base:
//   SHA-512(b"scone-enclave-configuration/1\x00" + SHA-256(spki)),  SHA-256(attestation key)
// The SPKI is the P-256 key protocol_kat_test.cc calls the CAS key.
#include "cas/enclave_protocol.h"

#include <gtest/gtest.h>

#include "common/hex.h"

namespace scone::cas {
namespace {

constexpr std::string_view kSpki =
    "3059301306072a8648ce3d020106082a8648ce3d0301070342000486581206d910eba972345fd94b82e77e"
    "19dae5b3973c68164b864394ae1ed4b2bae6a6c9e77afce6aa4796cd1f2a29fb24e63778b0ed575cc30bc3"
    "edf8f5a712";

TEST(EnclaveProtocolKat, ReportDataBindsTheClientKey) {
  auto spki = HexDecode(kSpki);
  ASSERT_TRUE(spki.ok());
  EXPECT_EQ(HexEncode(EnclaveReportData(*spki)),
            "19f17239bf5406e98a73d9c6948d1025f905dcd45fc4abc569d4fd7dc7c6f1d6562fa1f7b40311cb686d1"
            "a4f3687bf0658999a9ff35d6f27c3bcbcb362ec75cc");
  Bytes other = *spki;
  ASSERT_FALSE(other.empty());
  other[other.size() - 1] ^= 1;
  EXPECT_NE(EnclaveReportData(other), EnclaveReportData(*spki));
}

TEST(EnclaveProtocolKat, PlatformIdIsSha256OfTheAttestationKey) {
  ByteArray<64> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(PlatformId(key), "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108");
}

}  // namespace
}  // namespace scone::cas
