// POST /v1/enclave/configuration (docs/runtime.md "Enclave API", "Delivery"): a runtime that
// proves with a quote which program it is about to start receives the configuration of the
// service it names, with every secret placeholder rendered.
//
// Configure, in order: CAS is provisioned (412); the config_id "session/service" is well
// formed (400) and names an active session and one of its services (404); unless the session
// says `security.attestation.mode: none`, the quote verifies with the collateral of the
// request or of CAS's own platform against the roots CAS trusts (403), its report data is
// cas::EnclaveReportData of the connection's TLS client key (403), and AdmitEnclave admits it
// (403, enclave_policy.h); then the service's command, environment, pwd and injection files
// are rendered with the session's secret values. `mode: none` admits anything, with a
// warning in CAS's log and in the answer.
//
// Trusted roots: Intel's SGX root CA and the root of the platform CAS runs on, as the
// collateral of its own las names it (read on first use; CAS trusts its las already for its
// seal keys). A quote from another simulated platform under the same root verifies when the
// request carries that platform's collateral.
//
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "attestation/verifier.h"
#include "cas/api_enclave.h"
#include "cas/server/handlers.h"
#include "common/status.h"
#include "net/http.h"
#include "sdl/model.h"

namespace scone::cas {

class EnclaveHandler {
 public:
  explicit EnclaveHandler(HandlerEnv env);

  Result<api::EnclaveConfigurationResponse> Configure(
      const api::EnclaveConfigurationRequest& request, const net::PeerInfo& peer) const;

 private:
  struct State;
  // The verifier with CAS's trusted roots, made on first use.
  Result<std::shared_ptr<const attestation::QuoteVerifier>> Verifier() const;

  HandlerEnv env_;
  std::shared_ptr<State> state_;
};

}  // namespace scone::cas
