// ECDSA P-256 with SHA-256 in the raw encodings SGX uses: public keys as 64 bytes X||Y and
// signatures as 64 bytes r||s (each big-endian, 32 bytes).
#pragma once

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

// A P-256 public key from X||Y; fails if the point is not on the curve.
Result<EvpPkeyPtr> EcP256PublicKeyFromRaw(ByteView xy);
// X||Y of a P-256 key.
Result<ByteArray<64>> EcP256PublicKeyToRaw(EVP_PKEY* key);

// kVerificationFailed if `signature` (r||s) is not a valid signature of SHA-256(message).
Status VerifyEcdsaP256Raw(EVP_PKEY* key, ByteView message, ByteView signature);

// r||s signature of SHA-256(message).
Result<ByteArray<64>> SignEcdsaP256Raw(EVP_PKEY* key, ByteView message);

// Verifies a DER-encoded signature with the key's default digest (SHA-256 here), as in
// X.509 and PCS collateral.
Status VerifySignatureDer(EVP_PKEY* key, ByteView message, ByteView der_signature);

}  // namespace scone::crypto
