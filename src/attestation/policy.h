// Policy over a verified quote: which enclave, which signer, which TCB statuses and
// advisories are acceptable. Separate from verification (verifier.h), which only
// establishes what a quote proves.
//
// Every refusal names the check, the values involved and the option that would relax it,
// and carries the Relaxation(s) it needs as enums, so that callers with their own
// vocabulary (session policies: `tolerate: [hyperthreading, outdated-tcb,
// software-hardening-needed, debug-mode]`, `ignore_advisories`) can phrase the hint
// themselves. Checks that cannot be relaxed (a wrong MRENCLAVE, a revoked platform) carry
// no relaxation.
//
// Used by CAS attestation in the CLI and by enclave attestation in CAS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/verifier.h"
#include "common/bytes.h"
#include "common/status.h"

namespace scone::attestation {

enum class Relaxation {
  kConfigurationNeeded,  // -C / --accept-configuration-needed; session: hyperthreading
  kOutOfDate,            // -G / --accept-group-out-of-date; session: outdated-tcb
  kSwHardeningNeeded,    // -S / --accept-sw-hardening-needed; session: software-hardening-needed
  kDebug,                // --only_for_testing-debug; session: debug-mode
  kIgnoreAdvisories,     // --ignore-advisories; session: ignore_advisories
};

// Stable kebab-case name ("configuration-needed", "out-of-date", "sw-hardening-needed",
// "debug", "ignore-advisories").
std::string_view RelaxationName(Relaxation relaxation);
// The CLI flag, e.g. "-C/--accept-configuration-needed".
std::string_view RelaxationCliFlag(Relaxation relaxation);

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
  // What would make this check pass; empty if nothing can (a mismatch of identity).
  std::vector<Relaxation> relaxations;
  std::string message;  // names the check, the values and the CLI option
};

struct PolicyResult {
  std::vector<PolicyViolation> violations;  // in check order; empty = accepted

  bool ok() const { return violations.empty(); }
  // OK, or kPolicyRejected with every violation's message.
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
