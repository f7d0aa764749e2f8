#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/commands.h"

#ifndef SCONE_VERSION
#define SCONE_VERSION "0.0.0"
#endif

namespace scone::cli {

void AddFormatOption(CLI::App* cmd, Context& ctx) {
  cmd->add_option("--format", ctx.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
}

void AddIdentityOption(CLI::App* cmd, Context& ctx) {
  cmd->add_option("--identity", ctx.identity_file,
                  "Use this identity instead of the CLI state's: a PEM PKCS#8 private key "
                  "followed by an X.509v3 certificate")
      ->type_name("FILE");
}

namespace {

int ExitCode(const Status& s) {
  if (s.ok()) return 0;
  return s.code() == Code::kNotFound ? 2 : 1;
}

}  // namespace

int Run(int argc, const char* const* argv, Context& ctx) {
  CLI::App app{
      "scone: attest CAS, manage your identity and sessions (an open implementation of the "
      "SCONE CLI)",
      "scone"};
  app.set_version_flag("--version", std::string("scone ") + SCONE_VERSION);
  app.add_option("--config", ctx.config_flag,
                 "CLI state file (default: $SCONE_CLI_CONFIG, else ~/.cas/config.json)")
      ->type_name("FILE");
  app.require_subcommand(1);
  app.fallthrough();  // --config may follow the subcommand
  app.failure_message([](const CLI::App* /*unused*/, const CLI::Error& e) {
    return "error: " + std::string(e.what()) + "\nRun with --help for more information.\n";
  });

  Action action;
  RegisterSelfCommands(app, ctx, action);
  RegisterCertCommands(app, ctx, action);
  RegisterSignerCommands(app, ctx, action);
  RegisterAttestationCommands(app, ctx, action);
  RegisterLasCommands(app, ctx, action);
  RegisterSessionCommands(app, ctx, action);
  RegisterCasCommands(app, ctx, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too (exit code 0); help goes to the chosen command.
    return app.exit(e, ctx.out(), ctx.err()) == 0 ? 0 : 1;
  }
  if (!action) {
    ctx.err() << app.help();
    return 1;
  }
  Status s = action();
  if (!s.ok()) ctx.err() << "error: " << s.message() << "\n";
  return ExitCode(s);
}

}  // namespace scone::cli
