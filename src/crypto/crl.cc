#include "crypto/crl.h"

#include <openssl/pem.h>

#include <string_view>

#include "crypto/x509.h"

namespace scone::crypto {

Result<X509CrlPtr> ParseCrlDer(ByteView der) {
  const unsigned char* p = der.data();
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));  // NOLINT
  if (!crl) return OpenSslError("not a DER X.509 CRL", Code::kInvalidArgument);
  if (p != der.data() + der.size()) return InvalidArgument("trailing bytes after the DER CRL");
  return crl;
}

Result<X509CrlPtr> ParseCrlPemOrDer(ByteView data) {
  if (AsChars(data).find("-----BEGIN") == std::string_view::npos) return ParseCrlDer(data);
  SCONE_ASSIGN_OR_RETURN(BioPtr bio, MemBioOver(data));
  X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return OpenSslError("not a PEM X.509 CRL", Code::kInvalidArgument);
  return crl;
}

Result<Bytes> CrlToDer(X509_CRL* crl) {
  int len = i2d_X509_CRL(crl, nullptr);
  if (len <= 0) return OpenSslError("encoding a CRL as DER");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_X509_CRL(crl, &p) != len) return OpenSslError("encoding a CRL as DER");
  return out;
}

Result<int64_t> CrlThisUpdate(const X509_CRL* crl) {
  const ASN1_TIME* t = X509_CRL_get0_lastUpdate(crl);
  if (t == nullptr) return InvalidArgument("the CRL has no thisUpdate");
  return Asn1TimeToUnix(t);
}

Result<int64_t> CrlNextUpdate(const X509_CRL* crl) {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(crl);
  if (t == nullptr) return InvalidArgument("the CRL has no nextUpdate");
  return Asn1TimeToUnix(t);
}

Status VerifyCrlIssuedBy(X509_CRL* crl, X509* issuer) {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) {
    return VerificationFailed("the CRL's issuer is not " + SubjectName(issuer));
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (key == nullptr || X509_CRL_verify(crl, key) != 1) {
    ClearOpenSslErrors();
    return VerificationFailed("the CRL's signature does not verify with the key of " +
                              SubjectName(issuer));
  }
  return Status::Ok();
}

bool CrlListsCertificate(X509_CRL* crl, X509* cert) {
  X509_REVOKED* entry = nullptr;
  return X509_CRL_get0_by_serial(crl, &entry, X509_get_serialNumber(cert)) == 1;
}

Result<X509CrlPtr> CreateCrl(X509* issuer, EVP_PKEY* issuer_key, const std::vector<X509*>& revoked,
                             int64_t this_update, int64_t next_update) {
  X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer)) != 1) {
    return OpenSslError("creating a CRL");
  }
  Asn1TimePtr last(ASN1_TIME_set(nullptr, static_cast<time_t>(this_update)));
  Asn1TimePtr next(ASN1_TIME_set(nullptr, static_cast<time_t>(next_update)));
  if (!last || !next || X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return OpenSslError("setting the CRL's update times");
  }
  for (X509* cert : revoked) {
    X509_REVOKED* entry = X509_REVOKED_new();
    if (entry == nullptr ||
        X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(cert)) != 1 ||
        X509_REVOKED_set_revocationDate(entry, last.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry) != 1) {
      X509_REVOKED_free(entry);
      return OpenSslError("adding a revoked certificate to the CRL");
    }
  }
  if (X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError("signing the CRL");
  }
  return crl;
}

}  // namespace scone::crypto
