// `scone cas register-backup`, `scone cas list-backups` and `scone cas remove-backup`: the
// owner of a primary CAS admits backup CASes to its database key (docs/backup.md).
#include <ostream>

#include "cas/api.h"
#include "cli/cas_client.h"
#include "cli/cas_db.h"
#include "cli/commands.h"
#include "common/file_util.h"

namespace scone::cli {
namespace {

struct BackupArgs {
  std::string backup;  // BACKUP_CAS
  std::string cas;     // --cas
  bool accept_configuration_needed = false;
  bool accept_out_of_date = false;
  bool accept_sw_hardening_needed = false;
  bool disable_attestation_verification = false;
  std::string sim_root;
  int retries = 3;
  std::string id;  // remove-backup
};

// The primary's attested entry, its address and the link to it.
struct Primary {
  CasEntry entry;
  CasLink link;
};

Result<Primary> PrimaryOf(Context& ctx, const BackupArgs& args) {
  SCONE_ASSIGN_OR_RETURN(CasEntry entry, StoredCas(ctx, args.cas));
  auto address = ParseCasAddress(entry.address);
  if (!address.ok()) return address.status().WithContext("the CLI state's CAS entry");
  CasLink link = MakeCasLink(ctx, *address, args.retries);
  return Primary{std::move(entry), std::move(link)};
}

// A refusal of the primary, with the flag that would change it where there is one (CAS
// names no flag: it speaks to any client).
Status BackupRefusal(const Status& s, bool without_sim_root) {
  const std::string& m = s.message();
  if (m.find("only the CAS owner") != std::string::npos) return WithIdentityHint(s);
  std::string hint;
  if (m.find("tcb-status check") != std::string::npos) {
    hint =
        ". A TCB status worse than the primary's is accepted only with -C, -G or -S, "
        "whichever it needs";
  } else if (without_sim_root && (m.find("does not verify") != std::string::npos ||
                                  m.find("cannot verify its own quote") != std::string::npos)) {
    hint =
        ". On the simulated SGX platform add --only_for_testing-sim-root-ca FILE "
        "(sim-root-ca.pem of the primary's las platform directory; the backup's platform "
        "must be created with las --sim-root-from that directory)";
  }
  return Status(s.code(), m + hint);
}

nlohmann::json InfoJson(const cas::api::BackupInfo& b) { return b.ToJson(); }

void PrintInfo(std::ostream& out, const cas::api::BackupInfo& b) {
  out << b.id << "  " << b.address << "  ISVSVN " << b.isvsvn << "  TCB " << b.tcb_status
      << (b.debug ? "  DEBUG" : "") << "\n";
}

Status RegisterBackup(Context& ctx, const BackupArgs& args) {
  if (args.disable_attestation_verification) {
    return InvalidArgument(
        "--only_for_testing-disable-attestation-verification is not supported: the primary CAS "
        "always attests the backup itself before it wraps the database key for it (on the "
        "simulated platform, name its root with --only_for_testing-sim-root-ca instead)");
  }
  SCONE_ASSIGN_OR_RETURN(Identity identity, ctx.LoadIdentity());
  SCONE_ASSIGN_OR_RETURN(Primary primary, PrimaryOf(ctx, args));
  cas::api::RegisterBackupRequest request;
  request.backup = args.backup;
  request.accept_configuration_needed = args.accept_configuration_needed;
  request.accept_out_of_date = args.accept_out_of_date;
  request.accept_sw_hardening_needed = args.accept_sw_hardening_needed;
  const std::string sim_root = SimRootFile(args.sim_root);
  if (!sim_root.empty()) {
    auto pem = ReadFile(sim_root, 64 << 10);
    if (!pem.ok()) return pem.status().WithContext("--only_for_testing-sim-root-ca");
    request.sim_root_ca = std::move(*pem);
  }
  auto answer = CallPinned<cas::api::BackupInfo>(
      primary.link, primary.entry.evidence.cas_key_hash, PinSource::kAttested,
      cas::api::Endpoint::kRegisterBackup, cas::api::Serialize(request.ToJson()), &identity,
      "the backup registration");
  if (!answer.ok()) return BackupRefusal(answer.status(), sim_root.empty());
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(InfoJson(*answer));
  } else {
    ctx.out() << "Backup CAS " << args.backup << " was registered with CAS "
              << primary.entry.address << " (backup id " << answer->id << ", ISVSVN "
              << answer->isvsvn << ", TCB " << answer->tcb_status
              << "): it can now open copies of the database\n";
  }
  return Status::Ok();
}

Status ListBackups(Context& ctx, const BackupArgs& args) {
  SCONE_ASSIGN_OR_RETURN(Identity identity, ctx.LoadIdentity());
  SCONE_ASSIGN_OR_RETURN(Primary primary, PrimaryOf(ctx, args));
  auto answer = CallPinned<cas::api::BackupListResponse>(
      primary.link, primary.entry.evidence.cas_key_hash, PinSource::kAttested,
      cas::api::Endpoint::kListBackups, "", &identity, "the backup list");
  if (!answer.ok()) return WithIdentityHint(answer.status());
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(answer->ToJson());
  } else {
    if (answer->backups.empty()) ctx.out() << "No backup CAS is registered\n";
    for (const auto& b : answer->backups) PrintInfo(ctx.out(), b);
  }
  return Status::Ok();
}

Status RemoveBackup(Context& ctx, const BackupArgs& args) {
  SCONE_ASSIGN_OR_RETURN(Identity identity, ctx.LoadIdentity());
  SCONE_ASSIGN_OR_RETURN(Primary primary, PrimaryOf(ctx, args));
  net::HttpRequest request{"DELETE", cas::api::BackupPath(args.id)};
  auto answer = CallPinned<cas::api::RemoveBackupResponse>(
      primary.link, primary.entry.evidence.cas_key_hash, PinSource::kAttested, request, &identity,
      "the backup removal");
  if (!answer.ok()) return WithIdentityHint(answer.status());
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"removed", args.id}});
  } else {
    ctx.out() << "Backup " << args.id << " was removed from CAS " << primary.entry.address
              << "; copies of the database made from now on do not open there\n";
  }
  return Status::Ok();
}

void AddCasOption(CLI::App* cmd, BackupArgs& args) {
  cmd->add_option("--cas", args.cas,
                  "The primary CAS (name as in \"scone cas list\"; default: "
                  "the default CAS)")
      ->type_name("CAS");
}

}  // namespace

void RegisterCasBackupCommands(CLI::App* cas, Context& ctx, Action& action) {
  auto args = std::make_shared<BackupArgs>();
  CLI::App* reg = cas->add_subcommand(
      "register-backup",
      "Admit a backup CAS to the database key of a CAS you own: the primary attests the "
      "backup (same MRSIGNER and ISVPRODID, ISVSVN and TCB the same or better)");
  reg->add_option("BACKUP_CAS", args->backup, "HOST or HOST:PORT of the backup CAS")->required();
  AddCasOption(reg, *args);
  reg->add_flag("-C,--accept-configuration-needed", args->accept_configuration_needed,
                "Accept a backup whose TCB status is ConfigurationNeeded");
  reg->add_flag("-G,--accept-group-out-of-date", args->accept_out_of_date,
                "Accept a backup whose TCB status is OutOfDate");
  reg->add_flag("-S,--accept-sw-hardening-needed", args->accept_sw_hardening_needed,
                "Accept a backup whose TCB status is SWHardeningNeeded");
  AddIdentityOption(reg, ctx);
  reg->add_option("--retries", args->retries,
                  "Further attempts when the primary cannot be reached (default 3)")
      ->type_name("N")
      ->check(CLI::Range(0, 10));
  reg->add_flag("--only_for_testing-disable-attestation-verification",
                args->disable_attestation_verification,
                "Not supported: the primary always attests the backup");
  AddSimRootOption(reg, args->sim_root);
  AddFormatOption(reg, ctx);
  reg->callback(
      [&ctx, &action, args] { action = [&ctx, args] { return RegisterBackup(ctx, *args); }; });

  CLI::App* list = cas->add_subcommand("list-backups", "List the backups of a CAS you own");
  AddCasOption(list, *args);
  AddIdentityOption(list, ctx);
  AddFormatOption(list, ctx);
  list->callback(
      [&ctx, &action, args] { action = [&ctx, args] { return ListBackups(ctx, *args); }; });

  CLI::App* remove =
      cas->add_subcommand("remove-backup", "Withdraw a backup's access to a CAS you own");
  remove->add_option("BACKUP_ID", args->id, "The id \"scone cas list-backups\" shows")->required();
  AddCasOption(remove, *args);
  AddIdentityOption(remove, ctx);
  AddFormatOption(remove, ctx);
  remove->callback(
      [&ctx, &action, args] { action = [&ctx, args] { return RemoveBackup(ctx, *args); }; });
}

}  // namespace scone::cli
