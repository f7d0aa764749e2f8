// Message authentication codes.
#pragma once

#include <memory>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "crypto/hash.h"

namespace scone::crypto {

// HMAC-SHA256 (RFC 2104) of `data` under `key`.
Result<Sha256Digest> HmacSha256(const SecretBytes& key, ByteView data);

// HMAC-SHA256 under one key, for many messages: the key is set up once (OpenSSL's keyed
// context, which wipes the key when freed), and each Mac starts from a copy of it. Copies
// share the keyed context; Mac may be called from several threads at once.
class HmacSha256Key {
 public:
  static Result<HmacSha256Key> Create(const SecretBytes& key);
  Result<Sha256Digest> Mac(ByteView data) const;

 private:
  struct Keyed;
  explicit HmacSha256Key(std::shared_ptr<const Keyed> keyed) : keyed_(std::move(keyed)) {}
  std::shared_ptr<const Keyed> keyed_;
};

}  // namespace scone::crypto
