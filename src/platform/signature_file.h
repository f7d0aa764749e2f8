// The simulated SIGSTRUCT: a signature file beside a program, written by
// `scone signer sign`, that fixes the enclave's signer, product, security version and
// attributes (DESIGN.md §5). docs/platform.md describes the layout.
//
// Layout (little-endian, like SGX structures), all fields fixed-size except the two
// length-prefixed ones:
//   0   8  magic "SCONESIG"
//   8   2  format version (1)
//   10  2  reserved (0)
//   12  4  MISCSELECT
//   16  8  ATTRIBUTES.FLAGS      24  8  ATTRIBUTES.XFRM
//   32 32  MRENCLAVE
//   64  2  ISVPRODID             66  2  ISVSVN
//   68  2  N = length of the signer's DER SubjectPublicKeyInfo,  70  N  the SPKI
//   70+N 2 M = length of the signature,  72+N  M  the signature (DER, SHA-256) over
//          bytes [0, 70+N)
// Parsing is strict: wrong magic or version, non-zero reserved bytes, lengths that do not
// add up and trailing bytes are errors.
#pragma once

#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"
#include "platform/enclave_identity.h"

namespace scone::platform {

struct SignatureFile {
  uint32_t miscselect = 0;
  uint64_t attributes_flags = 0;
  uint64_t attributes_xfrm = 0;
  ByteArray<32> mrenclave{};
  uint16_t isvprodid = 0;
  uint16_t isvsvn = 0;
  Bytes signer_spki;  // DER SubjectPublicKeyInfo
  Bytes signature;    // over the signed part, see above
};

struct SignOptions {
  uint16_t isvprodid = 0;
  uint16_t isvsvn = 0;
  bool production = false;  // without it the DEBUG attribute is set
};

// Builds and signs a signature file for a program with measurement `mrenclave`.
// The key may be EC (P-256/P-384) or RSA (at least 2048 bits; SGX uses 3072).
Result<SignatureFile> SignEnclave(EVP_PKEY* signer_key, const ByteArray<32>& mrenclave,
                                  const SignOptions& options);

Bytes SerializeSignatureFile(const SignatureFile& file);
// Strict parse; does not verify the signature.
Result<SignatureFile> ParseSignatureFile(ByteView data);
// kVerificationFailed unless the signature verifies under the embedded signer key.
Status VerifySignatureFile(const SignatureFile& file);

// The enclave identity the file describes (MRSIGNER = SHA-256 of the signer SPKI).
EnclaveIdentity IdentityFromSignatureFile(const SignatureFile& file);

}  // namespace scone::platform
