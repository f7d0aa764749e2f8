// Asymmetric keys: generation, PKCS#8 and SubjectPublicKeyInfo encodings.
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

// A fresh ECDSA P-256 key pair from OpenSSL's CSPRNG.
Result<EvpPkeyPtr> GenerateEcP256Key();

// An ECDSA P-256 key derived deterministically from `seed` (at least 32 bytes) and the
// context string `info`: HKDF-SHA256 output taken as the private scalar, with a counter
// retried until it lies in [1, n-1]. The same seed and info always give the same key, which
// is how the CAS software key is bound to an MRENCLAVE seal key.
Result<EvpPkeyPtr> DeriveEcP256Key(const SecretBytes& seed, ByteView info);

// The private key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"); the text is
// a secret.
Result<SecretBytes> PrivateKeyToPkcs8Pem(EVP_PKEY* key);

// Parses an unencrypted PKCS#8 private key from DER.
Result<EvpPkeyPtr> ParsePkcs8PrivateKeyDer(ByteView der);

// Parses the first PEM block of `pem`, which must be an unencrypted PKCS#8 private key.
// An encrypted key or a traditional ("EC PRIVATE KEY", "RSA PRIVATE KEY") key is refused
// with a message that says how to convert it.
Result<EvpPkeyPtr> ParsePrivateKeyPem(std::string_view pem);

// DER SubjectPublicKeyInfo of the public half of `key`.
Result<Bytes> PublicKeySpkiDer(EVP_PKEY* key);
Result<EvpPkeyPtr> ParsePublicKeySpkiDer(ByteView der);

// Whether two keys have the same public key.
bool SamePublicKey(EVP_PKEY* a, EVP_PKEY* b);
// Whether `key` is an Ed25519 or a NIST P-384 key (the keys of session signers).
bool IsEd25519OrP384Key(EVP_PKEY* key);

}  // namespace scone::crypto
