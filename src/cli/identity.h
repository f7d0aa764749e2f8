// The user's identity: an ECDSA P-256 key and a self-signed X.509v3 certificate
// (DESIGN.md §4). CAS authenticates users by the certificate's key (TLS client
// certificate); access policies name users by its key hash.
#pragma once

#include <filesystem>
#include <string>

#include "common/secret.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::cli {

struct Identity {
  crypto::EvpPkeyPtr key;
  crypto::X509Ptr certificate;
  SecretBytes private_key_pem;  // unencrypted PKCS#8 PEM
  std::string certificate_pem;
  std::string key_hash;  // of the certificate's public key
};

// A fresh identity: new key, certificate valid from `now` - 1 hour with no expiry
// (notAfter 9999-12-31, RFC 5280 §4.1.2.5), CN "scone-cli user".
Result<Identity> GenerateIdentity(int64_t now);

// Builds an identity from PEM texts; fails unless the key is an unencrypted PKCS#8 key,
// the certificate an X.509v3 certificate, and the two belong together.
Result<Identity> IdentityFromPem(const SecretBytes& private_key_pem,
                                 std::string_view certificate_pem);

// Reads an identity file for --identity: a PEM PKCS#8 private key followed by an X.509v3
// certificate, nothing else. Each way of getting this wrong (missing file, encrypted or
// traditional key, certificate first, a missing part, extra blocks, key and certificate
// that do not match) is a kInvalidArgument/kNotFound error that says how to fix it.
Result<Identity> LoadIdentityFile(const std::filesystem::path& path);

}  // namespace scone::cli
