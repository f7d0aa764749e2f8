// The `scone cas` group (docs/cli.md "CAS trust: scone cas"). Each concern has its own file:
//   cas_attest_commands.cc     attest, list, set-default, show-certificate, show-identification
//   cas_provision_commands.cc  provision, update-config
//   cas_backup_commands.cc     register-backup, list-backups, remove-backup
//   cas_attest_flags.{h,cc}    the attest options and the policy they describe
//   cas_output.{h,cc}          what is printed about an attested CAS
//   cas_db.{h,cc}              the CAS entries of the CLI state, and storing them
//   cas_client.{h,cc}          addresses, attestation, pinned requests, retries
//   session_*.cc               `scone cas session ...` (the same as `scone session ...`)
#include "cli/commands.h"

namespace scone::cli {

void RegisterCasCommands(CLI::App& root, Context& ctx, Action& action) {
  CLI::App* cas = root.add_subcommand(
      "cas", "Attest, provision and configure CAS instances; check session files");
  cas->require_subcommand(1);
  // The order here is the order of `scone cas --help` and of the command list in errors.
  RegisterSessionGroup(cas, ctx, action);
  RegisterCasTrustCommands(cas, ctx, action);
  RegisterCasOwnerCommands(cas, ctx, action);
  RegisterCasBackupCommands(cas, ctx, action);
}

}  // namespace scone::cli
