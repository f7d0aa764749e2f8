// `scone session ...` (also `scone cas session ...`): check session files and compute their
// hashes locally (docs/session-language.md). Commands that talk to CAS join these later.
#include <ostream>

#include "cli/commands.h"
#include "common/file_util.h"
#include "sdl/canonical.h"
#include "sdl/printer.h"
#include "sdl/session.h"

namespace scone::cli {
namespace {

struct SessionArgs {
  std::string file;
  std::vector<std::string> env;  // -e NAME=VALUE
  bool use_env = false;
  std::string name;     // --name
  std::string creator;  // --creator CERT (calculate-hash)
};

Result<sdl::CheckedSession> Load(Context& ctx, const SessionArgs& args) {
  auto text = ReadFile(args.file, 4 << 20);
  if (!text.ok()) return text.status().WithContext("cannot read the session file");
  sdl::Variables vars;
  for (const auto& assignment : args.env) {
    Status s = vars.AddAssignment(assignment);
    if (!s.ok()) return s.WithContext("-e " + assignment);
  }
  if (args.use_env) vars.UseEnvironment();
  std::optional<std::string> rename;
  if (!args.name.empty()) rename = args.name;
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked,
                         sdl::LoadSession(*text, args.file, vars, rename));
  for (const auto& w : checked.warnings) ctx.err() << w << "\n";
  return checked;
}

Status Check(Context& ctx, const SessionArgs& args) {
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked, Load(ctx, args));
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(sdl::SessionToJson(checked.session));
  } else {
    ctx.out() << sdl::SessionToYaml(checked.session);
  }
  return Status::Ok();
}

Status CalculateHash(Context& ctx, const SessionArgs& args) {
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked, Load(ctx, args));
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

void AddSessionInputOptions(CLI::App* cmd, SessionArgs& args) {
  cmd->add_option("SESSION_FILE", args.file, "Session description (YAML)")->required();
  cmd->add_option("-e,--env", args.env,
                  "Set variable NAME to VALUE for $NAME / ${NAME} (repeatable; wins over "
                  "--use-env)")
      ->type_name("NAME=VALUE")
      ->take_all();
  cmd->add_flag("--use-env", args.use_env, "Take variables not set with -e from the environment");
  cmd->add_option("--name", args.name, "Rename the session (after variable substitution)")
      ->type_name("NAME");
}

}  // namespace

void RegisterSessionGroup(CLI::App* parent, Context& ctx, Action& action) {
  CLI::App* group = parent->add_subcommand("session", "Check session files and their hashes");
  group->require_subcommand(1);

  auto check_args = std::make_shared<SessionArgs>();
  CLI::App* check = group->add_subcommand(
      "check", "Validate a session file and print it normalized (secret values redacted)");
  AddSessionInputOptions(check, *check_args);
  AddFormatOption(check, ctx);
  check->callback([&ctx, &action, check_args] {
    action = [&ctx, check_args] { return Check(ctx, *check_args); };
  });

  auto hash_args = std::make_shared<SessionArgs>();
  CLI::App* hash = group->add_subcommand("calculate-hash",
                                         "Print the session hash (SHA-256 of its canonical form)");
  AddSessionInputOptions(hash, *hash_args);
  hash->add_option("--creator", hash_args->creator,
                   "The uploader's certificate (PEM or DER), part of the hash")
      ->type_name("CERT");
  AddFormatOption(hash, ctx);
  hash->callback([&ctx, &action, hash_args] {
    action = [&ctx, hash_args] { return CalculateHash(ctx, *hash_args); };
  });
}

void RegisterSessionCommands(CLI::App& root, Context& ctx, Action& action) {
  RegisterSessionGroup(&root, ctx, action);
}

}  // namespace scone::cli
