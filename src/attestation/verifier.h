// The Intel SGX DCAP quote verifier: checks a v3 quote against PCS collateral, a set of
// trusted roots and an explicit time, and reports what the quote proves.
//
// Verification is separate from policy (policy.h): a quote that verifies may still be
// refused by a policy (e.g. a debug enclave, or TCB status OutOfDate). The steps, in the
// order they run (docs/attestation.md has the full algorithm):
//   1. parse the quote and the collateral (strict formats)
//   2. root CA CRL: signed by a trusted root, thisUpdate <= now <= nextUpdate
//   3. TCB info: signer chain to a trusted root (root CRL, at `now`), signature over the raw
//      "tcbInfo" bytes, issueDate <= now <= nextUpdate
//   4. QE identity: the same
//   5. PCK CRL: its issuer chain to a trusted root, its signature, its validity window
//   6. the quote's PCK chain to a trusted root (never to the root inside the quote), with
//      both CRLs, at `now`; the PCK CRL must be the CRL of the PCK certificate's issuer
// Every chain (steps 3-6) ends in a copy of the root, which must be an unmodified copy of a
// trusted root (same subject and key, its own signature valid); a re-issued root with the
// same key and subject matches. Without accept_unverifiable_pcs_certs all three CRL files
// are required; with it, every CRL that is present is still checked and
// VerifiedQuote::revocation says which checks ran.
//   7. the PCK certificate's SGX extension; FMSPC and PCE-ID equal the TCB info's; the TCB
//      level selected by the certificate's component SVNs and PCESVN (none: "TCB not
//      supported")
//   8. QE report signature by the PCK key; QE report data binds the attestation key and
//      the QE auth data
//   9. QE report against the QE identity (masked MISCSELECT/attributes, MRSIGNER,
//      ISVPRODID); QE TCB level by ISVSVN
//  10. ISV report signature (quote bytes [0, 432)) by the attestation key
//  11. status: the TCB level's status converged with the QE's (ConvergeTcbStatus)
//
// Thread safety: a QuoteVerifier is immutable apart from its cache, which is guarded by a
// mutex; Verify may be called from many threads at once.
//
// Caching: collateral that verified is remembered (keyed by its exact bytes) together with
// the time window in which every check of it holds; the same for a PCK chain under that
// collateral. A repeat quote with known collateral and chain costs two ECDSA verifications
// and parsing. A time outside the remembered window re-runs every check, so cached and
// uncached verification always agree.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "attestation/collateral.h"
#include "attestation/quote.h"
#include "attestation/tcb_status.h"
#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::attestation {

// Why a verification failed, for programs (and tests) to branch on; the Status message is
// for people. Every failure's Status code is kInvalidArgument (malformed input),
// kFailedPrecondition (missing CRLs) or kVerificationFailed (everything else).
enum class FailureKind {
  kNone,
  kMalformedQuote,
  kMalformedCollateral,
  kMissingCrls,  // CRL files absent without accept_unverifiable_pcs_certs
  // A certificate chain (the PCK chain or a collateral signer chain) does not reach a
  // trusted root. For a quote from a simulated platform this means its root was not given.
  kUntrustedRoot,
  kCertificateRevoked,
  kCertificateExpired,
  kCertificateNotYetValid,
  kCertificateChainInvalid,  // any other chain problem (signature, CA flags, missing CRL)
  kRootCaCrlInvalid,         // not issued/signed by a trusted root
  kRootCaCrlNotYetValid,
  kRootCaCrlExpired,
  kPckCrlInvalid,  // not signed by its issuer chain's CA
  kPckCrlNotYetValid,
  kPckCrlExpired,
  kTcbInfoSignatureInvalid,
  kTcbInfoNotYetValid,
  kTcbInfoExpired,
  kQeIdentitySignatureInvalid,
  kQeIdentityNotYetValid,
  kQeIdentityExpired,
  kPckExtensionInvalid,
  kFmspcMismatch,  // the TCB info is for another platform model
  kPceIdMismatch,
  kQeReportSignatureInvalid,
  kQeReportDataMismatch,  // the QE did not certify this attestation key
  kQeIdentityMismatch,    // the QE is not Intel's (or the simulated platform's) QE
  kIsvSignatureInvalid,
  kTcbNotSupported,  // no TCB level matches the platform's SVNs
  // Never set by Verify: a quote of a Revoked platform verifies, with status Revoked, as
  // in Intel's QVL. Callers that treat that terminal result as a failure (verify-quote)
  // report it with this kind.
  kTcbRevoked,
};

// Stable kebab-case name, e.g. "untrusted-root", for JSON output.
std::string_view FailureKindName(FailureKind kind);

// Which revocation checks ran for a verified quote.
struct RevocationChecks {
  // The root CA CRL was verified (issued and signed by the trusted root, inside its
  // validity window) and every certificate the root issued in the PCK chain and the
  // collateral chains (PCK CA, TCB signing certificate), and the root itself, were checked
  // against it.
  bool root_ca_crl = false;
  // The PCK CRL was verified (signed by the CA that issued the PCK certificate, through
  // its issuer chain when given, inside its validity window) and the PCK certificate was
  // checked against it.
  bool pck_crl = false;

  bool complete() const { return root_ca_crl && pck_crl; }
};

// Intel QVL's split of results: a terminal result means the quote must not be relied on
// (the status Revoked, and every verification failure); the other statuses (UpToDate,
// SWHardeningNeeded, ConfigurationNeeded, OutOfDate, ...) are non-terminal: the quote
// verifies, and the status and advisories say what the platform lacks, for a policy to
// accept or refuse.
bool IsTerminalStatus(TcbStatus status);

// What a verified quote proves.
struct VerifiedQuote {
  // The combined status (platform TCB converged with the QE's status) and the union of the
  // matched TCB level's and QE TCB level's advisory IDs, sorted.
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
  TcbStatus platform_tcb_status = TcbStatus::kUpToDate;  // the matched TCB level's own status
  TcbStatus qe_status = TcbStatus::kUpToDate;            // OutOfDate when no QE level matches
  std::string tcb_date;                                  // of the matched TCB level
  std::string qe_tcb_date;                               // of the matched QE level, if any

  QuoteHeader header;
  ReportBody report;  // the ISV enclave's report

  // From the PCK certificate.
  ByteArray<6> fmspc{};
  ByteArray<2> pce_id{};
  ByteArray<16> tcb_components{};
  uint16_t pce_svn = 0;
  ByteArray<16> cpu_svn{};

  int64_t tcb_evaluation_data_number = 0;
  RevocationChecks revocation{true, true};
  // revocation.complete(): false only with accept_unverifiable_pcs_certs and a CRL missing.
  bool revocation_checked = true;

  const ByteArray<32>& mr_enclave() const { return report.mr_enclave; }
  const ByteArray<32>& mr_signer() const { return report.mr_signer; }
  uint16_t isv_prod_id() const { return report.isv_prod_id; }
  uint16_t isv_svn() const { return report.isv_svn; }
  bool debug() const { return report.debug(); }
  const ByteArray<64>& report_data() const { return report.report_data; }
};

// Intel QVL's convergence of the platform TCB status with the QE identity status:
//   QE OutOfDate + UpToDate/SWHardeningNeeded                        -> OutOfDate
//   QE OutOfDate + ConfigurationNeeded/ConfigurationAndSWHardeningNeeded
//                                                                    ->
//                                                                    OutOfDateConfigurationNeeded
//   QE Revoked + anything                                            -> Revoked
//   otherwise                                                        -> the platform status
TcbStatus ConvergeTcbStatus(TcbStatus platform, TcbStatus qe);

struct VerifierOptions {
  // Trust anchors as PEM or DER self-signed certificates. Empty means the built-in Intel
  // SGX Root CA alone; otherwise exactly these (list IntelSgxRootCaPem() too to keep it).
  std::vector<Bytes> trusted_roots;
  // Accept collateral that lacks some or all CRL files: the revocation checks whose CRL
  // is missing do not run (the CRLs that are present are still checked), and the result
  // says which ran. Off by default: Relaxation::kUnverifiablePcsCerts; without it, missing
  // CRLs fail with FailureKind::kMissingCrls.
  bool accept_unverifiable_pcs_certs = false;
  // Maximum number of collateral sets, and of PCK chains per set, kept in the cache.
  size_t cache_capacity = 64;
};

class QuoteVerifier {
 public:
  // Fails (kInvalidArgument) if a trusted root does not parse or is not self-signed.
  static Result<std::unique_ptr<QuoteVerifier>> New(VerifierOptions options);
  ~QuoteVerifier();
  QuoteVerifier(const QuoteVerifier&) = delete;
  QuoteVerifier& operator=(const QuoteVerifier&) = delete;

  // Verifies `quote` with `collateral` at `now` (Unix seconds). On failure returns the
  // Status and sets *failure (if given) to the failing check; on success *failure is kNone.
  Result<VerifiedQuote> Verify(ByteView quote, const Collateral& collateral, int64_t now,
                               FailureKind* failure = nullptr) const;

  // Forgets every cached collateral set and PCK chain.
  void ClearCache() const;

  struct CollateralEntry;
  struct PckEntry;

 private:
  QuoteVerifier(VerifierOptions options, std::vector<crypto::X509Ptr> roots);

  VerifierOptions options_;
  std::vector<crypto::X509Ptr> roots_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const CollateralEntry>> cache_;
  mutable std::unordered_map<std::string, std::shared_ptr<EVP_PKEY>> attestation_keys_;
};

}  // namespace scone::attestation
