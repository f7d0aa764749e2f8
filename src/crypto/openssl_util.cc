#include "crypto/openssl_util.h"

#include <openssl/err.h>

#include <climits>
#include <string>

namespace scone::crypto {

// Never freed: shared by every thread, read-only once fetched (static initialization is
// thread-safe).
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md;
}

const EVP_CIPHER* Aes256GcmAlgorithm() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

Status OpenSslError(std::string_view context, Code code) {
  std::string m(context);
  bool first = true;
  unsigned long err = 0;  // NOLINT(google-runtime-int): OpenSSL's type
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    m += first ? ": " : "; ";
    // Keep the reason string only ("error:0480006C:PEM routines::no start line" ->
    // "PEM routines::no start line") to keep messages readable.
    std::string_view s(buf);
    size_t pos = s.find(':', s.find(':') + 1);
    m += pos == std::string_view::npos ? s : s.substr(pos + 1);
    first = false;
  }
  return {code == Code::kOk ? Code::kInternal : code, std::move(m)};
}

void ClearOpenSslErrors() { ERR_clear_error(); }

Result<BioPtr> MemBioOver(ByteView data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return InvalidArgument("input too large");
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  return bio;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int): OpenSSL's type
  if (n <= 0 || data == nullptr) return {};
  return {data, static_cast<size_t>(n)};
}

}  // namespace scone::crypto
