// Cryptographically secure random bytes (OpenSSL's CSPRNG).
#pragma once

#include <cstddef>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"

namespace scone::crypto {

// Public randomness (nonces, serial numbers, identifiers).
Result<Bytes> RandomBytes(size_t n);
// Randomness that becomes key material.
Result<SecretBytes> RandomSecret(size_t n);

}  // namespace scone::crypto
