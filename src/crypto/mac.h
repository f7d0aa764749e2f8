// Message authentication codes.
#pragma once

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "crypto/hash.h"

namespace scone::crypto {

// HMAC-SHA256 (RFC 2104) of `data` under `key`.
Result<Sha256Digest> HmacSha256(const SecretBytes& key, ByteView data);

}  // namespace scone::crypto
