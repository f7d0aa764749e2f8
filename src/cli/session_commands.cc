// `scone session ...` (also `scone cas session ...`): check session files and compute their
// hashes locally (docs/session-language.md), and create, update, read, verify, list and show
// the history of sessions on an attested CAS (docs/cli.md "Sessions";
// session_cas_commands.h).
#include <ostream>

#include "cli/commands.h"
#include "cli/session_cas_commands.h"
#include "cli/session_file.h"
#include "common/file_util.h"
#include "sdl/canonical.h"
#include "sdl/printer.h"
#include "sdl/session.h"

namespace scone::cli {
namespace {

Status Check(Context& ctx, const SessionCommandArgs& args) {
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked, LoadSessionFile(args.file, ctx.err()));
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(sdl::SessionToJson(checked.session));
  } else {
    ctx.out() << sdl::SessionToYaml(checked.session);
  }
  return Status::Ok();
}

Status CalculateHash(Context& ctx, const SessionCommandArgs& args) {
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked, LoadSessionFile(args.file, ctx.err()));
  std::optional<std::string> creator;
  if (!args.creator.empty()) {
    auto cert = ReadFile(args.creator, 1 << 20);
    if (!cert.ok()) return cert.status().WithContext("cannot read the --creator certificate");
    creator = std::move(cert).value();
  }
  auto hash = sdl::SessionHash(checked.session, creator);
  if (!hash.ok()) return hash.status().WithContext("--creator " + args.creator);
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"name", checked.session.name.value}, {"hash", *hash}});
  } else {
    ctx.out() << *hash << "\n";
  }
  return Status::Ok();
}

using Command = Status (*)(Context&, const SessionCommandArgs&);

// Adds subcommand `name` to `group`, running `command` with its own options when chosen.
CLI::App* AddCommand(CLI::App* group, Context& ctx, Action& action, const std::string& name,
                     const std::string& help, Command command,
                     const std::shared_ptr<SessionCommandArgs>& args) {
  CLI::App* cmd = group->add_subcommand(name, help);
  cmd->callback([&ctx, &action, command, args] {
    action = [&ctx, command, args] { return command(ctx, *args); };
  });
  return cmd;
}

void AddFileOptions(CLI::App* cmd, SessionFileArgs& args) {
  cmd->add_option("SESSION_FILE", args.file, "Session description (YAML)")->required();
  cmd->add_option("-e,--env", args.env,
                  "Set variable NAME to VALUE for $NAME / ${NAME} (repeatable; wins over "
                  "--use-env)")
      ->type_name("NAME=VALUE")
      ->take_all()
      ->allow_extra_args(false);  // `-e A=1 FILE`: FILE is not a second value of -e
  cmd->add_flag("--use-env", args.use_env, "Take variables not set with -e from the environment");
  cmd->add_option("--name", args.name, "Rename the session (after variable substitution)")
      ->type_name("NAME");
}

// --cas, --retries, --identity and --format: every command that talks to CAS.
void AddCasOptions(CLI::App* cmd, Context& ctx, SessionCommandArgs& args) {
  cmd->add_option("--cas", args.cas,
                  "The CAS, by its name in \"scone cas list\" (default: the default CAS); it "
                  "must have been attested with \"scone cas attest\"")
      ->type_name("CAS");
  cmd->add_option("--retries", args.retries,
                  "Further attempts when the CAS cannot be reached (default 3)")
      ->type_name("N")
      ->check(CLI::Range(0, 10));
  AddIdentityOption(cmd, ctx);
  AddFormatOption(cmd, ctx);
}

}  // namespace

void RegisterSessionGroup(CLI::App* parent, Context& ctx, Action& action) {
  CLI::App* group = parent->add_subcommand(
      "session", "Check session files; create, update, read, verify and list sessions on CAS");
  group->require_subcommand(1);

  auto check = std::make_shared<SessionCommandArgs>();
  CLI::App* cmd = AddCommand(
      group, ctx, action, "check",
      "Validate a session file and print it normalized (secret values redacted)", Check, check);
  AddFileOptions(cmd, check->file);
  AddFormatOption(cmd, ctx);

  auto hash = std::make_shared<SessionCommandArgs>();
  cmd = AddCommand(group, ctx, action, "calculate-hash",
                   "Print the session hash (SHA-256 of its canonical form)", CalculateHash, hash);
  AddFileOptions(cmd, hash->file);
  cmd->add_option("--creator", hash->creator,
                  "The uploader's certificate (PEM or DER), part of the hash")
      ->type_name("CERT");
  AddFormatOption(cmd, ctx);

  // The commands that send (or compare) a session file.
  struct FileCommand {
    const char* name;
    const char* help;
    Command run;
  };
  static constexpr FileCommand kFileCommands[] = {
      {"create",
       "Upload a new session to CAS and print its hash (an existing name is refused: use "
       "update)",
       CreateSession},
      {"update",
       "Upload a new version of a session and print its hash; the active version's hash "
       "becomes its predecessor unless the file names one",
       UpdateSession},
      {"verify",
       "Check that the session active on CAS is the file (after substitution) and print its "
       "hash; non-zero exit code on a mismatch",
       VerifySession},
  };
  for (const FileCommand& c : kFileCommands) {
    auto args = std::make_shared<SessionCommandArgs>();
    cmd = AddCommand(group, ctx, action, c.name, c.help, c.run, args);
    AddFileOptions(cmd, args->file);
    AddCasOptions(cmd, ctx, *args);
  }

  auto read = std::make_shared<SessionCommandArgs>();
  cmd = AddCommand(group, ctx, action, "read",
                   "Print a session as CAS stores it (exit code 2: no such session)", ReadSession,
                   read);
  cmd->add_option("NAME", read->name, "The session's name (ns/name in a namespace)")->required();
  cmd->add_option("--hash", read->hash, "This version instead of the active one")
      ->type_name("HASH");
  cmd->add_option("-o,--output", read->output,
                  "Write the session to FILE (mode 0600) instead of printing it")
      ->type_name("FILE");
  AddCasOptions(cmd, ctx, *read);

  auto list = std::make_shared<SessionCommandArgs>();
  cmd =
      AddCommand(group, ctx, action, "list", "List the sessions you may list", ListSessions, list);
  cmd->add_option("NAMESPACE", list->ns, "Only the sessions in this namespace");
  AddCasOptions(cmd, ctx, *list);

  auto history = std::make_shared<SessionCommandArgs>();
  cmd = AddCommand(group, ctx, action, "history",
                   "List the versions of a session, oldest first: hash, time, creator",
                   SessionHistory, history);
  cmd->add_option("NAME", history->name, "The session's name")->required();
  AddCasOptions(cmd, ctx, *history);
}

void RegisterSessionCommands(CLI::App& root, Context& ctx, Action& action) {
  RegisterSessionGroup(&root, ctx, action);
}

}  // namespace scone::cli
