#include "crypto/hash.h"

#include <openssl/sha.h>

#include <cstdlib>

namespace scone::crypto {

Sha256Digest Sha256(ByteView data) {
  Sha256Digest out{};
  const EVP_MD* md = Sha256Algorithm();
  if (md == nullptr ||
      EVP_Digest(data.data(), data.size(), out.data(), nullptr, md, nullptr) != 1) {
    std::abort();  // as Sha256Hasher: SHA-256 missing from OpenSSL is a broken installation
  }
  return out;
}

ByteArray<64> Sha512(ByteView data) {
  ByteArray<64> out{};
  ::SHA512(data.data(), data.size(), out.data());
  return out;
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  const EVP_MD* md = Sha256Algorithm();
  if (!ctx_ || md == nullptr || EVP_DigestInit_ex(ctx_.get(), md, nullptr) != 1) std::abort();
}

Sha256Hasher& Sha256Hasher::Update(ByteView data) {
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) std::abort();
  return *this;
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out{};
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), nullptr) != 1) std::abort();
  return out;
}

}  // namespace scone::crypto
