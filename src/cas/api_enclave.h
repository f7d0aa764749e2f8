// The enclave API on the wire (docs/runtime.md "Enclave API"): POST /v1/enclave/configuration
// on CAS's enclave port only. The runtime (`scone-run`) sends its quote and names the service
// it wants to run; CAS answers the service's configuration with every secret placeholder
// filled in. The server (src/cas/server/enclave_handler.*) and the runtime
// (src/runtime/enclave_client.*) both use these types.
//
// Secrets: the answer carries secret values (command arguments, environment values, file
// contents may hold rendered secrets). Those are SecretBytes in memory and hex on the wire
// (binary-safe; a value may be any bytes but NUL); ToHttpResponse writes the body into one
// buffer that never grows and marks it sensitive (net/http.h), and FromJson wipes the hex text
// of every secret member of the parsed JSON once read. Paths, names, `pwd` and the mode are
// plain JSON strings.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attestation/collateral.h"
#include "cas/api.h"
#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "net/http.h"

namespace scone::cas::api {

// "session/service" (namespaces allowed: "ns/app/service"): at most this many bytes.
inline constexpr size_t kMaxConfigIdSize = 512;
// Every injection file's content, and the whole answer, are bounded by the runtime's answer
// limit (net::ClientOptions::max_response_bytes); one value at most this size.
inline constexpr size_t kMaxDeliveredValueSize = 1u << 20;

// POST /v1/enclave/configuration: {"config_id": "session/service", "quote": HEX
// [, "collateral": {...}]}. The quote's report data must be
// cas::EnclaveReportData(SPKI of the TLS client certificate of the connection). Without
// collateral, CAS verifies the quote with the collateral of its own platform (a quote of a
// program on CAS's machine); with it, the collateral must still chain to a root CAS trusts.
struct EnclaveConfigurationRequest {
  std::string config_id;
  Bytes quote;
  std::optional<attestation::Collateral> collateral;

  nlohmann::json ToJson() const;
  static Result<EnclaveConfigurationRequest> FromJson(const nlohmann::json& json);
};

// One injection file: its absolute path, content and mode.
struct EnclaveFile {
  std::string path;
  SecretBytes content;
  uint32_t mode = 0600;  // permission bits only (at most 07777)
};

// 200: the service's configuration, placeholders rendered. On the wire:
//   {"session": NAME, "session_hash": HASH, "service": NAME,
//    "command": [HEX, ...] | null,           argv; null: the policy has no command
//    "environment": [[NAME, HEX], ...],      in the policy's order
//    "pwd": PATH | null,
//    "injection_files": [{"path": PATH, "content": HEX, "mode": "0600"}, ...],
//    "warnings": [TEXT, ...]}                for the runtime's log (e.g. mode: none)
// Host arguments `@@1`... in the command are left for the runtime to fill in.
struct EnclaveConfigurationResponse {
  std::string session;
  std::string session_hash;
  std::string service;
  std::optional<std::vector<SecretBytes>> command;
  std::vector<std::pair<std::string, SecretBytes>> environment;
  std::optional<std::string> pwd;
  std::vector<EnclaveFile> injection_files;
  std::vector<std::string> warnings;

  // The 200 answer, built in one buffer and marked sensitive.
  net::HttpResponse ToHttpResponse() const;
  // Wipes the secret members' hex text in `json` once read, also when it fails.
  static Result<EnclaveConfigurationResponse> FromJson(nlohmann::json& json);
};

}  // namespace scone::cas::api
