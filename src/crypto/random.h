// Cryptographically secure random bytes (OpenSSL's CSPRNG).
#pragma once

#include <cstddef>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"

namespace scone::crypto {

// Public randomness (nonces, serial numbers, identifiers). Requests of up to 64 bytes are
// served from a per-thread buffer of OpenSSL's output, refilled 512 bytes at a time and
// discarded in a forked child; never use it for anything secret.
Result<Bytes> RandomBytes(size_t n);
// Randomness that becomes key material: straight from OpenSSL, nothing buffered.
Result<SecretBytes> RandomSecret(size_t n);

}  // namespace scone::crypto
