#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>

#include "crypto/openssl_util.h"

namespace scone::crypto {
namespace {

Status Fill(uint8_t* p, size_t n) {
  if (n > static_cast<size_t>(INT_MAX)) return InvalidArgument("too many random bytes requested");
  if (n != 0 && RAND_bytes(p, static_cast<int>(n)) != 1) return OpenSslError("RAND_bytes");
  return Status::Ok();
}

}  // namespace

Result<Bytes> RandomBytes(size_t n) {
  Bytes out(n);
  SCONE_RETURN_IF_ERROR(Fill(out.data(), n));
  return out;
}

Result<SecretBytes> RandomSecret(size_t n) {
  SecretBytes out(n);
  SCONE_RETURN_IF_ERROR(Fill(out.RevealMutable(), n));
  return out;
}

}  // namespace scone::crypto
