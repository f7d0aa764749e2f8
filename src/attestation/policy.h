// Policy over a verified quote: which enclave, which signer, which TCB statuses and
// advisories are acceptable. Separate from verification (verifier.h), which only
// establishes what a quote proves.
//
// Every refusal is a PolicyViolation: the check, what the quote has, and the Relaxation(s)
// (relaxation.h) that would make it pass, so that each caller phrases the hint in its own
// vocabulary (the CLI: its flags; session policies: `tolerate: [hyperthreading,
// outdated-tcb, software-hardening-needed, debug-mode]`, `ignore_advisories`). Messages name
// the check and the values, never an option. Checks that cannot be relaxed (a wrong
// MRENCLAVE, a revoked platform) carry no relaxation.
//
// Used by CAS attestation in the CLI and by enclave attestation in CAS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/relaxation.h"
#include "attestation/verifier.h"
#include "common/bytes.h"
#include "common/status.h"

namespace scone::attestation {

enum class PolicyCheck {
  kTcbStatus,
  kAdvisories,
  kDebug,
  kMrEnclave,
  kMrSigner,
  kIsvProdId,
  kIsvSvn,
  kReportData,
};
std::string_view PolicyCheckName(PolicyCheck check);

struct QuotePolicy {
  // Accept any of these MRENCLAVEs; empty = any MRENCLAVE.
  std::vector<ByteArray<32>> mr_enclaves;
  // Signer identity: each unset field is not checked.
  std::optional<ByteArray<32>> mr_signer;
  std::optional<uint16_t> isv_prod_id;
  std::optional<uint16_t> min_isv_svn;

  bool allow_debug = false;
  // Acceptable non-UpToDate statuses. A combined status needs every one it is made of
  // (ConfigurationAndSWHardeningNeeded needs both C and S). Revoked is never acceptable.
  bool accept_configuration_needed = false;
  bool accept_out_of_date = false;
  bool accept_sw_hardening_needed = false;

  // Advisory IDs (e.g. "INTEL-SA-00615") that may be present; every other ID in the result
  // is a refusal. ignore_all_advisories accepts any.
  std::vector<std::string> ignored_advisories;
  bool ignore_all_advisories = false;

  // Expected report data: exactly 64 bytes, or a shorter prefix of it. Unset = unchecked.
  std::optional<Bytes> report_data;
};

struct PolicyViolation {
  PolicyCheck check;
  // What would make this check pass that the policy does not grant yet; empty if nothing
  // can (a mismatch of identity, a revoked platform).
  std::vector<Relaxation> relaxations;
  // Everything the check needs, granted or not (a combined TCB status needs two); a
  // superset of `relaxations`.
  std::vector<Relaxation> needed;
  // What the quote has: the TCB status name, the open advisory IDs (comma-separated), the
  // MRENCLAVE or MRSIGNER (hex), the ISVPRODID or ISVSVN (decimal), "debug", or the report
  // data (hex).
  std::string seen;
  std::string message;  // for people: the check and the values; names no option
};

struct PolicyResult {
  std::vector<PolicyViolation> violations;  // in check order; empty = accepted

  bool ok() const { return violations.empty(); }
  // OK, or kPolicyRejected with every violation's message and the names of the relaxations
  // that would accept it.
  Status ToStatus() const;
  // The union of the relaxations of all violations, if every violation has one; empty if
  // some violation cannot be relaxed or there is none.
  std::vector<Relaxation> NeededRelaxations() const;
};

// Checks `quote` against `policy`; reports every violation, not just the first.
PolicyResult CheckPolicy(const VerifiedQuote& quote, const QuotePolicy& policy);

// The relaxations a TCB status needs (empty for UpToDate; for Revoked too, which cannot be
// relaxed — see StatusIsRelaxable).
std::vector<Relaxation> RelaxationsForStatus(TcbStatus status);
bool StatusIsRelaxable(TcbStatus status);

}  // namespace scone::attestation
