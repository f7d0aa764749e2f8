// AES-256-GCM authenticated encryption.
//
// Sealed format: nonce (12 bytes, random) || ciphertext || tag (16 bytes). The associated
// data is authenticated but not stored: the opener must supply the same bytes, which is how
// callers bind a ciphertext to its context (a table and key name, a sealing policy).
#pragma once

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"

namespace scone::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;
inline constexpr size_t kAesGcmOverhead = kAesGcmNonceSize + kAesGcmTagSize;

// Encrypts with a fresh random nonce. `key` must be 32 bytes.
Result<Bytes> AesGcmSeal(const SecretBytes& key, ByteView plaintext, ByteView associated_data);

// Decrypts and authenticates. kDataLoss if the input is too short, was changed, or the
// key or associated data differ (the three cannot be told apart, by design).
Result<SecretBytes> AesGcmOpen(const SecretBytes& key, ByteView sealed, ByteView associated_data);

}  // namespace scone::crypto
