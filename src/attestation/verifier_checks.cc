// Chain, CRL and signed-collateral checks of the quote verifier (verifier_checks.h).
#include "attestation/verifier_checks.h"

#include <string>

#include "attestation/timestamp.h"
#include "crypto/crl.h"
#include "crypto/ecdsa.h"
#include "crypto/x509.h"
#include "crypto/x509_verify.h"

namespace scone::attestation::verifier_internal {
namespace {

using crypto::X509Ptr;

std::vector<X509*> Raw(const std::vector<X509Ptr>& certs) {
  std::vector<X509*> out;
  out.reserve(certs.size());
  for (const X509Ptr& cert : certs) out.push_back(cert.get());
  return out;
}

FailureKind FromChainFailure(crypto::ChainFailure f) {
  switch (f) {
    case crypto::ChainFailure::kUntrustedRoot:
      return FailureKind::kUntrustedRoot;
    case crypto::ChainFailure::kRevoked:
      return FailureKind::kCertificateRevoked;
    case crypto::ChainFailure::kCertificateExpired:
      return FailureKind::kCertificateExpired;
    case crypto::ChainFailure::kCertificateNotYetValid:
      return FailureKind::kCertificateNotYetValid;
    default:
      return FailureKind::kCertificateChainInvalid;
  }
}

}  // namespace

std::vector<X509_CRL*> Present(std::initializer_list<X509_CRL*> crls) {
  std::vector<X509_CRL*> out;
  for (X509_CRL* crl : crls) {
    if (crl != nullptr) out.push_back(crl);
  }
  return out;
}

Status CheckWindow(const Failer& fail, std::string_view what, int64_t from, int64_t until,
                   int64_t now, FailureKind not_yet, FailureKind expired, Window& window) {
  if (now < from) {
    return fail(not_yet, VerificationFailed(std::string(what) + " is not valid yet: issued " +
                                            FormatRfc3339(from) + ", verification time " +
                                            FormatRfc3339(now)));
  }
  if (now > until) {
    return fail(expired, VerificationFailed(std::string(what) + " expired at " +
                                            FormatRfc3339(until) + ", verification time " +
                                            FormatRfc3339(now) + " (fetch fresh collateral)"));
  }
  window.Narrow(from, until);
  return Status::Ok();
}

Status VerifyChain(const CheckContext& ctx, std::string_view what,
                   const std::vector<X509Ptr>& chain, std::vector<X509_CRL*> crls,
                   bool crls_complete, Window& window) {
  X509* copy = chain.back().get();
  crypto::ChainFailure failure = crypto::ChainFailure::kNone;
  auto anchor = crypto::MatchAnchorCopy(copy, Raw(ctx.roots), ctx.now, &failure);
  if (!anchor.ok()) {
    std::string message = std::string(what) + ": " + anchor.status().message();
    if (failure == crypto::ChainFailure::kUntrustedRoot) {
      message +=
          "; the verifier trusts only the Intel SGX Root CA unless another root is "
          "given explicitly";
    }
    if (failure == crypto::ChainFailure::kNone) failure = crypto::ChainFailure::kInvalid;
    return ctx.fail(FromChainFailure(failure), VerificationFailed(message));
  }
  if (chain.size() < 2) {
    return ctx.fail(
        FailureKind::kCertificateChainInvalid,
        VerificationFailed(std::string(what) + " is the root CA alone; it must hold the issued "
                                               "certificate(s) and end in a copy of the root CA"));
  }
  SCONE_ASSIGN_OR_RETURN(int64_t copy_from, crypto::Asn1TimeToUnix(X509_get0_notBefore(copy)));
  SCONE_ASSIGN_OR_RETURN(int64_t copy_until, crypto::Asn1TimeToUnix(X509_get0_notAfter(copy)));

  crypto::ChainVerifyOptions opts;
  opts.trust_anchors = {*anchor};
  for (size_t i = 1; i + 1 < chain.size(); ++i) opts.intermediates.push_back(chain[i].get());
  opts.crls = std::move(crls);
  opts.check_crls = true;
  opts.allow_missing_crls = !crls_complete;
  opts.time = ctx.now;
  crypto::ChainValidity validity;
  Status s = crypto::VerifyCertificateChain(chain.front().get(), opts, &failure, &validity);
  if (!s.ok()) {
    std::string message = std::string(what) + " does not verify: " + s.message();
    if (failure == crypto::ChainFailure::kUntrustedRoot) {
      message = std::string(what) + " does not reach the trusted root CA it ends in (" +
                s.message() + ")";
    }
    return ctx.fail(FromChainFailure(failure), VerificationFailed(message));
  }
  window.Narrow(validity.not_before, validity.not_after);
  window.Narrow(copy_from, copy_until);
  return Status::Ok();
}

Status CheckCrlWindow(const CheckContext& ctx, std::string_view what, X509_CRL* crl,
                      FailureKind invalid, FailureKind not_yet, FailureKind expired,
                      Window& window) {
  auto from = crypto::CrlThisUpdate(crl);
  auto until = crypto::CrlNextUpdate(crl);
  if (!from.ok() || !until.ok()) {
    return ctx.fail(invalid,
                    VerificationFailed(std::string(what) + " lacks a valid thisUpdate/nextUpdate"));
  }
  return CheckWindow(ctx.fail, what, *from, *until, ctx.now, not_yet, expired, window);
}

Status VerifySignedCollateral(const CheckContext& ctx, std::string_view what,
                              const std::vector<X509Ptr>& chain, X509_CRL* root_crl,
                              bool crls_complete, std::string_view body,
                              const ByteArray<64>& signature, FailureKind bad_signature,
                              Window& window) {
  SCONE_RETURN_IF_ERROR(VerifyChain(ctx, std::string(what) + " signer chain", chain,
                                    Present({root_crl}), crls_complete, window));
  Status s =
      crypto::VerifyEcdsaP256Raw(X509_get0_pubkey(chain.front().get()), AsBytes(body), signature);
  if (!s.ok()) {
    return ctx.fail(bad_signature,
                    VerificationFailed(std::string(what) + " signature does not verify with " +
                                       crypto::SubjectName(chain.front().get()) + "'s key"));
  }
  return Status::Ok();
}

}  // namespace scone::attestation::verifier_internal
