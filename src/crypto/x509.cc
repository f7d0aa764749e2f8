#include "crypto/x509.h"

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "crypto/pem.h"

namespace scone::crypto {

Result<X509Ptr> ParseCertificateDer(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return OpenSslError("not a DER X.509 certificate", Code::kInvalidArgument);
  if (p != der.data() + der.size()) {
    return InvalidArgument("trailing bytes after the DER certificate");
  }
  return cert;
}

namespace {

// `pem` with a line break after every "-----END ...-----" line that runs straight into the
// next block's "-----BEGIN": PCS issuer chains as other tools store them are sometimes
// joined that way, and OpenSSL's PEM reader needs the END line to stand alone. Base64
// never contains '-', so only framing lines are touched.
std::string SplitJoinedPemBlocks(std::string_view pem) {
  static constexpr std::string_view kEnd = "-----END ";
  static constexpr std::string_view kDashes = "-----";
  std::string out;
  out.reserve(pem.size() + 8);
  size_t pos = 0;
  for (;;) {
    size_t end = pem.find(kEnd, pos);
    if (end == std::string_view::npos) break;
    size_t close = pem.find(kDashes, end + kEnd.size());
    if (close == std::string_view::npos) break;
    size_t after = close + kDashes.size();
    out.append(pem.substr(pos, after - pos));
    if (pem.substr(after).starts_with("-----BEGIN ")) out.push_back('\n');
    pos = after;
  }
  out.append(pem.substr(pos));
  return out;
}

}  // namespace

Result<std::vector<X509Ptr>> ParseCertificatesPem(std::string_view pem) {
  SCONE_ASSIGN_OR_RETURN(auto blocks, ParsePemBlocks(SplitJoinedPemBlocks(pem)));
  std::vector<X509Ptr> certs;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].type != "CERTIFICATE") {
      return InvalidArgument("PEM block " + std::to_string(i + 1) + " is a \"" + blocks[i].type +
                             "\", not a CERTIFICATE");
    }
    auto cert = ParseCertificateDer(blocks[i].der.Reveal());
    if (!cert.ok()) {
      return cert.status().WithContext("PEM block " + std::to_string(i + 1));
    }
    certs.push_back(std::move(cert).value());
  }
  return certs;
}

Result<X509Ptr> ParseCertificatePemOrDer(ByteView data) {
  std::string_view text = AsChars(data);
  if (text.find("-----BEGIN") != std::string_view::npos) {
    SCONE_ASSIGN_OR_RETURN(auto certs, ParseCertificatesPem(text));
    return std::move(certs.front());
  }
  return ParseCertificateDer(data);
}

Result<std::string> CertificateToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("encoding a certificate as PEM");
  }
  return BioContents(bio.get());
}

Result<Bytes> CertificateToDer(X509* cert) {
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return OpenSslError("encoding a certificate as DER");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_X509(cert, &p) != len) return OpenSslError("encoding a certificate as DER");
  return out;
}

Result<Bytes> CertificateSpkiDer(X509* cert) {
  X509_PUBKEY* pub = X509_get_X509_PUBKEY(cert);  // not owned
  int len = i2d_X509_PUBKEY(pub, nullptr);
  if (len <= 0) return OpenSslError("encoding the certificate's public key");
  Bytes spki(static_cast<size_t>(len));
  unsigned char* p = spki.data();
  if (i2d_X509_PUBKEY(pub, &p) != len) return OpenSslError("encoding the certificate's public key");
  return spki;
}

Result<EvpPkeyPtr> CertificatePublicKey(X509* cert) {
  EvpPkeyPtr key(X509_get_pubkey(cert));
  if (!key) return OpenSslError("reading the certificate's public key", Code::kInvalidArgument);
  return key;
}

bool PrivateKeyMatchesCertificate(EVP_PKEY* key, X509* cert) {
  bool match = X509_check_private_key(cert, key) == 1;
  ClearOpenSslErrors();  // a mismatch leaves an error on the queue
  return match;
}

Result<int64_t> Asn1TimeToUnix(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return OpenSslError("malformed ASN.1 time", Code::kInvalidArgument);
  }
  return static_cast<int64_t>(timegm(&tm));
}

namespace {

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError("adding certificate extension " + std::string(OBJ_nid2sn(nid)));
  }
  return Status::Ok();
}

Status AddNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return Status::Ok();
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()),  // NOLINT
                                 -1, -1, 0) != 1) {
    return OpenSslError("setting the certificate name");
  }
  return Status::Ok();
}

}  // namespace

Result<X509Ptr> CreateCertificate(EVP_PKEY* subject_key, EVP_PKEY* issuer_key, X509* issuer,
                                  const CertificateOptions& options) {
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpenSslError("X509_set_version");

  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return OpenSslError("RAND_bytes");
  serial_bytes[0] &= 0x7f;  // positive
  serial_bytes[0] |= 0x01;  // and never zero-length after stripping leading zeros
  BignumPtr bn(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpenSslError("setting the serial number");
  }

  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(options.not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(options.not_after)) ==
          nullptr) {
    return OpenSslError("setting the validity period");
  }

  X509_NAME* subject = X509_get_subject_name(cert.get());
  SCONE_RETURN_IF_ERROR(AddNameEntry(subject, "C", options.country));
  SCONE_RETURN_IF_ERROR(AddNameEntry(subject, "ST", options.state_or_province));
  SCONE_RETURN_IF_ERROR(AddNameEntry(subject, "L", options.locality));
  SCONE_RETURN_IF_ERROR(AddNameEntry(subject, "O", options.organization));
  SCONE_RETURN_IF_ERROR(AddNameEntry(subject, "CN", options.common_name));
  SCONE_RETURN_IF_ERROR(AddNameEntry(subject, "emailAddress", options.email));
  X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : subject;
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1) {
    return OpenSslError("setting the issuer name");
  }
  if (X509_set_pubkey(cert.get(), subject_key) != 1) return OpenSslError("X509_set_pubkey");

  X509* issuer_cert = issuer != nullptr ? issuer : cert.get();
  SCONE_RETURN_IF_ERROR(AddExtension(cert.get(), issuer_cert, NID_basic_constraints,
                                     options.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  SCONE_RETURN_IF_ERROR(
      AddExtension(cert.get(), issuer_cert, NID_key_usage,
                   options.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"));
  SCONE_RETURN_IF_ERROR(AddExtension(cert.get(), issuer_cert, NID_subject_key_identifier, "hash"));
  SCONE_RETURN_IF_ERROR(
      AddExtension(cert.get(), issuer_cert, NID_authority_key_identifier, "keyid:always"));
  if (!options.subject_alt_names.empty()) {
    std::string san;
    for (const auto& n : options.subject_alt_names) {
      if (!san.empty()) san += ",";
      san += n;
    }
    SCONE_RETURN_IF_ERROR(AddExtension(cert.get(), issuer_cert, NID_subject_alt_name, san));
  }

  if (!options.extended_key_usage.empty()) {
    std::string eku;
    for (const auto& u : options.extended_key_usage) {
      if (!eku.empty()) eku += ",";
      eku += u;
    }
    SCONE_RETURN_IF_ERROR(AddExtension(cert.get(), issuer_cert, NID_ext_key_usage, eku));
  }

  // Ed25519 signs the message itself (no digest may be named).
  const EVP_MD* md = EVP_PKEY_is_a(issuer_key, "ED25519") == 1 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), issuer_key, md) <= 0) {
    return OpenSslError("signing the certificate");
  }
  return cert;
}

std::string SubjectName(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "?";
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  return BioContents(bio.get());
}

bool SameSubjectAndAltNames(X509* a, X509* b) {
  if (X509_NAME_cmp(X509_get_subject_name(a), X509_get_subject_name(b)) != 0) return false;
  auto san = [](X509* c) -> std::string {
    int i = X509_get_ext_by_NID(c, NID_subject_alt_name, -1);
    if (i < 0) return {};
    const ASN1_OCTET_STRING* d = X509_EXTENSION_get_data(X509_get_ext(c, i));
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(d)),  // NOLINT
            static_cast<size_t>(ASN1_STRING_length(d))};
  };
  return san(a) == san(b);
}

}  // namespace scone::crypto
