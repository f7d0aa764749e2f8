#include "crypto/keys.h"

#include <openssl/pem.h>

#include "crypto/pem.h"

namespace scone::crypto {

Result<EvpPkeyPtr> GenerateEcP256Key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generating an EC P-256 key");
  return key;
}

Result<SecretBytes> PrivateKeyToPkcs8Pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return OpenSslError("BIO_new");
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("encoding a private key as PKCS#8");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);  // NOLINT(google-runtime-int)
  if (n <= 0 || data == nullptr) return Internal("empty PKCS#8 encoding");
  return SecretBytes::CopyFrom(ByteView(reinterpret_cast<const uint8_t*>(data),  // NOLINT
                                        static_cast<size_t>(n)));
}

Result<EvpPkeyPtr> ParsePkcs8PrivateKeyDer(ByteView der) {
  const unsigned char* p = der.data();
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (info == nullptr) {
    return OpenSslError("not a PKCS#8 private key", Code::kInvalidArgument);
  }
  EvpPkeyPtr key(EVP_PKCS82PKEY(info));
  PKCS8_PRIV_KEY_INFO_free(info);
  if (!key) return OpenSslError("unsupported PKCS#8 private key", Code::kInvalidArgument);
  if (p != der.data() + der.size()) {
    return InvalidArgument("trailing bytes after the PKCS#8 private key");
  }
  return key;
}

Result<EvpPkeyPtr> ParsePrivateKeyPem(std::string_view pem) {
  SCONE_ASSIGN_OR_RETURN(auto blocks, ParsePemBlocks(pem));
  const PemBlock& b = blocks.front();
  if (b.type == "ENCRYPTED PRIVATE KEY") {
    return InvalidArgument(
        "the private key is encrypted; decrypt it first, e.g. with "
        "`openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem`");
  }
  if (b.type == "EC PRIVATE KEY" || b.type == "RSA PRIVATE KEY") {
    return InvalidArgument("the private key is in the traditional \"" + b.type +
                           "\" format, not PKCS#8; convert it with "
                           "`openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem`");
  }
  if (b.type != "PRIVATE KEY") {
    return InvalidArgument("expected a PEM \"PRIVATE KEY\" block first, found \"" + b.type + "\"");
  }
  return ParsePkcs8PrivateKeyDer(b.der.Reveal());
}

Result<Bytes> PublicKeySpkiDer(EVP_PKEY* key) {
  int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return OpenSslError("encoding a public key");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_PUBKEY(key, &p) != len) return OpenSslError("encoding a public key");
  return out;
}

Result<EvpPkeyPtr> ParsePublicKeySpkiDer(ByteView der) {
  const unsigned char* p = der.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) return OpenSslError("not a SubjectPublicKeyInfo", Code::kInvalidArgument);
  if (p != der.data() + der.size()) {
    return InvalidArgument("trailing bytes after the SubjectPublicKeyInfo");
  }
  return key;
}

bool SamePublicKey(EVP_PKEY* a, EVP_PKEY* b) { return EVP_PKEY_eq(a, b) == 1; }

}  // namespace scone::crypto
