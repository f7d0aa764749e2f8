// X.509 certificate revocation lists: parsing, inspection and creation. All through OpenSSL.
//
// Checking that a certificate is not revoked is done by chain verification
// (x509_verify.h), which takes CRLs as inputs; this file only handles the CRL objects.
#pragma once

#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

// Parses one DER CRL; trailing bytes are an error (kInvalidArgument).
Result<X509CrlPtr> ParseCrlDer(ByteView der);

// A CRL from PEM ("-----BEGIN X509 CRL-----") or DER bytes.
Result<X509CrlPtr> ParseCrlPemOrDer(ByteView data);

Result<Bytes> CrlToDer(X509_CRL* crl);

// thisUpdate, and nextUpdate (a CRL without nextUpdate is an error: it never expires,
// which a verifier must not accept silently), as Unix seconds.
Result<int64_t> CrlThisUpdate(const X509_CRL* crl);
Result<int64_t> CrlNextUpdate(const X509_CRL* crl);

// kVerificationFailed unless `crl` is signed by `issuer`'s key and names `issuer`'s
// subject as its issuer.
Status VerifyCrlIssuedBy(X509_CRL* crl, X509* issuer);

// Whether `cert`'s serial number is listed in `crl` (no signature or time check).
bool CrlListsCertificate(X509_CRL* crl, X509* cert);

// A v2 CRL issued by `issuer` (signed with `issuer_key`, SHA-256) listing the serial
// numbers of `revoked`, each revoked at `this_update`.
Result<X509CrlPtr> CreateCrl(X509* issuer, EVP_PKEY* issuer_key, const std::vector<X509*>& revoked,
                             int64_t this_update, int64_t next_update);

}  // namespace scone::crypto
