// The CLI's words for relaxations and refusals (relaxation_flags.h).
#include "cli/relaxation_flags.h"

#include <utility>

namespace scone::cli {
namespace {
using attestation::PolicyCheck;
using attestation::Relaxation;

struct Flags {
  Relaxation relaxation;
  const char* flag;        // as errors name it
  const char* short_flag;  // as notes about stored evidence name it
};

// The flag of every relaxation; RelaxationFlagsAreComplete (test) checks that none is missing.
constexpr Flags kFlags[] = {
    {Relaxation::kConfigurationNeeded, "-C/--accept-configuration-needed", "-C"},
    {Relaxation::kOutOfDate, "-G/--accept-group-out-of-date", "-G"},
    {Relaxation::kSwHardeningNeeded, "-S/--accept-sw-hardening-needed", "-S"},
    {Relaxation::kDebug, "--only_for_testing-debug", "--only_for_testing-debug"},
    {Relaxation::kIgnoreAdvisories, "--ignore-advisories", "--ignore-advisories"},
    {Relaxation::kUnverifiablePcsCerts, "--accept-unverifiable-pcs-certs",
     "--accept-unverifiable-pcs-certs"},
    {Relaxation::kTrustAny, "--only_for_testing-trust-any", "--only_for_testing-trust-any"},
    {Relaxation::kIgnoreSigner, "--only_for_testing-ignore-signer",
     "--only_for_testing-ignore-signer"},
    {Relaxation::kUnprovisioned, "--only_for_testing_allow-unprovisioned-cas",
     "--only_for_testing_allow-unprovisioned-cas"},
    {Relaxation::kOwnerSecretAccess, "--allow-cas-owner-secret-access",
     "--allow-cas-owner-secret-access"},
};

const Flags& FlagsOf(Relaxation relaxation) {
  for (const Flags& f : kFlags) {
    if (f.relaxation == relaxation) return f;
  }
  return kFlags[0];  // unreachable: the table covers the enum (tested)
}

std::string FlagList(const std::vector<Relaxation>& relaxations) {
  std::string out;
  for (size_t i = 0; i < relaxations.size(); ++i) {
    if (i > 0) out += " and ";
    out += RelaxationFlag(relaxations[i]);
  }
  return out;
}

// The CAS policy's violations, with the hints about its defaults.
std::string EnclaveText(const cas::CasRefusal& refusal, const cas::CasAttestPolicy& policy) {
  std::string msg = "the CAS is not trustworthy under the given policy: ";
  for (size_t i = 0; i < refusal.violations.size(); ++i) {
    const auto& v = refusal.violations[i];
    if (i > 0) msg += "; ";
    msg += PolicyViolationText(v);
    if (v.check == PolicyCheck::kMrSigner && !policy.mrsigner.has_value() &&
        !policy.ignore_signer) {
      msg +=
          " (the default expects the release signer of this scone build; use --mrsigner "
          "with --isvprodid and --isvsvn for another signer)";
    }
    if (v.check == PolicyCheck::kIsvSvn && !policy.isvsvn.has_value() &&
        !policy.mrsigner.has_value()) {
      msg += " (by default a CAS needs at least the ISVSVN of this scone, " +
             std::to_string(cas::CasIsvSvn()) +
             "; give --isvsvn N or the CAS's MRENCLAVE to attest another version)";
    }
  }
  return msg;
}

std::string PolicyProblemText(const Status& status, cas::PolicyProblem problem) {
  switch (problem) {
    case cas::PolicyProblem::kSignerIncomplete:
      return "--mrsigner, --isvprodid and --isvsvn must be given together to attest a CAS of "
             "another signer";
    case cas::PolicyProblem::kIgnoreSignerWithSigner:
      return "--only_for_testing-ignore-signer contradicts --mrsigner";
    case cas::PolicyProblem::kIgnoreSignerWithoutMrenclave:
      return "--only_for_testing-ignore-signer needs an expected MRENCLAVE (the CAS software is "
             "otherwise not identified at all); add MRENCLAVE or --mrenclave";
    case cas::PolicyProblem::kBadCasKeyHash:
    case cas::PolicyProblem::kBadSoftwareKeyHash:
    case cas::PolicyProblem::kNone:
      break;
  }
  return status.message();
}

}  // namespace

std::string_view RelaxationFlag(Relaxation relaxation) { return FlagsOf(relaxation).flag; }

std::string RelaxationWithFlag(Relaxation relaxation) {
  return std::string(attestation::RelaxationName(relaxation)) + " (" +
         FlagsOf(relaxation).short_flag + ")";
}

std::string PolicyViolationText(const attestation::PolicyViolation& v) {
  if (v.relaxations.empty()) return v.message;
  switch (v.check) {
    case PolicyCheck::kTcbStatus:
      return v.message + "; accepting it needs " + FlagList(v.needed) +
             (v.relaxations.size() < v.needed.size() ? " (missing: " + FlagList(v.relaxations) + ")"
                                                     : "");
    case PolicyCheck::kAdvisories:
      return v.message + "; to accept them add " + FlagList(v.relaxations) + " " + v.seen;
    default:
      return v.message + "; to accept it add " + FlagList(v.relaxations);
  }
}

Status WithQuoteFailureHint(Status status, attestation::FailureKind failure) {
  if (failure != attestation::FailureKind::kMissingCrls) return status;
  return Status(status.code(), status.message() + "; add them, or pass " +
                                   std::string(RelaxationFlag(Relaxation::kUnverifiablePcsCerts)) +
                                   " to verify without revocation checks");
}

Status CasRefusalStatus(const Status& status, const cas::CasRefusal& refusal,
                        const cas::CasAttestPolicy& policy) {
  auto with = [&](std::string message) { return Status(status.code(), std::move(message)); };
  switch (refusal.check) {
    case cas::CasCheck::kPolicy:
      return with(PolicyProblemText(status, refusal.problem));
    case cas::CasCheck::kQuote:
      if (refusal.quote_failure == attestation::FailureKind::kUntrustedRoot && refusal.simulated) {
        return with(status.message() +
                    ". The CAS runs on the simulated SGX platform: add "
                    "--only_for_testing-sim-root-ca FILE (sim-root-ca.pem in the las platform "
                    "directory) to trust it, for testing only");
      }
      return status;
    case cas::CasCheck::kCasKeyHash:
      return with("the CAS key hash is " + refusal.seen + ", not " + refusal.expected +
                  " as given with -c: this is another CAS instance");
    case cas::CasCheck::kSoftwareKeyHash:
      return with("the CAS software key hash is " + refusal.seen + ", not " + refusal.expected +
                  " as given with -s");
    case cas::CasCheck::kTrustAnyNotDebug:
      return with(std::string(RelaxationFlag(Relaxation::kTrustAny)) +
                  " is only accepted for a CAS in debug mode, and this CAS runs in production "
                  "mode; attest it without that option");
    case cas::CasCheck::kEnclave:
      return with(EnclaveText(refusal, policy));
    case cas::CasCheck::kUnprovisioned:
      return with(
          "the CAS is not provisioned yet: claim it with `scone cas provision` (which "
          "also attests it), or add " +
          std::string(RelaxationFlag(Relaxation::kUnprovisioned)));
    case cas::CasCheck::kOwnerSecretAccess:
      return with(
          "the CAS owner injected the database key and can read every secret stored in this "
          "CAS; if that is acceptable, add " +
          std::string(RelaxationFlag(Relaxation::kOwnerSecretAccess)));
    case cas::CasCheck::kEvidence:
    case cas::CasCheck::kNone:
      break;
  }
  return status;
}

}  // namespace scone::cli
