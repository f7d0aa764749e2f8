// SCONE key hashes (DESIGN.md §4):
//   Base58Check(0x01 || SHA-256(DER SubjectPublicKeyInfo)), Bitcoin alphabet.
// They name user keys, the CAS key and the CAS software key, e.g. in access policies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

inline constexpr uint8_t kKeyHashVersion = 0x01;

std::string KeyHashFromSpkiDer(ByteView spki_der);
Result<std::string> KeyHashOfPublicKey(EVP_PKEY* key);
Result<std::string> KeyHashOfCertificate(X509* cert);

// Decodes a key hash to its SHA-256 digest: fails on characters outside the alphabet, a bad
// checksum, a version other than 1 or a length other than 37 bytes.
Result<Sha256Digest> DecodeKeyHash(std::string_view key_hash);

}  // namespace scone::crypto
