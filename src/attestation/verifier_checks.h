// The checks the quote verifier (verifier.h) runs on certificate chains, CRLs and signed
// collateral, each recording which check failed (FailureKind) with a precise Status, and
// the validity window the checks that passed leave. Internal to the verifier.
#pragma once

#include <climits>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "attestation/verifier.h"
#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::attestation::verifier_internal {

// The times at which every check made so far holds.
struct Window {
  int64_t from = INT64_MIN;
  int64_t until = INT64_MAX;
  void Narrow(int64_t f, int64_t u) {
    from = std::max(from, f);
    until = std::min(until, u);
  }
  bool Contains(int64_t t) const { return from <= t && t <= until; }
};

// Records the failing check and returns its Status.
class Failer {
 public:
  explicit Failer(FailureKind* out) : out_(out) {}
  Status operator()(FailureKind kind, Status status) const {
    if (out_ != nullptr) *out_ = kind;
    return status;
  }

 private:
  FailureKind* out_;
};

// Everything the checks need that does not change per quote.
struct CheckContext {
  const std::vector<crypto::X509Ptr>& roots;
  const Failer& fail;
  int64_t now;
};

// The CRLs among `crls` that are present.
std::vector<X509_CRL*> Present(std::initializer_list<X509_CRL*> crls);

// Checks thisUpdate/issueDate <= now <= nextUpdate with precise failures, and narrows
// `window` to [from, until].
Status CheckWindow(const Failer& fail, std::string_view what, int64_t from, int64_t until,
                   int64_t now, FailureKind not_yet, FailureKind expired, Window& window);

// Every certificate chain the verifier meets (the quote's PCK chain and the TCB info, QE
// identity and PCK CRL issuer chains) is checked here, so that all are anchored the same
// way. Intel's chains end in a copy of the root CA; that copy is not covered by any other
// signature (the quote's signatures do not cover the certification data), so it must be an
// unmodified copy of a trusted root: the same subject and key, a valid signature of its
// own (crypto::MatchAnchorCopy). The rest of the chain must then verify up to that trusted
// root itself, never to the copy. `crls` are checked; with `crls_complete` every
// certificate must be covered by one of them.
Status VerifyChain(const CheckContext& ctx, std::string_view what,
                   const std::vector<crypto::X509Ptr>& chain, std::vector<X509_CRL*> crls,
                   bool crls_complete, Window& window);

// The CRL's thisUpdate/nextUpdate window (CheckWindow); `invalid` if it has none.
Status CheckCrlWindow(const CheckContext& ctx, std::string_view what, X509_CRL* crl,
                      FailureKind invalid, FailureKind not_yet, FailureKind expired,
                      Window& window);

// TCB info or QE identity: the signer chain (VerifyChain, with the root CA CRL) and the
// signature over the exact signed bytes; `bad_signature` if it does not verify.
Status VerifySignedCollateral(const CheckContext& ctx, std::string_view what,
                              const std::vector<crypto::X509Ptr>& chain, X509_CRL* root_crl,
                              bool crls_complete, std::string_view body,
                              const ByteArray<64>& signature, FailureKind bad_signature,
                              Window& window);

}  // namespace scone::attestation::verifier_internal
