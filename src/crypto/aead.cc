#include "crypto/aead.h"

#include <climits>

#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace scone::crypto {
namespace {

Status CheckSizes(const SecretBytes& key, size_t data, size_t aad) {
  if (key.size() != kAesGcmKeySize) {
    return InvalidArgument("AES-256-GCM needs a 32-byte key, got " + std::to_string(key.size()));
  }
  if (data > static_cast<size_t>(INT_MAX) - 64 || aad > static_cast<size_t>(INT_MAX)) {
    return InvalidArgument("AES-256-GCM input too large");
  }
  return Status::Ok();
}

}  // namespace

Result<Bytes> AesGcmSeal(const SecretBytes& key, ByteView plaintext, ByteView associated_data) {
  SCONE_RETURN_IF_ERROR(CheckSizes(key, plaintext.size(), associated_data.size()));
  SCONE_ASSIGN_OR_RETURN(Bytes nonce, RandomBytes(kAesGcmNonceSize));
  Bytes out(kAesGcmNonceSize + plaintext.size() + kAesGcmTagSize);
  std::copy(nonce.begin(), nonce.end(), out.begin());
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  uint8_t* ct = out.data() + kAesGcmNonceSize;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), Aes256GcmAlgorithm(), nullptr, key.Reveal().data(),
                         nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, associated_data.data(),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct, &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAesGcmTagSize),
                          ct + plaintext.size()) != 1) {
    return OpenSslError("AES-256-GCM encryption");
  }
  return out;
}

Result<SecretBytes> AesGcmOpen(const SecretBytes& key, ByteView sealed, ByteView associated_data) {
  SCONE_RETURN_IF_ERROR(CheckSizes(key, sealed.size(), associated_data.size()));
  if (sealed.size() < kAesGcmOverhead) {
    return DataLoss("sealed data is truncated (" + std::to_string(sealed.size()) +
                    " bytes, at least " + std::to_string(kAesGcmOverhead) + " needed)");
  }
  const size_t ct_len = sealed.size() - kAesGcmOverhead;
  const uint8_t* nonce = sealed.data();
  const uint8_t* ct = nonce + kAesGcmNonceSize;
  Bytes tag(ct + ct_len, ct + ct_len + kAesGcmTagSize);
  SecretBytes out(ct_len);
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), Aes256GcmAlgorithm(), nullptr, key.Reveal().data(), nonce) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, associated_data.data(),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out.RevealMutable(), &len, ct, static_cast<int>(ct_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAesGcmTagSize),
                          tag.data()) != 1) {
    return OpenSslError("AES-256-GCM decryption");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out.RevealMutable() + len, &len) != 1) {
    ClearOpenSslErrors();
    return DataLoss("sealed data failed authentication (changed, or wrong key or context)");
  }
  return out;
}

}  // namespace scone::crypto
