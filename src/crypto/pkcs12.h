// PKCS#12 files (a private key with its certificate chain), for delivering x509 secrets to
// programs that read keystores.
#pragma once

#include <vector>

#include "common/secret.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

// DER PKCS#12 holding `key`, its certificate `cert` and the issuer certificates `chain`
// (borrowed), protected with the empty password (OpenSSL 3's defaults: AES-256-CBC with
// PBKDF2 and a SHA-256 MAC). The bytes hold the key and are a secret.
Result<SecretBytes> CreatePkcs12(EVP_PKEY* key, X509* cert, const std::vector<X509*>& chain);

}  // namespace scone::crypto
