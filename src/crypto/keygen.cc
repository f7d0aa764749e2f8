#include "crypto/keygen.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>

#include "crypto/keys.h"
#include "crypto/pem.h"

namespace scone::crypto {
namespace {

struct KeyTypeSpelling {
  std::string_view name;
  KeyType type;
};
constexpr KeyTypeSpelling kSpellings[] = {
    {"P-256", KeyType::kP256},       {"P-384", KeyType::kP384},
    {"P-521", KeyType::kP521},       {"Ed25519", KeyType::kEd25519},
    {"ed25519", KeyType::kEd25519},  {"RSA-2048", KeyType::kRsa2048},
    {"RSA-3072", KeyType::kRsa3072}, {"RSA-4096", KeyType::kRsa4096},
};

Result<EvpPkeyPtr> GenerateRsa(unsigned bits) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return OpenSslError("generating an RSA-" + std::to_string(bits) + " key");
  }
  return EvpPkeyPtr(raw);
}

// Exactly one PEM block of `type`; `what` names it in messages.
Status OneBlockOf(std::string_view pem, std::string_view what, bool want_private) {
  SCONE_ASSIGN_OR_RETURN(auto blocks, ParsePemBlocks(pem));
  if (blocks.size() != 1) return InvalidArgument("expected exactly one PEM " + std::string(what));
  const std::string& t = blocks[0].type;
  if (t == "ENCRYPTED PRIVATE KEY") {
    return InvalidArgument("the private key is encrypted; give it unencrypted (PKCS#8)");
  }
  bool ok = want_private ? (t == "PRIVATE KEY" || t == "EC PRIVATE KEY" || t == "RSA PRIVATE KEY")
                         : t == "PUBLIC KEY";
  if (!ok) return InvalidArgument("the PEM block is not a " + std::string(what));
  return Status::Ok();
}

// Refuses every password request (an encrypted key must never make OpenSSL prompt).
int NoPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

}  // namespace

std::optional<KeyType> ParseKeyType(std::string_view name) {
  for (const auto& s : kSpellings) {
    if (s.name == name) return s.type;
  }
  return std::nullopt;
}

std::string_view KeyTypeName(KeyType type) {
  for (const auto& s : kSpellings) {
    if (s.type == type) return s.name;
  }
  return "?";
}

Result<EvpPkeyPtr> GenerateKey(KeyType type) {
  EVP_PKEY* raw = nullptr;
  switch (type) {
    case KeyType::kP256:
      return GenerateEcP256Key();
    case KeyType::kP384:
      raw = EVP_EC_gen("P-384");
      break;
    case KeyType::kP521:
      raw = EVP_EC_gen("P-521");
      break;
    case KeyType::kEd25519:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case KeyType::kRsa2048:
      return GenerateRsa(2048);
    case KeyType::kRsa3072:
      return GenerateRsa(3072);
    case KeyType::kRsa4096:
      return GenerateRsa(4096);
  }
  if (raw == nullptr) {
    return OpenSslError("generating a " + std::string(KeyTypeName(type)) + " key");
  }
  return EvpPkeyPtr(raw);
}

std::optional<KeyType> KeyTypeOf(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519") == 1) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(key, "RSA") == 1) {
    switch (EVP_PKEY_get_bits(key)) {
      case 2048:
        return KeyType::kRsa2048;
      case 3072:
        return KeyType::kRsa3072;
      case 4096:
        return KeyType::kRsa4096;
      default:
        return std::nullopt;
    }
  }
  if (EVP_PKEY_is_a(key, "EC") == 1) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1) {
      ClearOpenSslErrors();
      return std::nullopt;
    }
    std::string_view g(group, len);
    if (g == "prime256v1" || g == "P-256") return KeyType::kP256;
    if (g == "secp384r1" || g == "P-384") return KeyType::kP384;
    if (g == "secp521r1" || g == "P-521") return KeyType::kP521;
  }
  return std::nullopt;
}

Result<SecretBytes> PrivateKeyToPkcs8Der(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || i2d_PKCS8PrivateKey_bio(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("encoding a private key as PKCS#8 DER");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);  // NOLINT(google-runtime-int)
  if (n <= 0 || data == nullptr) return Internal("empty PKCS#8 encoding");
  return SecretBytes::CopyFrom(ByteView(reinterpret_cast<const uint8_t*>(data),  // NOLINT
                                        static_cast<size_t>(n)));
}

Result<EvpPkeyPtr> ParseAnyPrivateKeyPem(std::string_view pem) {
  SCONE_RETURN_IF_ERROR(OneBlockOf(pem, "private key", true));
  SCONE_ASSIGN_OR_RETURN(BioPtr bio, MemBioOver(AsBytes(pem)));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (!key) return OpenSslError("not a readable private key", Code::kInvalidArgument);
  return key;
}

Result<EvpPkeyPtr> ParsePublicKeyPem(std::string_view pem) {
  SCONE_RETURN_IF_ERROR(OneBlockOf(pem, "public key", false));
  SCONE_ASSIGN_OR_RETURN(BioPtr bio, MemBioOver(AsBytes(pem)));
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr));
  if (!key) return OpenSslError("not a readable public key", Code::kInvalidArgument);
  return key;
}

}  // namespace scone::crypto
