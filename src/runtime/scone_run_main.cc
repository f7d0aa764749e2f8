// `scone-run`: the simulated SCONE runtime and enclave loader (docs/runtime.md).
//
//   scone-run [OPTIONS] PROGRAM [ARGS...]
//
// Opens PROGRAM once; with SCONE_HASH=1 prints its MRENCLAVE; without SCONE_CONFIG_ID runs
// it with the arguments and environment it was given; with SCONE_CONFIG_ID attests the open
// file to CAS (a quote from las over exactly that file) and runs it with the configuration
// CAS delivers. The program runs as the same open file (fexecve) in every case.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "common/hex.h"
#include "common/log.h"
#include "common/printable.h"
#include "runtime/apply_config.h"
#include "runtime/enclave_client.h"
#include "runtime/loader.h"
#include "runtime/quote_source.h"
#include "runtime/runtime_env.h"

namespace {

constexpr char kEnvironmentHelp[] =
    "Environment:\n"
    "  SCONE_HASH=1              print PROGRAM's MRENCLAVE (64 hex digits) and exit\n"
    "  SCONE_CONFIG_ID=S/SERVICE attest PROGRAM to CAS and run it with the configuration of\n"
    "                            the service (namespaces: NS/SESSION/SERVICE)\n"
    "  SCONE_CAS_ADDR=HOST[:PORT] CAS's enclave API (port 18765 by default)\n"
    "  SCONE_CAS_KEY_HASH=HASH   accept only a CAS with this key\n"
    "  SCONE_LAS_ADDR=unix:PATH  las's Unix socket (default: the default platform's)\n"
    "Without SCONE_CONFIG_ID, PROGRAM runs with the arguments and environment given here.\n"
    "Exit status: PROGRAM's own once it runs; 0 after SCONE_HASH=1 or --help; 1 if scone-run\n"
    "fails before PROGRAM runs (docs/runtime.md).";

int Fail(const scone::Status& s) {
  std::cerr << "scone-run: error: " << scone::PrintableText(s.message()) << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) try {
  // scone-run's own options come before PROGRAM; everything from PROGRAM on is the
  // program's, even what looks like an option (`scone-run prog --help`). CLI11 sees only
  // the part up to and including PROGRAM.
  int split = 1;
  while (split < argc && argv[split][0] == '-' && std::strcmp(argv[split], "--") != 0) ++split;
  int program_at = split < argc && std::strcmp(argv[split], "--") == 0 ? split + 1 : split;
  int parsed = program_at < argc ? program_at + 1 : argc;

  std::string program;
  CLI::App app{"scone-run: runs PROGRAM as a simulated SCONE enclave", "scone-run"};
  app.add_option("PROGRAM", program,
                 "The program (a name without '/' is looked up in $PATH), then its arguments")
      ->required();
  app.footer(kEnvironmentHelp);
  app.set_version_flag("--version", "scone-run 0.1.0");
  std::vector<std::string> shown_args;  // for the usage line; CLI11 never sees them
  app.add_option("ARGS", shown_args, "Arguments for PROGRAM (everything after it)");
  try {
    app.parse(parsed, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "scone-run: error: " << scone::PrintableText(e.what())
              << " (scone-run --help shows the usage)\n";
    return 1;
  }

  auto env = scone::runtime::ReadRuntimeEnvironment([](const char* n) { return std::getenv(n); });
  if (!env.ok()) return Fail(env.status());
  const char* search = std::getenv("PATH");
  auto open = scone::runtime::OpenProgram::Open(
      program, search != nullptr ? std::optional<std::string>(search) : std::nullopt);
  if (!open.ok()) return Fail(open.status());

  if (env->print_hash) {
    auto mrenclave = open->Measure();
    if (!mrenclave.ok()) return Fail(mrenclave.status());
    std::cout << scone::HexEncode(*mrenclave) << "\n" << std::flush;
    return std::cout ? 0 : 1;
  }
  if (env->config_id.has_value()) {
    // Its log lines go to standard error, as SCONE's runtime's do; the program's standard
    // output stays its own.
    scone::InitLogging("scone-run");
    // Attest the open file to CAS (las quotes exactly it), receive the service's
    // configuration, write its files, and run that same open file with the policy's command
    // line and environment only.
    auto config = scone::runtime::FetchConfiguration(
        *env->cas, *env->config_id,
        [&](const scone::ByteArray<64>& report_data) {
          return scone::runtime::QuoteForProgram(env->las, *open, report_data);
        },
        env->cas_key_hash);
    if (!config.ok()) return Fail(config.status());
    // What las measured must be what runs: refuse a file written to since it was opened,
    // before its secrets are written out, and again just before it runs.
    if (auto unchanged = open->CheckUnchanged(); !unchanged.ok()) return Fail(unchanged);
    std::vector<std::string> host_args(argv + program_at, argv + argc);
    auto plan = scone::runtime::ApplyConfiguration(*config, host_args);
    if (!plan.ok()) return Fail(plan.status());
    if (auto unchanged = open->CheckUnchanged(); !unchanged.ok()) return Fail(unchanged);
    return Fail(open->Exec(plan->argv.data(), plan->envp.data()));
  }

  // Without CAS: the program as it was given, SCONE_* variables included.
  std::vector<std::string> args(argv + program_at, argv + argc);
  std::vector<std::string> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.emplace_back(*e);
  return Fail(open->Exec(args, envp));
} catch (const std::exception& e) {
  std::cerr << "scone-run: error: " << scone::PrintableText(e.what()) << "\n";
  return 1;
}
