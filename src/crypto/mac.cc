#include "crypto/mac.h"

#include <openssl/evp.h>

#include "crypto/openssl_util.h"

namespace scone::crypto {

Result<Sha256Digest> HmacSha256(const SecretBytes& key, ByteView data) {
  Sha256Digest out{};
  size_t written = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.Reveal().data(), key.size(),
                data.data(), data.size(), out.data(), out.size(), &written) == nullptr ||
      written != out.size()) {
    return OpenSslError("EVP_Q_mac(HMAC-SHA256)");
  }
  return out;
}

}  // namespace scone::crypto
