// Simulated SGX sealing (DESIGN.md §5 "Sealing").
//
// The platform holds a sealing secret (the simulated CPU fuse key). A seal key is derived
// from it with HKDF-SHA256 and the enclave's identity, as EGETKEY would:
//   MRENCLAVE policy: only the same program (same measurement) gets the key.
//   MRSIGNER policy:  every program of the same signer and product (MRSIGNER + ISVPRODID)
//                     gets it, so upgrades keep their data. Like SGX's KEYREQUEST.ISVSVN,
//                     the key also depends on a security version: an enclave may derive the
//                     keys of its own and of lower ISVSVNs, never of higher ones, so an old
//                     (possibly vulnerable) version cannot open data sealed by a newer one.
// Sealed blobs are AES-256-GCM with the policy and the identity as associated data.
// Different platform secrets (two platform directories = two machines) give unrelated keys.
//
// Both policies also bind the INIT and DEBUG attributes, as EGETKEY does: a debug build
// never gets a production build's keys.
//
// Sealed blob layout: "SCSEAL2" (7 bytes), policy (1), key ISVSVN (u16 LE), then
// nonce || ciphertext || tag. The associated data is the 10 header bytes followed by the
// policy's identity bytes (policy, INIT|DEBUG flags as u64 LE, then MRENCLAVE, or
// MRSIGNER || ISVPRODID LE).
#pragma once

#include <cstdint>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "platform/enclave_identity.h"

namespace scone::platform {

enum class SealPolicy : uint8_t { kMrEnclave = 1, kMrSigner = 2 };

inline constexpr size_t kPlatformSealingSecretSize = 32;

// The seal key for `identity` under `policy` at security version `key_isvsvn`.
// kPermissionDenied if `key_isvsvn` is above the identity's ISVSVN.
Result<SecretBytes> DeriveSealKey(const SecretBytes& platform_secret, SealPolicy policy,
                                  const EnclaveIdentity& identity, uint16_t key_isvsvn);

// Seals `plaintext` for `identity` at its own ISVSVN.
Result<Bytes> Seal(const SecretBytes& platform_secret, SealPolicy policy,
                   const EnclaveIdentity& identity, ByteView plaintext);

// Opens a blob. kDataLoss if it was changed, sealed on another platform or for another
// identity; kPermissionDenied if it was sealed by a higher ISVSVN; kInvalidArgument if it is
// not a sealed blob at all.
Result<SecretBytes> Unseal(const SecretBytes& platform_secret, const EnclaveIdentity& identity,
                           ByteView sealed);

}  // namespace scone::platform
