#include "crypto/mac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto/openssl_util.h"

namespace scone::crypto {

Result<Sha256Digest> HmacSha256(const SecretBytes& key, ByteView data) {
  Sha256Digest out{};
  size_t written = 0;
  EVP_MAC* hmac = HmacAlgorithm();
  EvpMacCtxPtr ctx(hmac != nullptr ? EVP_MAC_CTX_new(hmac) : nullptr);
  char digest[] = "SHA2-256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), key.Reveal().data(), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size()) {
    return OpenSslError("HMAC-SHA256");
  }
  return out;
}

}  // namespace scone::crypto
