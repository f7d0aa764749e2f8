#include "crypto/ecdh.h"

#include <openssl/evp.h>

namespace scone::crypto {
namespace {

using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;

bool IsP256(EVP_PKEY* key) {
  char name[64] = {};
  size_t len = 0;
  return key != nullptr && EVP_PKEY_is_a(key, "EC") == 1 &&
         EVP_PKEY_get_group_name(key, name, sizeof(name), &len) == 1 &&
         std::string_view(name, len) == "prime256v1";
}

}  // namespace

Result<SecretBytes> EcdhP256(EVP_PKEY* own, EVP_PKEY* peer) {
  if (!IsP256(own) || !IsP256(peer)) return InvalidArgument("ECDH needs two P-256 keys");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(own, nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1) {
    return OpenSslError("ECDH with the peer's key", Code::kInvalidArgument);
  }
  size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len != 32) {
    return OpenSslError("ECDH output length");
  }
  SecretBytes out(32);
  if (EVP_PKEY_derive(ctx.get(), out.RevealMutable(), &len) != 1 || len != 32) {
    return OpenSslError("ECDH");
  }
  return out;
}

}  // namespace scone::crypto
