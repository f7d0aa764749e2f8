// X.509 certificates: parsing, encoding, creation, inspection. All through OpenSSL.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

// Parses one DER certificate; trailing bytes are an error.
Result<X509Ptr> ParseCertificateDer(ByteView der);

// Every "CERTIFICATE" block of `pem`, in order. Fails if a block is malformed, if a block
// of another type is present (a private key where a certificate was expected must not be
// skipped silently), or if there is none. Blocks joined without a line break
// ("-----END CERTIFICATE----------BEGIN CERTIFICATE-----", as some tools store PCS issuer
// chains) are accepted.
Result<std::vector<X509Ptr>> ParseCertificatesPem(std::string_view pem);

// A certificate from PEM or DER bytes (as found in a file of unknown encoding).
Result<X509Ptr> ParseCertificatePemOrDer(ByteView data);

Result<std::string> CertificateToPem(X509* cert);
Result<Bytes> CertificateToDer(X509* cert);

// The certificate's public key (owned by the caller).
Result<EvpPkeyPtr> CertificatePublicKey(X509* cert);

// The certificate's SubjectPublicKeyInfo as DER, byte-identical to the one inside the
// certificate (DER is canonical). Cheap: it re-encodes the parsed structure and does not go
// through OpenSSL 3's key decoders and encoders as CertificatePublicKey + PublicKeySpkiDer do.
Result<Bytes> CertificateSpkiDer(X509* cert);

// Whether `key` is the private key for `cert`'s public key.
bool PrivateKeyMatchesCertificate(EVP_PKEY* key, X509* cert);

// Seconds since the epoch of an ASN1_TIME.
Result<int64_t> Asn1TimeToUnix(const ASN1_TIME* t);

struct CertificateOptions {
  std::string common_name;
  std::string organization;  // optional
  // Optional further subject attributes (C, ST, L, emailAddress); the caller checks their
  // lengths and character sets (OpenSSL refuses what X.520 does not allow).
  std::string country;
  std::string state_or_province;
  std::string locality;
  std::string email;
  int64_t not_before = 0;  // Unix seconds
  int64_t not_after = 0;   // Unix seconds
  bool is_ca = false;
  // Subject alternative names, e.g. {"DNS:localhost", "IP:127.0.0.1"}; empty for none.
  std::vector<std::string> subject_alt_names;
  // Extended key usages, e.g. {"serverAuth", "clientAuth"}; empty for no extension.
  std::vector<std::string> extended_key_usage;
};

// Creates an X.509v3 certificate for `subject_key` (its public half), signed by
// `issuer_key` with SHA-256 (Ed25519 keys sign with PureEdDSA, no digest). With `issuer` null the
// certificate is self-signed (the issuer name is the subject name and `issuer_key` must be
// `subject_key`). The serial number is 128 random bits. Extensions: basicConstraints (critical),
// keyUsage (critical), subjectKeyIdentifier, authorityKeyIdentifier, any subjectAltName and any
// extendedKeyUsage.
Result<X509Ptr> CreateCertificate(EVP_PKEY* subject_key, EVP_PKEY* issuer_key, X509* issuer,
                                  const CertificateOptions& options);

// The subject as an RFC 2253 string (for messages).
std::string SubjectName(X509* cert);

// Whether two certificates carry the same subject and the same subjectAltName extension
// (byte for byte).
bool SameSubjectAndAltNames(X509* a, X509* b);

}  // namespace scone::crypto
