// Elliptic-curve Diffie-Hellman on P-256, for wrapping a key for another party's public key
// (the CAS backup's database key wrapping, docs/backup.md).
#pragma once

#include "common/secret.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

// The raw ECDH shared secret (the x coordinate, 32 bytes) of `own` (a P-256 private key) and
// `peer` (a P-256 public key). kInvalidArgument if either is not a P-256 key. The secret is
// input keying material for HKDF, never a key by itself.
Result<SecretBytes> EcdhP256(EVP_PKEY* own, EVP_PKEY* peer);

}  // namespace scone::crypto
