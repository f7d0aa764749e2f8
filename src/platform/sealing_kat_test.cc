// Known answers for sealed blobs (platform/sealing.h): the seal key derivation, the header,
// the associated data and the AES-GCM layout. A change of any of them fails here, where a
// seal/unseal round trip would pass (and data sealed by an earlier build would be lost).
//
// The expected values were computed independently of this code base by
// scripts/kat_reference.py from the layout documented in sealing.h: HKDF-SHA256 written out
// after RFC 5869 with Python's hmac/hashlib, AES-256-GCM from Python's `cryptography` with a
// fixed nonce (the product draws it at random):
//   key  = HKDF-SHA256(ikm = platform secret, salt = "scone simulated SGX seal key v1",
//                      info = policy identity || u16le key ISVSVN, 32 bytes)
//   policy identity = policy (1) || u64le(attributes & (INIT|DEBUG))
//                     || MRENCLAVE (policy 1)  or  MRSIGNER || u16le ISVPRODID (policy 2)
//   blob = "SCSEAL2" || policy (1) || u16le key ISVSVN || nonce (12) || ciphertext || tag (16)
//   associated data = the 10 header bytes || policy identity
// Inputs: platform secret 00 01 .. 1f, MRENCLAVE 11..11, MRSIGNER 22..22, ISVPRODID 0x29,
// ISVSVN 3, attributes INIT|MODE64BIT (0x05; MODE64BIT is not bound).
#include <gtest/gtest.h>

#include <string_view>

#include "common/hex.h"
#include "common/kat_test_util.h"
#include "crypto/aead.h"
#include "platform/sealing.h"

namespace scone::platform {
namespace {
using scone::testing::Hex;

SecretBytes PlatformSecret() {
  Bytes secret(32);
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i);
  return SecretBytes::CopyFrom(secret);
}

EnclaveIdentity Enclave() {
  EnclaveIdentity id;
  id.mrenclave.fill(0x11);
  id.mrsigner.fill(0x22);
  id.isvprodid = 0x29;
  id.isvsvn = 3;
  id.attributes_flags = kAttrInit | kAttrMode64Bit;
  return id;
}

std::string KeyHex(SealPolicy policy, const EnclaveIdentity& id, uint16_t key_isvsvn) {
  auto key = DeriveSealKey(PlatformSecret(), policy, id, key_isvsvn);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return key.ok() ? HexEncode(key->Reveal()) : "";
}

constexpr std::string_view kPlaintext = "the CAS database key, sealed";

TEST(SealingKat, SealKeys) {
  EXPECT_EQ(KeyHex(SealPolicy::kMrEnclave, Enclave(), 3),
            "5941239546b67d84f1e01422cc529875c9cafde825ca025cd770b3b4786883a0");
  EXPECT_EQ(KeyHex(SealPolicy::kMrSigner, Enclave(), 3),
            "1eeda14eb1d9cb2c47d8aa6d0d82f6911ed27d250acbd01363df1ffbb17086a2");
  EXPECT_EQ(KeyHex(SealPolicy::kMrSigner, Enclave(), 1),
            "c33e6ffe001aee4f604c0158a678a324b95dff43d2aa698526e9a9a37ae6ab3d");
  EnclaveIdentity debug = Enclave();
  debug.attributes_flags |= kAttrDebug;
  EXPECT_EQ(KeyHex(SealPolicy::kMrSigner, debug, 3),
            "5021f3ac5b34c38bc2015819d3b22ab70066b0befd1c5c308999790217497227");
}

TEST(SealingKat, OpensBlobsSealedByTheReference) {
  // MRSIGNER policy at key ISVSVN 1 (sealed by an older version of the same product).
  auto opened = Unseal(PlatformSecret(), Enclave(),
                       Hex("53435345414c32020100a0a1a2a3a4a5a6a7a8a9aaab8bc0e6251d02690b241265bd"
                           "579384c9a13873c38e4d5eb67291aae5450feef326b06307a30332bbf248544d"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsChars(opened->Reveal()), kPlaintext);

  // MRENCLAVE policy at the enclave's own ISVSVN 3.
  opened = Unseal(PlatformSecret(), Enclave(),
                  Hex("53435345414c32010300a0a1a2a3a4a5a6a7a8a9aaab46a8385ff4975896ebf80779f5"
                      "a3049188ab7d981115c63bd6cfbaa83e65f8688c40c9a46af38ebe8a7f3042"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsChars(opened->Reveal()), kPlaintext);
}

// Seal draws a random nonce, so its output is checked field by field: the header bytes, and
// the rest opens with the reference key and associated data.
TEST(SealingKat, SealWritesTheDocumentedLayout) {
  auto sealed = Seal(PlatformSecret(), SealPolicy::kMrSigner, Enclave(), AsBytes(kPlaintext));
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  ByteView blob(*sealed);
  ASSERT_EQ(blob.size(), 10 + crypto::kAesGcmOverhead + kPlaintext.size());
  EXPECT_EQ(HexEncode(blob.first(10)), "53435345414c32020300");  // "SCSEAL2", 2, u16le 3
  auto key = SecretBytes::CopyFrom(
      Hex("1eeda14eb1d9cb2c47d8aa6d0d82f6911ed27d250acbd01363df1ffbb17086a2"));
  auto opened = crypto::AesGcmOpen(
      key, blob.subspan(10),
      Hex("53435345414c32020300020100000000000000222222222222222222222222222222222222222222"
          "22222222222222222222222900"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsChars(opened->Reveal()), kPlaintext);
}

TEST(SealingKat, SealUnderMrEnclaveUsesItsOwnAssociatedData) {
  auto sealed = Seal(PlatformSecret(), SealPolicy::kMrEnclave, Enclave(), AsBytes(kPlaintext));
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  ByteView blob(*sealed);
  EXPECT_EQ(HexEncode(blob.first(10)), "53435345414c32010300");
  auto key = SecretBytes::CopyFrom(
      Hex("5941239546b67d84f1e01422cc529875c9cafde825ca025cd770b3b4786883a0"));
  auto opened = crypto::AesGcmOpen(
      key, blob.subspan(10),
      Hex("53435345414c32010300010100000000000000111111111111111111111111111111111111111111"
          "1111111111111111111111"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsChars(opened->Reveal()), kPlaintext);
}

}  // namespace
}  // namespace scone::platform
