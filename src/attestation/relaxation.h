// The one vocabulary of relaxations. Every check that a user may relax, anywhere in the
// project, is one value here; attestation/ and cas/ say which relaxation a refusal needs, and
// record which ones an accepted result used, only as these values. Each program puts them in
// its own words: the `scone` CLI names the flag that grants each (src/cli/relaxation_flags.h),
// session policies their `tolerate` words. No layer below the CLI holds a flag name.
#pragma once

#include <string_view>

#include "common/status.h"

namespace scone::attestation {

enum class Relaxation {
  // TCB statuses that a policy may accept (a combined status needs each it is made of).
  kConfigurationNeeded,  // ConfigurationNeeded, e.g. hyperthreading on
  kOutOfDate,            // OutOfDate: older, less secure SGX
  kSwHardeningNeeded,    // SWHardeningNeeded
  // The enclave runs in debug mode: its memory is readable by the host.
  kDebug,
  // Security advisories that apply to the platform.
  kIgnoreAdvisories,
  // Collateral without the CRLs that revocation checks need (FailureKind::kMissingCrls).
  kUnverifiablePcsCerts,
  // A CAS (cas/protocol.h): any CAS software in debug mode, the default signer and version
  // not checked.
  kTrustAny,
  // A CAS whose signer is not checked (its MRENCLAVE is).
  kIgnoreSigner,
  // A CAS without an owner yet.
  kUnprovisioned,
  // A CAS whose owner injected the database key and can read every secret.
  kOwnerSecretAccess,
};

// Every value, in declaration order (for tables and tests).
inline constexpr Relaxation kAllRelaxations[] = {
    Relaxation::kConfigurationNeeded,
    Relaxation::kOutOfDate,
    Relaxation::kSwHardeningNeeded,
    Relaxation::kDebug,
    Relaxation::kIgnoreAdvisories,
    Relaxation::kUnverifiablePcsCerts,
    Relaxation::kTrustAny,
    Relaxation::kIgnoreSigner,
    Relaxation::kUnprovisioned,
    Relaxation::kOwnerSecretAccess,
};

// Stable kebab-case name, as stored (the CLI state's evidence): "configuration-needed",
// "out-of-date", "sw-hardening-needed", "debug", "ignore-advisories",
// "unverifiable-pcs-certs", "trust-any", "ignore-signer", "unprovisioned",
// "owner-secret-access".
std::string_view RelaxationName(Relaxation relaxation);

// The relaxation of that name; kInvalidArgument naming it otherwise.
Result<Relaxation> ParseRelaxation(std::string_view name);

}  // namespace scone::attestation
