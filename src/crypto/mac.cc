#include "crypto/mac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <utility>

#include "crypto/openssl_util.h"

namespace scone::crypto {

struct HmacSha256Key::Keyed {
  EvpMacCtxPtr ctx;
};

Result<HmacSha256Key> HmacSha256Key::Create(const SecretBytes& key) {
  EVP_MAC* hmac = HmacAlgorithm();
  EvpMacCtxPtr ctx(hmac != nullptr ? EVP_MAC_CTX_new(hmac) : nullptr);
  char digest[] = "SHA2-256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), key.Reveal().data(), key.size(), params) != 1) {
    return OpenSslError("HMAC-SHA256");
  }
  return HmacSha256Key(std::make_shared<const Keyed>(Keyed{std::move(ctx)}));
}

Result<Sha256Digest> HmacSha256Key::Mac(ByteView data) const {
  Sha256Digest out{};
  size_t written = 0;
  // EVP_MAC_CTX_dup only reads the keyed context, so concurrent calls do not interfere.
  EvpMacCtxPtr ctx(EVP_MAC_CTX_dup(keyed_->ctx.get()));
  if (!ctx || EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size()) {
    return OpenSslError("HMAC-SHA256");
  }
  return out;
}

Result<Sha256Digest> HmacSha256(const SecretBytes& key, ByteView data) {
  SCONE_ASSIGN_OR_RETURN(HmacSha256Key keyed, HmacSha256Key::Create(key));
  return keyed.Mac(data);
}

}  // namespace scone::crypto
