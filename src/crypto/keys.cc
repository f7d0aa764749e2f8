#include "crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <string>

#include "crypto/kdf.h"
#include "crypto/pem.h"

namespace scone::crypto {

Result<EvpPkeyPtr> GenerateEcP256Key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generating an EC P-256 key");
  return key;
}

namespace {
using EcGroupPtr = std::unique_ptr<EC_GROUP, OpenSslDeleter<EC_GROUP_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, OpenSslDeleter<EC_POINT_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OpenSslDeleter<BN_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM_free>>;
using SecretBignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_clear_free>>;
}  // namespace

Result<EvpPkeyPtr> DeriveEcP256Key(const SecretBytes& seed, ByteView info) {
  if (seed.size() < 32) return InvalidArgument("key derivation seed shorter than 32 bytes");
  EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BnCtxPtr bn_ctx(BN_CTX_secure_new());
  if (!group || !bn_ctx) return OpenSslError("EC_GROUP_new_by_curve_name");
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  SecretBignumPtr d(BN_secure_new());
  if (!d) return OpenSslError("BN_secure_new");
  for (uint8_t counter = 0;; ++counter) {
    if (counter == 16) return Internal("no valid P-256 scalar after 16 tries");
    Bytes ctx_info(info.begin(), info.end());
    ctx_info.push_back(counter);
    SCONE_ASSIGN_OR_RETURN(
        SecretBytes okm,
        HkdfSha256(seed, AsBytes(std::string_view("scone-derive-ec-p256/1")), ctx_info, 32));
    if (BN_bin2bn(okm.Reveal().data(), 32, d.get()) == nullptr) return OpenSslError("BN_bin2bn");
    if (!BN_is_zero(d.get()) && BN_cmp(d.get(), order) < 0) break;
  }
  EcPointPtr pub(EC_POINT_new(group.get()));
  if (!pub || EC_POINT_mul(group.get(), pub.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1) {
    return OpenSslError("computing a P-256 public key");
  }
  size_t pub_len = EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED,
                                      nullptr, 0, bn_ctx.get());
  Bytes pub_bytes(pub_len);
  if (pub_len == 0 || EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED,
                                         pub_bytes.data(), pub_len, bn_ctx.get()) != pub_len) {
    return OpenSslError("encoding a P-256 public key");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub_bytes.data(),
                                       pub_bytes.size()) != 1) {
    return OpenSslError("building P-256 key parameters");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return OpenSslError("making a P-256 key from derived parameters");
  }
  return EvpPkeyPtr(raw);
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
  // EVP_PKCS82PKEY runs OpenSSL 3's generic decoder set-up (every provider's decoders for
  // every key type), which was half of `scone self show`'s instructions. For the key types
  // we know, name the type and structure so only that decoder is set up; the bytes are
  // still fully parsed and checked by OpenSSL. Other types keep the generic path.
  const ASN1_OBJECT* alg = nullptr;
  const char* key_type = nullptr;
  if (PKCS8_pkey_get0(&alg, nullptr, nullptr, nullptr, info) == 1) {
    switch (OBJ_obj2nid(alg)) {
      case NID_X9_62_id_ecPublicKey:
        key_type = "EC";
        break;
      case NID_rsaEncryption:
        key_type = "RSA";
        break;
      case NID_ED25519:
        key_type = "ED25519";
        break;
      default:
        break;
    }
  }
  EvpPkeyPtr key;
  if (key_type == nullptr) {
    key.reset(EVP_PKCS82PKEY(info));
    PKCS8_PRIV_KEY_INFO_free(info);
    if (!key) return OpenSslError("unsupported PKCS#8 private key", Code::kInvalidArgument);
  } else {
    PKCS8_PRIV_KEY_INFO_free(info);
    EVP_PKEY* decoded = nullptr;
    OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(
        &decoded, "DER", "PrivateKeyInfo", key_type, EVP_PKEY_KEYPAIR, nullptr, nullptr);
    if (dctx == nullptr) return OpenSslError("setting up the private key decoder");
    const unsigned char* in = der.data();
    size_t in_len = der.size();
    const int ok = OSSL_DECODER_from_data(dctx, &in, &in_len);
    OSSL_DECODER_CTX_free(dctx);
    key.reset(decoded);
    if (ok != 1 || !key) {
      return OpenSslError("unsupported PKCS#8 private key", Code::kInvalidArgument);
    }
  }
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
