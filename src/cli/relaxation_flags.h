// The CLI's words for the relaxation vocabulary (attestation/relaxation.h): the flag that
// grants each relaxation, and refusals of attestation/ and cas/ (which name no flag) turned
// into messages that say which flag would relax them. This file is the one place where a
// relaxation meets its flag.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "attestation/policy.h"
#include "attestation/relaxation.h"
#include "attestation/verifier.h"
#include "cas/protocol.h"
#include "common/status.h"

namespace scone::cli {

// The flag that grants `relaxation`, as help and errors name it:
// "-C/--accept-configuration-needed", "--only_for_testing-debug", ...
std::string_view RelaxationFlag(attestation::Relaxation relaxation);

// A relaxation recorded in the evidence, with the short flag that allowed it:
// "configuration-needed (-C)".
std::string RelaxationWithFlag(attestation::Relaxation relaxation);

// A policy violation for people: its message and, if a flag relaxes it, which one.
std::string PolicyViolationText(const attestation::PolicyViolation& violation);

// `status`, a failed quote verification with `failure`, with the flag that relaxes it if
// there is one (collateral without CRLs: --accept-unverifiable-pcs-certs).
Status WithQuoteFailureHint(Status status, attestation::FailureKind failure);

// cas::VerifyAttestation's refusal as the CLI shows it: the same code, a message that names
// the options involved (-c, -s, --mrsigner, ...) and the flag that would relax the check.
// `policy` is the one the refusal was made under.
Status CasRefusalStatus(const Status& status, const cas::CasRefusal& refusal,
                        const cas::CasAttestPolicy& policy);

}  // namespace scone::cli
