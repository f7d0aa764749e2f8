// Message digests.
#pragma once

#include "common/bytes.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

using Sha256Digest = ByteArray<32>;

Sha256Digest Sha256(ByteView data);
ByteArray<64> Sha512(ByteView data);

// Incremental SHA-256, for data that arrives in pieces (files, concatenations).
// A failure inside OpenSSL here can only be memory exhaustion, which aborts.
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher& Update(ByteView data);
  Sha256Digest Finish();

 private:
  EvpMdCtxPtr ctx_;
};

}  // namespace scone::crypto
