// The enclave API's admission decision (docs/runtime.md "Enclave API"): does a verified
// quote satisfy a service's attestation variants, its `platforms` and the session's
// `security.attestation`? A pure function of the quote and the session model, so that every
// check is tested on its own (enclave_policy_test.cc).
//
// Order of the checks: the enclave's identity (any one variant: MRENCLAVE list, signer with
// MRSIGNER, ISVPRODID and ISVSVN bounds), the platform, then the platform's TCB status, its
// advisories and the DEBUG attribute against `tolerate` and `ignore_advisories`. A refusal
// (kPolicyRejected) names the failed check, what the quote has, and the session value that
// would admit it (a `tolerate` word, an advisory id, an MRENCLAVE, a platform id), or says
// that nothing can (a revoked platform).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "attestation/verifier.h"
#include "common/status.h"
#include "sdl/model.h"

namespace scone::cas {

// Advisories that a `tolerate` word admits besides the TCB statuses (the public SCONE
// documentation): hyperthreading INTEL-SA-00233 (MDS), insecure-igpu INTEL-SA-00219,
// aepic-leak INTEL-SA-00657.
std::vector<std::string_view> AdvisoriesToleratedBy(std::string_view word);

struct EnclaveAdmission {
  size_t variant = 0;                  // the index of the first variant that matched
  std::vector<std::string> tolerated;  // the `tolerate` words (and "ignore_advisories") used
};

// Checks `quote`, from the platform `platform_id` (cas::PlatformId), against `service` and
// `security` (whose mode is not `none`: the caller handles that). `service_label` names the
// service in messages ("session/service").
Result<EnclaveAdmission> AdmitEnclave(const attestation::VerifiedQuote& quote,
                                      std::string_view platform_id, const sdl::Service& service,
                                      const sdl::SecurityAttestation& security,
                                      std::string_view service_label);

}  // namespace scone::cas
