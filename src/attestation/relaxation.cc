// Names of the relaxations (relaxation.h).
#include "attestation/relaxation.h"

#include <string>

namespace scone::attestation {

std::string_view RelaxationName(Relaxation relaxation) {
  switch (relaxation) {
    case Relaxation::kConfigurationNeeded:
      return "configuration-needed";
    case Relaxation::kOutOfDate:
      return "out-of-date";
    case Relaxation::kSwHardeningNeeded:
      return "sw-hardening-needed";
    case Relaxation::kDebug:
      return "debug";
    case Relaxation::kIgnoreAdvisories:
      return "ignore-advisories";
    case Relaxation::kUnverifiablePcsCerts:
      return "unverifiable-pcs-certs";
    case Relaxation::kTrustAny:
      return "trust-any";
    case Relaxation::kIgnoreSigner:
      return "ignore-signer";
    case Relaxation::kUnprovisioned:
      return "unprovisioned";
    case Relaxation::kOwnerSecretAccess:
      return "owner-secret-access";
  }
  return "unknown";
}

Result<Relaxation> ParseRelaxation(std::string_view name) {
  for (Relaxation r : kAllRelaxations) {
    if (RelaxationName(r) == name) return r;
  }
  return InvalidArgument("unknown relaxation \"" + std::string(name) + "\"");
}

}  // namespace scone::attestation
