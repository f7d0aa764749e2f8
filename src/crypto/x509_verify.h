// Certificate chain verification with OpenSSL's X509_verify_cert: a leaf, untrusted
// intermediates, explicit trust anchors, optional CRLs, and an explicit verification time.
//
// Nothing here trusts the system's certificate store: the anchors are exactly the ones
// passed in. A self-signed certificate among the intermediates is never trusted just
// because it is there.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::crypto {

// Why a chain did not verify, for callers that react differently (e.g. suggest an option
// for an untrusted root, or report a revocation).
enum class ChainFailure {
  kNone,
  kUntrustedRoot,  // the chain does not end at one of the trust anchors
  kRevoked,        // a certificate is listed in a CRL
  kCertificateExpired,
  kCertificateNotYetValid,
  kCrlExpired,
  kCrlNotYetValid,
  kCrlMissing,    // CRL checking is on and a certificate's issuer has no CRL
  kBadSignature,  // a certificate or CRL signature does not verify
  kInvalid,       // anything else (bad extensions, path length, purpose, ...)
};

std::string_view ChainFailureName(ChainFailure failure);

struct ChainVerifyOptions {
  std::vector<X509*> trust_anchors;  // borrowed; at least one
  std::vector<X509*> intermediates;  // borrowed; may include the anchor itself
  std::vector<X509_CRL*> crls;       // borrowed
  // With check_crls, every certificate in the chain (including the anchor, which its own
  // CRL covers) must be covered by a valid CRL from `crls`; missing ones are an error.
  bool check_crls = true;
  // With check_crls: a certificate whose issuer has no CRL in `crls` is accepted, so only
  // the CRLs given are checked (each still must be valid and signed by its issuer). For
  // collateral that lacks some CRLs, where the caller reports which checks ran.
  bool allow_missing_crls = false;
  int64_t time = 0;  // Unix seconds at which every certificate and CRL must be valid
};

// The period in which every certificate of a verified chain (leaf to anchor) is valid:
// the latest notBefore and the earliest notAfter, in Unix seconds.
struct ChainValidity {
  int64_t not_before = 0;
  int64_t not_after = 0;
};

// Verifies `leaf` up to one of the anchors. On failure returns kVerificationFailed whose
// message names the certificate and OpenSSL's reason, and sets *failure if given. On
// success sets *validity (if given) from the chain OpenSSL built.
Status VerifyCertificateChain(X509* leaf, const ChainVerifyOptions& options,
                              ChainFailure* failure = nullptr, ChainValidity* validity = nullptr);

// Checks that `copy`, the last certificate of a chain that a peer presents (Intel's PCK
// and collateral chains end in a copy of the root), is one of `anchors`: same subject and
// same public key as an anchor, issued by itself, its own signature verifies with that key
// and it is valid at `time`. A re-issued root (same subject and key, another serial or
// validity) therefore matches, a copy with any changed byte or another key does not.
// Returns the matching anchor (borrowed from `anchors`); on failure kVerificationFailed
// and *failure: kUntrustedRoot (no anchor has this subject and key), kBadSignature,
// kCertificateExpired, kCertificateNotYetValid or kInvalid (not self-issued).
Result<X509*> MatchAnchorCopy(X509* copy, const std::vector<X509*>& anchors, int64_t time,
                              ChainFailure* failure = nullptr);

}  // namespace scone::crypto
