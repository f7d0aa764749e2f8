#include "cli/identity.h"

#include <string>

#include "common/file_util.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/pem.h"
#include "crypto/x509.h"

namespace scone::cli {
namespace {

// 9999-12-31T23:59:59Z: "no well-defined expiration date" (RFC 5280 §4.1.2.5).
constexpr int64_t kNoExpiry = 253402300799;

Result<Identity> Assemble(crypto::EvpPkeyPtr key, crypto::X509Ptr cert, SecretBytes key_pem) {
  if (X509_get_version(cert.get()) != X509_VERSION_3) {
    return InvalidArgument("the certificate is not an X.509 version 3 certificate");
  }
  if (!crypto::PrivateKeyMatchesCertificate(key.get(), cert.get())) {
    return InvalidArgument(
        "the private key does not belong to the certificate (their public keys differ)");
  }
  Identity id;
  SCONE_ASSIGN_OR_RETURN(id.certificate_pem, crypto::CertificateToPem(cert.get()));
  SCONE_ASSIGN_OR_RETURN(id.key_hash, crypto::KeyHashOfCertificate(cert.get()));
  id.key = std::move(key);
  id.certificate = std::move(cert);
  id.private_key_pem = std::move(key_pem);
  return id;
}

}  // namespace

Result<Identity> GenerateIdentity(int64_t now) {
  SCONE_ASSIGN_OR_RETURN(auto key, crypto::GenerateEcP256Key());
  crypto::CertificateOptions opts;
  opts.common_name = "scone-cli user";
  opts.not_before = now - 3600;
  opts.not_after = kNoExpiry;
  SCONE_ASSIGN_OR_RETURN(auto cert, crypto::CreateCertificate(key.get(), key.get(), nullptr, opts));
  SCONE_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::PrivateKeyToPkcs8Pem(key.get()));
  return Assemble(std::move(key), std::move(cert), std::move(key_pem));
}

Result<Identity> IdentityFromPem(const SecretBytes& private_key_pem,
                                 std::string_view certificate_pem) {
  auto key = crypto::ParsePrivateKeyPem(AsChars(private_key_pem.Reveal()));
  if (!key.ok()) return key.status().WithContext("identity private key");
  auto certs = crypto::ParseCertificatesPem(certificate_pem);
  if (!certs.ok()) return certs.status().WithContext("identity certificate");
  if (certs->size() != 1) {
    return InvalidArgument("identity certificate: expected one certificate, found " +
                           std::to_string(certs->size()));
  }
  return Assemble(std::move(key).value(), std::move(certs->front()), private_key_pem);
}

Result<Identity> LoadIdentityFile(const std::filesystem::path& path) {
  const std::string where = "identity file " + path.string();
  auto text = ReadFile(path, 1 << 20);
  if (!text.ok()) return text.status().WithContext(where);
  // The file holds a private key: keep its text in wiping memory from here on.
  SecretBytes secret_text = SecretBytes::CopyFrom(AsBytes(*text));
  WipeMemory(text->data(), text->size());

  auto blocks = crypto::ParsePemBlocks(AsChars(secret_text.Reveal()));
  if (!blocks.ok()) return blocks.status().WithContext(where);
  const std::string expected =
      "; expected a PEM \"PRIVATE KEY\" (unencrypted PKCS#8) followed by a \"CERTIFICATE\"";
  const auto& b = *blocks;
  auto type_at = [&](size_t i) { return i < b.size() ? b[i].type : std::string(); };

  if (type_at(0) == "CERTIFICATE") {
    for (size_t i = 1; i < b.size(); ++i) {
      if (b[i].type.find("PRIVATE KEY") != std::string::npos) {
        return InvalidArgument(where +
                               ": the certificate comes before the private key; put the "
                               "private key first" +
                               expected);
      }
    }
    return InvalidArgument(where + ": the private key is missing" + expected);
  }
  if (type_at(0) == "ENCRYPTED PRIVATE KEY") {
    return InvalidArgument(where +
                           ": the private key is encrypted; decrypt it with `openssl pkcs8 "
                           "-topk8 -nocrypt -in KEY -out KEY.pem`" +
                           expected);
  }
  if (type_at(0) == "EC PRIVATE KEY" || type_at(0) == "RSA PRIVATE KEY") {
    return InvalidArgument(where + ": the private key is a traditional \"" + type_at(0) +
                           "\", not PKCS#8; convert it with `openssl pkcs8 -topk8 -nocrypt -in "
                           "KEY -out KEY.pem`" +
                           expected);
  }
  if (type_at(0) != "PRIVATE KEY") {
    return InvalidArgument(where + ": the first PEM block is a \"" + type_at(0) + "\"" + expected);
  }
  if (b.size() < 2) return InvalidArgument(where + ": the certificate is missing" + expected);
  if (type_at(1) != "CERTIFICATE") {
    return InvalidArgument(where + ": the second PEM block is a \"" + type_at(1) + "\"" + expected);
  }
  if (b.size() > 2) {
    return InvalidArgument(where + ": unexpected PEM block 3 (\"" + type_at(2) + "\")" + expected +
                           ", nothing else");
  }

  auto key = crypto::ParsePkcs8PrivateKeyDer(b[0].der.Reveal());
  if (!key.ok()) return key.status().WithContext(where);
  auto cert = crypto::ParseCertificateDer(b[1].der.Reveal());
  if (!cert.ok()) return cert.status().WithContext(where);
  SCONE_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::PrivateKeyToPkcs8Pem(key->get()));
  auto id = Assemble(std::move(key).value(), std::move(cert).value(), std::move(key_pem));
  if (!id.ok()) return id.status().WithContext(where);
  return id;
}

}  // namespace scone::cli
