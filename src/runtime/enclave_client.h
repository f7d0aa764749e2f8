// The runtime's half of the enclave API (docs/runtime.md "Enclave API"): attest the program
// to CAS and receive its configuration.
//
// FetchConfiguration makes a fresh P-256 key K and a self-signed certificate for it, asks
// `quote` for a quote whose report data is cas::EnclaveReportData(K's SPKI), and sends it with
// the config id over TLS 1.3 to CAS's enclave port, K's certificate as client certificate.
// With `cas_key_hash` (SCONE_CAS_KEY_HASH) the connection must end in the CAS of that key;
// without it any server key is accepted and a warning says so. The answer is the service's
// configuration with secrets filled in and `@@N` host arguments still to replace
// (apply_config.h); it is read from a sensitive (wiped) buffer into SecretBytes.
//
// Logs, in SCONE's order: the quote from LAS, the attestation by CAS, the configuration
// received (counts, never values), and any warning CAS sent.
//
// Errors: kUnavailable for a CAS (or las) that cannot be reached; kVerificationFailed for a
// CAS whose key is not `cas_key_hash`; a refusal by CAS keeps its message, with kNotFound for
// an unknown session or service (404), kPolicyRejected/kVerificationFailed for attestation
// refusals (403), kFailedPrecondition for 412.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cas/api_enclave.h"
#include "common/bytes.h"
#include "common/status.h"
#include "net/http.h"
#include "runtime/quote_source.h"

namespace scone::runtime {

using QuoteFn = std::function<Result<ProgramQuote>(const ByteArray<64>& report_data)>;

// What CAS delivers (api_enclave.h): command (argv, `@@N` not replaced yet), environment,
// pwd, injection files, and warnings for the log.
using Configuration = cas::api::EnclaveConfigurationResponse;
using InjectedFile = cas::api::EnclaveFile;

Result<Configuration> FetchConfiguration(const net::Endpoint& cas, std::string_view config_id,
                                         const QuoteFn& quote,
                                         const std::optional<std::string>& cas_key_hash);

}  // namespace scone::runtime
