#include "crypto/x509_verify.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "crypto/x509.h"

namespace scone::crypto {

std::string_view ChainFailureName(ChainFailure failure) {
  switch (failure) {
    case ChainFailure::kNone:
      return "none";
    case ChainFailure::kUntrustedRoot:
      return "untrusted-root";
    case ChainFailure::kRevoked:
      return "revoked";
    case ChainFailure::kCertificateExpired:
      return "certificate-expired";
    case ChainFailure::kCertificateNotYetValid:
      return "certificate-not-yet-valid";
    case ChainFailure::kCrlExpired:
      return "crl-expired";
    case ChainFailure::kCrlNotYetValid:
      return "crl-not-yet-valid";
    case ChainFailure::kCrlMissing:
      return "crl-missing";
    case ChainFailure::kBadSignature:
      return "bad-signature";
    case ChainFailure::kInvalid:
      return "invalid";
  }
  return "invalid";
}

namespace {

ChainFailure Classify(int err) {
  switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_UNTRUSTED:
      return ChainFailure::kUntrustedRoot;
    case X509_V_ERR_CERT_REVOKED:
      return ChainFailure::kRevoked;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return ChainFailure::kCertificateExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return ChainFailure::kCertificateNotYetValid;
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return ChainFailure::kCrlExpired;
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return ChainFailure::kCrlNotYetValid;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
      return ChainFailure::kCrlMissing;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return ChainFailure::kBadSignature;
    default:
      return ChainFailure::kInvalid;
  }
}

// Accepts a missing CRL (ChainVerifyOptions::allow_missing_crls); every other outcome is
// OpenSSL's.
int IgnoreMissingCrl(int ok, X509_STORE_CTX* ctx) {
  if (ok == 0 && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNABLE_TO_GET_CRL) return 1;
  return ok;
}

}  // namespace

Status VerifyCertificateChain(X509* leaf, const ChainVerifyOptions& options, ChainFailure* failure,
                              ChainValidity* validity) {
  auto fail = [&](ChainFailure f, std::string message) {
    if (failure != nullptr) *failure = f;
    return VerificationFailed(std::move(message));
  };
  if (failure != nullptr) *failure = ChainFailure::kNone;
  if (leaf == nullptr) return fail(ChainFailure::kInvalid, "no certificate to verify");
  if (options.trust_anchors.empty()) {
    return fail(ChainFailure::kUntrustedRoot, "no trust anchor given");
  }

  X509StorePtr store(X509_STORE_new());
  if (!store) return OpenSslError("X509_STORE_new");
  for (X509* anchor : options.trust_anchors) {
    if (X509_STORE_add_cert(store.get(), anchor) != 1) {
      return OpenSslError("adding a trust anchor");
    }
  }
  for (X509_CRL* crl : options.crls) {
    if (X509_STORE_add_crl(store.get(), crl) != 1) return OpenSslError("adding a CRL");
  }

  X509StackPtr untrusted(sk_X509_new_null());
  if (!untrusted) return OpenSslError("sk_X509_new_null");
  for (X509* cert : options.intermediates) {
    if (X509_up_ref(cert) != 1) return OpenSslError("X509_up_ref");
    if (sk_X509_push(untrusted.get(), cert) <= 0) {
      X509_free(cert);
      return OpenSslError("sk_X509_push");
    }
  }

  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1) {
    return OpenSslError("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(options.time));
  unsigned long flags = X509_V_FLAG_USE_CHECK_TIME;  // NOLINT(google-runtime-int)
  if (options.check_crls) flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  X509_VERIFY_PARAM_set_flags(param, flags);
  if (options.check_crls && options.allow_missing_crls) {
    X509_STORE_CTX_set_verify_cb(ctx.get(), IgnoreMissingCrl);
  }

  int rc = X509_verify_cert(ctx.get());
  if (rc == 1) {
    ClearOpenSslErrors();
    if (validity != nullptr) {
      validity->not_before = INT64_MIN;
      validity->not_after = INT64_MAX;
      STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
      for (int i = 0; i < sk_X509_num(chain); ++i) {
        X509* cert = sk_X509_value(chain, i);
        SCONE_ASSIGN_OR_RETURN(int64_t nb, Asn1TimeToUnix(X509_get0_notBefore(cert)));
        SCONE_ASSIGN_OR_RETURN(int64_t na, Asn1TimeToUnix(X509_get0_notAfter(cert)));
        validity->not_before = std::max(validity->not_before, nb);
        validity->not_after = std::min(validity->not_after, na);
      }
    }
    return Status::Ok();
  }
  int err = X509_STORE_CTX_get_error(ctx.get());
  int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
  ClearOpenSslErrors();
  std::string where = at != nullptr ? SubjectName(at) : SubjectName(leaf);
  return fail(Classify(err), std::string(X509_verify_cert_error_string(err)) + " (certificate \"" +
                                 where + "\" at depth " + std::to_string(depth) + ")");
}

Result<X509*> MatchAnchorCopy(X509* copy, const std::vector<X509*>& anchors, int64_t time,
                              ChainFailure* failure) {
  auto fail = [&](ChainFailure f, std::string message) {
    if (failure != nullptr) *failure = f;
    return VerificationFailed(std::move(message));
  };
  if (failure != nullptr) *failure = ChainFailure::kNone;
  if (copy == nullptr) return fail(ChainFailure::kInvalid, "no root certificate given");
  const std::string name = SubjectName(copy);
  EVP_PKEY* copy_key = X509_get0_pubkey(copy);  // null if the key does not decode
  X509* anchor = nullptr;
  for (X509* a : anchors) {
    EVP_PKEY* anchor_key = X509_get0_pubkey(a);
    if (copy_key != nullptr && anchor_key != nullptr &&
        X509_NAME_cmp(X509_get_subject_name(a), X509_get_subject_name(copy)) == 0 &&
        EVP_PKEY_eq(anchor_key, copy_key) == 1) {
      anchor = a;
      break;
    }
  }
  ClearOpenSslErrors();
  if (anchor == nullptr) {
    return fail(ChainFailure::kUntrustedRoot,
                "the root certificate \"" + name +
                    "\" at the end of the chain is not a trusted root (no trusted root has its "
                    "subject and public key)");
  }
  if (X509_NAME_cmp(X509_get_issuer_name(copy), X509_get_subject_name(copy)) != 0) {
    return fail(ChainFailure::kInvalid,
                "the root certificate \"" + name + "\" at the end of the chain is not self-issued");
  }
  // The copy's own signature: a byte changed anywhere in the signed part (or in the
  // signature) shows here even though the key and the name still match.
  if (X509_verify(copy, copy_key) != 1) {
    ClearOpenSslErrors();
    return fail(ChainFailure::kBadSignature,
                "the root certificate \"" + name +
                    "\" at the end of the chain does not carry a valid signature of its own key "
                    "(it is not an unmodified copy of the trusted root)");
  }
  SCONE_ASSIGN_OR_RETURN(int64_t not_before, Asn1TimeToUnix(X509_get0_notBefore(copy)));
  SCONE_ASSIGN_OR_RETURN(int64_t not_after, Asn1TimeToUnix(X509_get0_notAfter(copy)));
  if (time < not_before) {
    return fail(ChainFailure::kCertificateNotYetValid,
                "the root certificate \"" + name + "\" at the end of the chain is not valid yet");
  }
  if (time > not_after) {
    return fail(ChainFailure::kCertificateExpired,
                "the root certificate \"" + name + "\" at the end of the chain has expired");
  }
  return anchor;
}

}  // namespace scone::crypto
