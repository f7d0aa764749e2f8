// What the runtime (`scone-run`, src/runtime) and CAS's enclave API must agree on
// (docs/runtime.md "Enclave API"): how a quote binds the TLS key the runtime connects with,
// and how a platform is named in a session's `platforms` list.
//
// The runtime makes a fresh P-256 key K for each start, asks las for a quote of the program
// with the report data below, and connects to CAS's enclave port with K's self-signed
// certificate as TLS client certificate. CAS recomputes the report data from the client
// certificate of the connection, so a quote is only good on a connection whose TLS handshake
// proves possession of K: a quote that leaks or is relayed is useless without K's private key.
#pragma once

#include <string>

#include "common/bytes.h"

namespace scone::cas {

// The domain label of the enclave API's report data; a new binding changes the "/1".
inline constexpr char kEnclaveReportDataLabel[] = "scone-enclave-configuration/1";

// The 64 bytes of report data of a runtime's quote:
//   SHA-512("scone-enclave-configuration/1" || 0x00 || SHA-256(K's SubjectPublicKeyInfo DER))
ByteArray<64> EnclaveReportData(ByteView client_key_spki_der);

// The id of the platform a quote comes from, as a session's `platforms` lists it: 64
// lower-case hex digits, SHA-256 of the quoting enclave's attestation public key (the raw
// 64 bytes X || Y of the quote's attestation key). Each platform directory of the simulated
// platform has its own attestation key (docs/platform.md).
std::string PlatformId(const ByteArray<64>& attestation_key);

}  // namespace scone::cas
