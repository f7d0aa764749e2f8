#include "crypto/ecdsa.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <algorithm>

namespace scone::crypto {

Result<EvpPkeyPtr> EcP256PublicKeyFromRaw(ByteView xy) {
  if (xy.size() != 64) {
    return InvalidArgument("a raw P-256 public key has 64 bytes, got " + std::to_string(xy.size()));
  }
  Bytes point(65);
  point[0] = 0x04;  // uncompressed
  std::copy(xy.begin(), xy.end(), point.begin() + 1);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"),
                                       0),  // NOLINT
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return OpenSslError("not a valid P-256 public key", Code::kInvalidArgument);
  }
  EvpPkeyPtr key(raw);
  // fromdata does not check that the point is on the curve; do it explicitly.
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return OpenSslError("the P-256 public key is not a point on the curve", Code::kInvalidArgument);
  }
  return key;
}

Result<ByteArray<64>> EcP256PublicKeyToRaw(EVP_PKEY* key) {
  unsigned char buf[65];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len) != 1 ||
      len != 65 || buf[0] != 0x04) {
    return OpenSslError("not an uncompressed P-256 public key", Code::kInvalidArgument);
  }
  ByteArray<64> out{};
  std::copy(buf + 1, buf + 65, out.begin());
  return out;
}

namespace {

// DER ECDSA-Sig-Value from r||s.
Result<Bytes> RawToDer(ByteView rs) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(rs.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(rs.data() + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OpenSslError("ECDSA_SIG_set0");
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return OpenSslError("i2d_ECDSA_SIG");
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

}  // namespace

Status VerifySignatureDer(EVP_PKEY* key, ByteView message, ByteView der_signature) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return OpenSslError("EVP_DigestVerifyInit");
  }
  int rc = EVP_DigestVerify(ctx.get(), der_signature.data(), der_signature.size(), message.data(),
                            message.size());
  if (rc != 1) {
    ClearOpenSslErrors();
    return VerificationFailed("signature does not verify");
  }
  return Status::Ok();
}

Status VerifyEcdsaP256Raw(EVP_PKEY* key, ByteView message, ByteView signature) {
  if (signature.size() != 64) {
    return VerificationFailed("an ECDSA P-256 signature has 64 bytes, got " +
                              std::to_string(signature.size()));
  }
  SCONE_ASSIGN_OR_RETURN(Bytes der, RawToDer(signature));
  return VerifySignatureDer(key, message, der);
}

Result<ByteArray<64>> SignEcdsaP256Raw(EVP_PKEY* key, ByteView message) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return OpenSslError("EVP_DigestSignInit");
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return OpenSslError("EVP_DigestSign");
  }
  Bytes der(len);
  if (EVP_DigestSign(ctx.get(), der.data(), &len, message.data(), message.size()) != 1) {
    return OpenSslError("EVP_DigestSign");
  }
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig) return OpenSslError("d2i_ECDSA_SIG");
  ByteArray<64> out{};
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, 32) != 32) {
    return OpenSslError("BN_bn2binpad");
  }
  return out;
}

}  // namespace scone::crypto
