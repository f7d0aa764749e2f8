// The options that say which CAS to trust, shared by `scone cas attest` and `scone cas
// provision ... with-attestation`, and what they mean: the cas::CasAttestPolicy, the
// verification time and the quote verifier, all checked before anything is sent.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attestation/verifier.h"
#include "cas/protocol.h"
#include "cli/cas_client.h"
#include "cli/context.h"
#include "common/status.h"

namespace scone::cli {

// The options as CLI11 fills them in.
struct AttestFlags {
  std::string mrenclave;                // [MRENCLAVE]
  std::vector<std::string> mrenclaves;  // --mrenclave
  std::string mrsigner;
  std::optional<uint16_t> isvprodid;
  std::optional<uint16_t> isvsvn;
  std::string cas_key_hash;       // -c (on `provision` itself for provisioning)
  std::string software_key_hash;  // -s
  bool accept_configuration_needed = false;
  bool accept_group_out_of_date = false;
  bool accept_sw_hardening_needed = false;
  bool allow_owner_secret_access = false;
  bool allow_debug = false;
  bool ignore_signer = false;
  bool trust_any = false;
  bool allow_unprovisioned = false;
  std::string verification_time;
  std::string sim_root;
  int retries = 3;
};

enum class FlagUse { kAttest, kProvision };

// Registers [MRENCLAVE] and the policy options on `cmd`. For provisioning, -c is an option of
// `provision` itself and an unprovisioned CAS is what is expected, so those two are left out.
void AddAttestFlags(CLI::App* cmd, AttestFlags& flags, Context& ctx, FlagUse use);

// The policy the options describe, checked as a whole (cas::ValidatePolicy); kInvalidArgument
// naming the option.
Result<cas::CasAttestPolicy> PolicyFromFlags(const AttestFlags& flags);

// --verification-time, or the context's clock.
Result<int64_t> VerificationTime(const Context& ctx, const AttestFlags& flags);

// What `attest` and `provision ... with-attestation` prepare before any network traffic.
struct PreparedAttestation {
  CasAddress address;
  cas::CasAttestPolicy policy;
  int64_t now = 0;
  std::unique_ptr<attestation::QuoteVerifier> verifier;
};

Result<PreparedAttestation> PrepareAttestation(const Context& ctx, const std::string& address_text,
                                               const AttestFlags& flags);

}  // namespace scone::cli
