#include "crypto/kdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "crypto/openssl_util.h"

namespace scone::crypto {

namespace {
struct KdfDeleter {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
};
struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
}  // namespace

Result<SecretBytes> HkdfSha256(const SecretBytes& ikm, ByteView salt, ByteView info,
                               size_t length) {
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return OpenSslError("EVP_KDF_fetch(HKDF)");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return OpenSslError("EVP_KDF_CTX_new");
  // OSSL_PARAM takes non-const pointers; OpenSSL only reads these buffers.
  auto* ikm_p = const_cast<uint8_t*>(ikm.Reveal().data());  // NOLINT
  auto* salt_p = const_cast<uint8_t*>(salt.data());         // NOLINT
  auto* info_p = const_cast<uint8_t*>(info.data());         // NOLINT
  static char kDigest[] = "SHA256";
  // An empty salt or info is left out: OpenSSL refuses zero-length octet strings with a
  // null pointer, and RFC 5869 defines an absent salt as HashLen zero bytes, which is what
  // OpenSSL then uses.
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, kDigest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm_p, ikm.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_p, salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_p, info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.RevealMutable(), length, params) != 1) {
    return OpenSslError("HKDF-SHA256");
  }
  return out;
}

}  // namespace scone::crypto
