// Key derivation.
#pragma once

#include <cstddef>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"

namespace scone::crypto {

// HKDF-SHA256 (RFC 5869): `length` bytes from input key material `ikm`, `salt` and the
// context string `info`. Different `info` values give independent keys.
Result<SecretBytes> HkdfSha256(const SecretBytes& ikm, ByteView salt, ByteView info, size_t length);

}  // namespace scone::crypto
