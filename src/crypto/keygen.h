// Key generation for every key type the session language names, key types of parsed keys,
// and the encodings of private and public keys that secrets are delivered in.
#pragma once

#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

enum class KeyType { kP256, kP384, kP521, kEd25519, kRsa2048, kRsa3072, kRsa4096 };

// "P-256", "P-384", "P-521", "Ed25519" (also "ed25519"), "RSA-2048", "RSA-3072",
// "RSA-4096"; nullopt for anything else.
std::optional<KeyType> ParseKeyType(std::string_view name);
std::string_view KeyTypeName(KeyType type);  // the first spelling above

// A fresh key of `type` from OpenSSL's CSPRNG.
Result<EvpPkeyPtr> GenerateKey(KeyType type);

// The type of `key`, nullopt for a key of another type (e.g. RSA-1024, secp256k1).
std::optional<KeyType> KeyTypeOf(EVP_PKEY* key);

// Unencrypted PKCS#8 DER of the private key (a secret).
Result<SecretBytes> PrivateKeyToPkcs8Der(EVP_PKEY* key);

// A private key from PEM in any unencrypted form OpenSSL reads ("PRIVATE KEY",
// "EC PRIVATE KEY", "RSA PRIVATE KEY"); exactly one PEM block. An encrypted key is
// refused (never prompts for a password).
Result<EvpPkeyPtr> ParseAnyPrivateKeyPem(std::string_view pem);

// A public key from one PEM "PUBLIC KEY" (SubjectPublicKeyInfo) block.
Result<EvpPkeyPtr> ParsePublicKeyPem(std::string_view pem);

}  // namespace scone::crypto
