// The attest options: registration, the policy and time they describe (cas_attest_flags.h).
#include "cli/cas_attest_flags.h"

#include <algorithm>

#include "attestation/timestamp.h"
#include "cli/commands.h"
#include "cli/relaxation_flags.h"
#include "common/hex.h"
#include "crypto/key_hash.h"

namespace scone::cli {
namespace {

Result<ByteArray<32>> Hex32(const std::string& text, const std::string& what) {
  auto bytes = HexDecode(text, 32);
  if (!bytes.ok()) return bytes.status().WithContext(what);
  ByteArray<32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace

void AddAttestFlags(CLI::App* cmd, AttestFlags& f, Context& ctx, FlagUse use) {
  cmd->add_option("MRENCLAVE", f.mrenclave,
                  "Expected enclave measurement of the CAS (64 hex digits): attests exactly "
                  "this CAS version, old or new");
  cmd->add_option("--mrenclave", f.mrenclaves, "Another accepted MRENCLAVE (repeatable)")
      ->type_name("HEX")
      ->allow_extra_args(false);
  cmd->add_option("--mrsigner", f.mrsigner,
                  "Expect CAS software of this signer (64 hex digits; needs --isvprodid and "
                  "--isvsvn) instead of this build's release signer")
      ->type_name("HEX");
  cmd->add_option("--isvprodid", f.isvprodid, "ISVPRODID of the --mrsigner CAS")->type_name("N");
  cmd->add_option("--isvsvn", f.isvsvn,
                  "Minimum ISVSVN (security version) of the CAS; default: this build's, " +
                      std::to_string(cas::CasIsvSvn()))
      ->type_name("N");
  if (use == FlagUse::kAttest) {
    cmd->add_option("-c,--cas-key-hash", f.cas_key_hash,
                    "Expected CAS key hash: the CAS instance (from the CAS log or a trusted "
                    "party)")
        ->type_name("CAS_KEY_HASH");
  }
  cmd->add_option("-s,--cas-software-key-hash", f.software_key_hash,
                  "Expected CAS software key hash")
      ->type_name("CAS_SOFTWARE_KEY_HASH");
  cmd->add_flag("-C,--accept-configuration-needed", f.accept_configuration_needed,
                "Accept a platform whose TCB status is ConfigurationNeeded (e.g. hyperthreading)");
  cmd->add_flag("-G,--accept-group-out-of-date", f.accept_group_out_of_date,
                "Accept a platform whose TCB status is OutOfDate (older, less secure SGX)");
  cmd->add_flag("-S,--accept-sw-hardening-needed", f.accept_sw_hardening_needed,
                "Accept a platform whose TCB status is SWHardeningNeeded");
  cmd->add_flag("--allow-cas-owner-secret-access", f.allow_owner_secret_access,
                "Accept a CAS whose owner injected the database key (and can read every secret)");
  cmd->add_flag("--only_for_testing-debug", f.allow_debug,
                "TESTING ONLY: accept a CAS enclave in debug mode");
  cmd->add_flag("--only_for_testing-ignore-signer", f.ignore_signer,
                "TESTING ONLY: do not check the CAS signer (needs MRENCLAVE)");
  cmd->add_flag("--only_for_testing-trust-any", f.trust_any,
                "TESTING ONLY: accept any CAS software in debug mode");
  if (use == FlagUse::kAttest) {
    cmd->add_flag("--only_for_testing_allow-unprovisioned-cas", f.allow_unprovisioned,
                  "TESTING ONLY: accept a CAS that has no owner yet");
  }
  cmd->add_option("--verification-time", f.verification_time,
                  "Verify as of this time: Unix seconds or RFC 3339 (default: now)")
      ->type_name("TIME");
  AddSimRootOption(cmd, f.sim_root);
  cmd->add_option("--retries", f.retries,
                  "Further attempts when the CAS cannot be reached (default 3)")
      ->type_name("N")
      ->check(CLI::Range(0, 10));
  AddFormatOption(cmd, ctx);
}

Result<cas::CasAttestPolicy> PolicyFromFlags(const AttestFlags& f) {
  cas::CasAttestPolicy p;
  if (!f.mrenclave.empty()) {
    SCONE_ASSIGN_OR_RETURN(auto m, Hex32(f.mrenclave, "MRENCLAVE " + f.mrenclave));
    p.mrenclaves.push_back(m);
  }
  for (const auto& text : f.mrenclaves) {
    SCONE_ASSIGN_OR_RETURN(auto m, Hex32(text, "--mrenclave " + text));
    p.mrenclaves.push_back(m);
  }
  if (!f.mrsigner.empty()) {
    SCONE_ASSIGN_OR_RETURN(auto m, Hex32(f.mrsigner, "--mrsigner " + f.mrsigner));
    p.mrsigner = m;
  }
  p.isvprodid = f.isvprodid;
  p.isvsvn = f.isvsvn;
  if (!f.cas_key_hash.empty()) {
    auto decoded = crypto::DecodeKeyHash(f.cas_key_hash);
    if (!decoded.ok()) return decoded.status().WithContext("-c (CAS key hash)");
    p.cas_key_hash = f.cas_key_hash;
  }
  if (!f.software_key_hash.empty()) {
    auto decoded = crypto::DecodeKeyHash(f.software_key_hash);
    if (!decoded.ok()) return decoded.status().WithContext("-s (CAS software key hash)");
    p.software_key_hash = f.software_key_hash;
  }
  p.accept_configuration_needed = f.accept_configuration_needed;
  p.accept_out_of_date = f.accept_group_out_of_date;
  p.accept_sw_hardening_needed = f.accept_sw_hardening_needed;
  p.allow_owner_secret_access = f.allow_owner_secret_access;
  p.allow_debug = f.allow_debug;
  p.ignore_signer = f.ignore_signer;
  p.trust_any = f.trust_any;
  p.allow_unprovisioned = f.allow_unprovisioned;
  cas::CasRefusal refusal;
  Status valid = cas::ValidatePolicy(p, &refusal);
  if (!valid.ok()) return CasRefusalStatus(valid, refusal, p);
  return p;
}

Result<int64_t> VerificationTime(const Context& ctx, const AttestFlags& f) {
  if (f.verification_time.empty()) return ctx.Now();
  auto t = attestation::ParseVerificationTime(f.verification_time);
  if (!t.ok()) return t.status().WithContext("--verification-time");
  return *t;
}

Result<PreparedAttestation> PrepareAttestation(const Context& ctx, const std::string& address_text,
                                               const AttestFlags& flags) {
  PreparedAttestation p;
  SCONE_ASSIGN_OR_RETURN(p.address, ParseCasAddress(address_text));
  SCONE_ASSIGN_OR_RETURN(p.policy, PolicyFromFlags(flags));
  SCONE_ASSIGN_OR_RETURN(p.now, VerificationTime(ctx, flags));
  SCONE_ASSIGN_OR_RETURN(p.verifier, NewQuoteVerifier("", SimRootFile(flags.sim_root), false));
  return p;
}

}  // namespace scone::cli
