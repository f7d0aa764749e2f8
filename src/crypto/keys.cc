#include "crypto/keys.h"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

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

// The P-256 key pair of the private scalar `d` (in [1, n-1]): the public point is computed
// from `d`; when `expected_public` is not empty (an uncompressed point stored beside the
// scalar, as in PKCS#8), it must be that point.
Result<EvpPkeyPtr> P256KeyFromScalar(const EC_GROUP* group, const BIGNUM* d, BN_CTX* bn_ctx,
                                     ByteView expected_public) {
  EcPointPtr pub(EC_POINT_new(group));
  if (!pub || EC_POINT_mul(group, pub.get(), d, nullptr, nullptr, bn_ctx) != 1) {
    return OpenSslError("computing a P-256 public key");
  }
  size_t pub_len =
      EC_POINT_point2oct(group, pub.get(), POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, bn_ctx);
  Bytes pub_bytes(pub_len);
  if (pub_len == 0 || EC_POINT_point2oct(group, pub.get(), POINT_CONVERSION_UNCOMPRESSED,
                                         pub_bytes.data(), pub_len, bn_ctx) != pub_len) {
    return OpenSslError("encoding a P-256 public key");
  }
  if (!expected_public.empty() && !std::equal(pub_bytes.begin(), pub_bytes.end(),
                                              expected_public.begin(), expected_public.end())) {
    return InvalidArgument(
        "the PKCS#8 private key's public key does not belong to its private key; the key "
        "file is corrupt or was tampered with");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub_bytes.data(),
                                       pub_bytes.size()) != 1) {
    return OpenSslError("building P-256 key parameters");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return OpenSslError("making a P-256 key from its private scalar");
  }
  return EvpPkeyPtr(raw);
}

// Frees a parsed ECPrivateKey, wiping the private scalar first.
struct EcPrivateKeySequenceDeleter {
  void operator()(ASN1_SEQUENCE_ANY* seq) const {
    for (int i = 0; i < sk_ASN1_TYPE_num(seq); ++i) {
      ASN1_TYPE* element = sk_ASN1_TYPE_value(seq, i);
      if (element->type == V_ASN1_OCTET_STRING && element->value.octet_string != nullptr) {
        OPENSSL_cleanse(element->value.octet_string->data,
                        static_cast<size_t>(element->value.octet_string->length));
      }
    }
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
  }
};
using EcPrivateKeySequencePtr = std::unique_ptr<ASN1_SEQUENCE_ANY, EcPrivateKeySequenceDeleter>;
using Pkcs8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, OpenSslDeleter<PKCS8_PRIV_KEY_INFO_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpenSslDeleter<ASN1_OBJECT_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, OpenSslDeleter<ASN1_BIT_STRING_free>>;

constexpr size_t kP256ScalarSize = 32;
constexpr size_t kP256UncompressedPointSize = 65;

Status MalformedEcPrivateKey(std::string_view what) {
  return InvalidArgument("the PKCS#8 key is not a valid P-256 private key: " + std::string(what));
}

// The key of an RFC 5915 ECPrivateKey (the private key of a P-256 PKCS#8 key): version 1,
// the 32-byte scalar in [1, n-1], and optionally [0] the curve, which must be P-256, and
// [1] the public key, which must belong to the scalar. OpenSSL's generic parser reads the
// DER; OpenSSL's decoders are not set up, which is what makes this path cheap.
Result<EvpPkeyPtr> ParseP256EcPrivateKey(ByteView der) {
  const unsigned char* p = der.data();
  EcPrivateKeySequencePtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(der.size())));
  if (!seq || p != der.data() + der.size()) return MalformedEcPrivateKey("bad DER");
  const int count = sk_ASN1_TYPE_num(seq.get());
  if (count < 2 || count > 4) return MalformedEcPrivateKey("wrong number of fields");
  const ASN1_TYPE* version = sk_ASN1_TYPE_value(seq.get(), 0);
  if (version->type != V_ASN1_INTEGER || ASN1_INTEGER_get(version->value.integer) != 1) {
    return MalformedEcPrivateKey("version is not 1");
  }
  const ASN1_TYPE* scalar = sk_ASN1_TYPE_value(seq.get(), 1);
  if (scalar->type != V_ASN1_OCTET_STRING ||
      static_cast<size_t>(ASN1_STRING_length(scalar->value.octet_string)) != kP256ScalarSize) {
    return MalformedEcPrivateKey("the private scalar is not 32 bytes");
  }
  Bytes expected_public;
  int last_tag = -1;
  for (int i = 2; i < count; ++i) {
    const ASN1_TYPE* field = sk_ASN1_TYPE_value(seq.get(), i);
    if (field->type != V_ASN1_OTHER) return MalformedEcPrivateKey("unexpected field");
    // A context-tagged field is kept whole (tag, length, contents): unwrap the explicit tag.
    const unsigned char* field_start = ASN1_STRING_get0_data(field->value.asn1_string);
    const long field_size = ASN1_STRING_length(field->value.asn1_string);
    const unsigned char* q = field_start;
    long len = 0;
    int tag = 0;
    int tag_class = 0;
    const int flags = ASN1_get_object(&q, &len, &tag, &tag_class, field_size);
    if ((flags & 0x80) != 0 || (flags & V_ASN1_CONSTRUCTED) == 0 ||
        tag_class != V_ASN1_CONTEXT_SPECIFIC || tag <= last_tag || tag > 1 ||
        q + len != field_start + field_size) {
      return MalformedEcPrivateKey("unexpected field");
    }
    last_tag = tag;
    const unsigned char* end = q + len;
    if (tag == 0) {
      Asn1ObjectPtr curve(d2i_ASN1_OBJECT(nullptr, &q, len));
      if (!curve || q != end || OBJ_obj2nid(curve.get()) != NID_X9_62_prime256v1) {
        return MalformedEcPrivateKey("its curve is not P-256");
      }
    } else {
      Asn1BitStringPtr bits(d2i_ASN1_BIT_STRING(nullptr, &q, len));
      if (!bits || q != end || (bits->flags & 0x07) != 0 ||
          static_cast<size_t>(bits->length) != kP256UncompressedPointSize ||
          bits->data[0] != POINT_CONVERSION_UNCOMPRESSED) {
        return MalformedEcPrivateKey("its public key is not an uncompressed P-256 point");
      }
      expected_public.assign(bits->data, bits->data + bits->length);
    }
  }
  EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BnCtxPtr bn_ctx(BN_CTX_secure_new());
  SecretBignumPtr d(BN_secure_new());
  if (!group || !bn_ctx || !d) return OpenSslError("setting up P-256");
  if (BN_bin2bn(scalar->value.octet_string->data, static_cast<int>(kP256ScalarSize), d.get()) ==
      nullptr) {
    return OpenSslError("BN_bin2bn");
  }
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return MalformedEcPrivateKey("the private scalar is out of range");
  }
  return P256KeyFromScalar(group.get(), d.get(), bn_ctx.get(), expected_public);
}

// Whether a PKCS#8 AlgorithmIdentifier names an EC key on the named curve P-256.
bool IsP256Algorithm(const X509_ALGOR* algorithm) {
  const ASN1_OBJECT* oid = nullptr;
  int parameter_type = 0;
  const void* parameter = nullptr;
  X509_ALGOR_get0(&oid, &parameter_type, &parameter, algorithm);
  return OBJ_obj2nid(oid) == NID_X9_62_id_ecPublicKey && parameter_type == V_ASN1_OBJECT &&
         OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(parameter)) == NID_X9_62_prime256v1;
}
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
  return P256KeyFromScalar(group.get(), d.get(), bn_ctx.get(), {});
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
  Pkcs8InfoPtr info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info) return OpenSslError("not a PKCS#8 private key", Code::kInvalidArgument);
  if (p != der.data() + der.size()) {
    return InvalidArgument("trailing bytes after the PKCS#8 private key");
  }
  // EVP_PKCS82PKEY runs OpenSSL 3's generic decoder set-up (every provider's decoders for
  // every key type), which was half of `scone self show`'s instructions. P-256 keys (all
  // keys this project makes) are read by ParseP256EcPrivateKey, which also checks that a
  // stored public key belongs to the private key. For the other key types we know, name the
  // type and structure so only that decoder is set up. Other types keep the generic path.
  const ASN1_OBJECT* oid = nullptr;
  const unsigned char* private_der = nullptr;
  int private_size = 0;
  const X509_ALGOR* algorithm = nullptr;
  if (PKCS8_pkey_get0(&oid, &private_der, &private_size, &algorithm, info.get()) != 1) {
    return OpenSslError("reading the PKCS#8 private key", Code::kInvalidArgument);
  }
  if (IsP256Algorithm(algorithm)) {
    return ParseP256EcPrivateKey(ByteView(private_der, static_cast<size_t>(private_size)));
  }
  const char* key_type = nullptr;
  switch (OBJ_obj2nid(oid)) {
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
  EvpPkeyPtr key;
  if (key_type == nullptr) {
    key.reset(EVP_PKCS82PKEY(info.get()));
  } else {
    EVP_PKEY* decoded = nullptr;
    OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(
        &decoded, "DER", "PrivateKeyInfo", key_type, EVP_PKEY_KEYPAIR, nullptr, nullptr);
    if (dctx == nullptr) return OpenSslError("setting up the private key decoder");
    const unsigned char* in = der.data();
    size_t in_len = der.size();
    const int ok = OSSL_DECODER_from_data(dctx, &in, &in_len);
    OSSL_DECODER_CTX_free(dctx);
    key.reset(decoded);
    if (ok != 1) key.reset();
  }
  if (!key) return OpenSslError("unsupported PKCS#8 private key", Code::kInvalidArgument);
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

bool IsEd25519OrP384Key(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519") == 1) return true;
  if (EVP_PKEY_is_a(key, "EC") != 1) return false;
  std::array<char, 64> group{};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) != 1) return false;
  std::string_view name(group.data(), len);
  return name == "secp384r1" || name == "P-384";
}

}  // namespace scone::crypto
