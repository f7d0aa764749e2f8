// Registration of the command groups. Each group's file adds its subcommands to the root
// and, when one of them is chosen, stores the work to do in `action`.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "attestation/verifier.h"
#include "cli/context.h"
#include "common/status.h"

namespace scone::cli {

using Action = std::function<Status()>;

void RegisterSelfCommands(CLI::App& root, Context& ctx, Action& action);
void RegisterCertCommands(CLI::App& root, Context& ctx, Action& action);
void RegisterSignerCommands(CLI::App& root, Context& ctx, Action& action);
void RegisterAttestationCommands(CLI::App& root, Context& ctx, Action& action);
void RegisterLasCommands(CLI::App& root, Context& ctx, Action& action);
// `scone session ...`.
void RegisterSessionCommands(CLI::App& root, Context& ctx, Action& action);
// The `scone cas` group: CAS trust (attest, provision, ...) and `scone cas session ...`.
void RegisterCasCommands(CLI::App& root, Context& ctx, Action& action);
// The `session` group under `parent` (the root, or `cas`).
void RegisterSessionGroup(CLI::App* parent, Context& ctx, Action& action);
// Parts of the `cas` group: attest, list, set-default, show-certificate, show-identification
// (cas_attest_commands.cc); provision, update-config (cas_provision_commands.cc).
void RegisterCasTrustCommands(CLI::App* cas, Context& ctx, Action& action);
void RegisterCasOwnerCommands(CLI::App* cas, Context& ctx, Action& action);
void RegisterCasBackupCommands(CLI::App* cas, Context& ctx, Action& action);
// `scone completion bash|zsh` and the hidden `scone man DIR` (completion_commands.cc): they
// describe the tree `root` holds when they run, so every group must be registered.
void RegisterCompletionCommands(CLI::App& root, Context& ctx, Action& action);

// The `scone` root command with every command group registered, as `scone --help` sees it;
// the chosen command stores its work in `action`.
std::unique_ptr<CLI::App> NewCommandTree(Context& ctx, Action& action);

// Shared flags.
void AddFormatOption(CLI::App* cmd, Context& ctx);
void AddIdentityOption(CLI::App* cmd, Context& ctx);
// --only_for_testing-sim-root-ca FILE (testing only: trust a simulated SGX root CA).
void AddSimRootOption(CLI::App* cmd, std::string& target);
// The simulated root CA file to trust: `flag` if given, else
// $SCONE_ONLY_FOR_TESTING_SIM_ROOT_CA; empty for none.
std::string SimRootFile(const std::string& flag);
// A quote verifier that trusts the Intel SGX Root CA (or `root_file` instead of it) and, if
// `sim_root_file` is not empty, also that simulated root. Errors name the file.
Result<std::unique_ptr<attestation::QuoteVerifier>> NewQuoteVerifier(
    const std::string& root_file, const std::string& sim_root_file,
    bool accept_unverifiable_pcs_certs);

}  // namespace scone::cli
