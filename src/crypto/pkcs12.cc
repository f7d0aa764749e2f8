#include "crypto/pkcs12.h"

#include <openssl/pkcs12.h>

namespace scone::crypto {
namespace {

using Pkcs12Ptr = std::unique_ptr<PKCS12, OpenSslDeleter<PKCS12_free>>;
// A stack that borrows its certificates.
struct X509RefStackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using X509RefStackPtr = std::unique_ptr<STACK_OF(X509), X509RefStackDeleter>;

}  // namespace

Result<SecretBytes> CreatePkcs12(EVP_PKEY* key, X509* cert, const std::vector<X509*>& chain) {
  X509RefStackPtr ca(sk_X509_new_null());  // borrows the certificates
  if (!ca) return OpenSslError("sk_X509_new_null");
  for (X509* c : chain) {
    if (sk_X509_push(ca.get(), c) <= 0) return OpenSslError("sk_X509_push");
  }
  Pkcs12Ptr p12(PKCS12_create("", nullptr, key, cert, ca.get(), 0, 0, 0, 0, 0));
  if (!p12) return OpenSslError("creating a PKCS#12 file");
  int len = i2d_PKCS12(p12.get(), nullptr);
  if (len <= 0) return OpenSslError("encoding a PKCS#12 file");
  SecretBytes out(static_cast<size_t>(len));
  unsigned char* p = out.RevealMutable();
  if (i2d_PKCS12(p12.get(), &p) != len) return OpenSslError("encoding a PKCS#12 file");
  return out;
}

}  // namespace scone::crypto
