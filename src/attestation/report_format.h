// Presentation of verification results for the CLI (`scone attestation verify-quote`) and
// for APIs: human-readable text and JSON. Formatting never fails.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "attestation/relaxation.h"
#include "attestation/verifier.h"

namespace scone::attestation {

// JSON object with (at least) "status", "advisory_ids", "mrenclave", "mrsigner",
// "isvprodid", "isvsvn", "debug", "report_data" (hex), "fmspc", "qe_status", plus
// "platform_tcb_status", "tcb_date", "qe_tcb_date", "pce_id", "cpusvn" (the PCK
// certificate's TCB components, hex), "pcesvn", "attributes" (hex),
// "tcb_evaluation_data_number", "revocation_checked" (every revocation check ran) and
// "revocation_checks" ({"root_ca_crl": bool, "pck_crl": bool}: which ran, see
// RevocationChecks). Byte values are lower-case hex.
nlohmann::json VerifiedQuoteToJson(const VerifiedQuote& quote);

// How a caller names a relaxation in text: the CLI passes its flags
// (cli::RelaxationFlag); the default is the relaxation's stable name.
using RelaxationWords = std::string_view (*)(Relaxation);

// Multi-line "name: value" text with the same content. A relaxation that the result needed
// (unverifiable-pcs-certs, when CRLs were missing) is named with `words`.
std::string FormatVerifiedQuote(const VerifiedQuote& quote, RelaxationWords words = RelaxationName);

// {"error": {"code": "<code name>", "kind": "<failure kind>", "message": "..."}} for a
// failed verification.
nlohmann::json VerificationFailureToJson(const Status& status, FailureKind kind);

// OK for a non-terminal status; for a terminal one (Revoked, IsTerminalStatus) a
// kVerificationFailed Status saying that the quote verifies but must not be relied on
// (FailureKind::kTcbRevoked).
Status TerminalStatusError(const VerifiedQuote& quote);

}  // namespace scone::attestation
