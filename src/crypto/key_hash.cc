#include "crypto/key_hash.h"

#include <algorithm>

#include "common/base58.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::crypto {

std::string KeyHashFromSpkiDer(ByteView spki_der) {
  Sha256Digest digest = Sha256(spki_der);
  return Base58CheckEncode(kKeyHashVersion, digest);
}

Result<std::string> KeyHashOfPublicKey(EVP_PKEY* key) {
  SCONE_ASSIGN_OR_RETURN(Bytes spki, PublicKeySpkiDer(key));
  return KeyHashFromSpkiDer(spki);
}

Result<std::string> KeyHashOfCertificate(X509* cert) {
  SCONE_ASSIGN_OR_RETURN(Bytes spki, CertificateSpkiDer(cert));
  return KeyHashFromSpkiDer(spki);
}

Result<Sha256Digest> DecodeKeyHash(std::string_view key_hash) {
  auto decoded = Base58CheckDecode(key_hash);
  if (!decoded.ok()) return decoded.status().WithContext("invalid key hash");
  if (decoded->version != kKeyHashVersion) {
    return InvalidArgument("invalid key hash: version " + std::to_string(decoded->version) +
                           ", expected 1");
  }
  if (decoded->payload.size() != 32) {
    return InvalidArgument("invalid key hash: " + std::to_string(decoded->payload.size() + 5) +
                           " bytes decoded, expected 37");
  }
  Sha256Digest d{};
  std::copy(decoded->payload.begin(), decoded->payload.end(), d.begin());
  return d;
}

}  // namespace scone::crypto
