#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "common/printable.h"

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

// Levenshtein distance (insertions, deletions, substitutions), for command suggestions.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "scone cas session": the command path of `cmd`.
std::string CommandPath(const CLI::App* cmd) {
  std::string path = cmd->get_name();
  for (const CLI::App* p = cmd->get_parent(); p != nullptr; p = p->get_parent()) {
    path = p->get_name() + " " + path;
  }
  return path;
}

// When the chosen command needs a subcommand and did not get a known one, CLI11 says only "A
// subcommand is required". This names the word that was not understood, the closest command
// (edit distance at most 2, or at most a third of the word) and the commands there are.
std::optional<std::string> UnknownCommandMessage(const CLI::App& root) {
  const CLI::App* cmd = &root;
  for (;;) {
    auto chosen = cmd->get_subcommands();
    if (chosen.empty()) break;
    cmd = chosen.front();
  }
  if (cmd->get_require_subcommand_min() == 0) return std::nullopt;
  std::vector<std::string> names;
  for (const CLI::App* sub : cmd->get_subcommands({})) {
    if (!sub->get_name().empty() && !sub->get_group().empty()) names.push_back(sub->get_name());
  }
  if (names.empty()) return std::nullopt;
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  std::string path = CommandPath(cmd);

  std::optional<std::string> word;
  for (const std::string& arg : root.remaining(true)) {
    if (!arg.empty() && arg.front() != '-') {
      word = arg;
      break;
    }
  }
  if (!word) return "\"" + path + "\" needs a command: " + list;
  std::string message = "unknown command \"" + *word + "\" for \"" + path + "\"";
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const std::string& n : names) {
    size_t d = EditDistance(*word, n);
    if (best == nullptr || d < best_distance) {
      best = &n;
      best_distance = d;
    }
  }
  if (best_distance <= 2 || best_distance * 3 <= word->size()) {
    message += "; did you mean \"" + path + " " + *best + "\"?";
  }
  return message + " (commands: " + list + ")";
}

// The first command word of `argv`: the first argument that is neither a root option nor
// the value of `--config`. nullopt when there is none or when an argument is one this
// simple scan does not know (then every command group is registered).
std::optional<std::string_view> FirstCommandWord(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    if (arg == "--config") {
      ++i;
      continue;
    }
    if (arg.starts_with("--config=")) continue;
    if (arg.starts_with("-")) return std::nullopt;
    return arg;
  }
  return std::nullopt;
}

}  // namespace

namespace {

// The root command: its options and failure message, no command group yet.
std::unique_ptr<CLI::App> NewRoot(Context& ctx) {
  auto app = std::make_unique<CLI::App>(
      "scone: attest CAS, manage your identity and sessions (an open implementation of the "
      "SCONE CLI)",
      "scone");
  app->set_version_flag("--version", std::string("scone ") + SCONE_VERSION);
  app->add_option("--config", ctx.config_flag,
                  "CLI state file (default: $SCONE_CLI_CONFIG, else ~/.cas/config.json)")
      ->type_name("FILE");
  app->require_subcommand(1);
  app->fallthrough();  // --config may follow the subcommand
  app->failure_message([](const CLI::App* /*unused*/, const CLI::Error& e) {
    // Messages quote arguments: escaped so that none reaches the terminal raw.
    return "error: " + PrintableText(e.what()) + "\nRun with --help for more information.\n";
  });
  return app;
}

using Registrar = void (*)(CLI::App&, Context&, Action&);
constexpr std::pair<std::string_view, Registrar> kGroups[] = {
    {"self", RegisterSelfCommands},     {"cert", RegisterCertCommands},
    {"signer", RegisterSignerCommands}, {"attestation", RegisterAttestationCommands},
    {"las", RegisterLasCommands},       {"session", RegisterSessionCommands},
    {"cas", RegisterCasCommands}};

}  // namespace

std::unique_ptr<CLI::App> NewCommandTree(Context& ctx, Action& action) {
  std::unique_ptr<CLI::App> app = NewRoot(ctx);
  for (const auto& [name, registrar] : kGroups) registrar(*app, ctx, action);
  RegisterCompletionCommands(*app, ctx, action);
  return app;
}

int Run(int argc, const char* const* argv, Context& ctx) {
  std::unique_ptr<CLI::App> root = NewRoot(ctx);
  CLI::App& app = *root;

  Action action;
  // Registering every command's options costs more than `scone self show` itself does
  // (docs/cli.md, start-up cost): when the command group is named plainly, only that group
  // is registered; CLI11 would dispatch to the same group. Otherwise (help, a typo, no
  // command, `completion`, which describes the whole tree) every group is, for the full help
  // and the "did you mean" message.
  Registrar only = nullptr;
  if (std::optional<std::string_view> group = FirstCommandWord(argc, argv)) {
    for (const auto& [name, registrar] : kGroups) {
      if (name == *group) only = registrar;
    }
  }
  if (only != nullptr) {
    only(app, ctx, action);
  } else {
    for (const auto& [name, registrar] : kGroups) registrar(app, ctx, action);
    RegisterCompletionCommands(app, ctx, action);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      if (auto unknown = UnknownCommandMessage(app)) {
        ctx.err() << "error: " << PrintableText(*unknown)
                  << "\nRun with --help for more information.\n";
        return 1;
      }
    }
    // --help and --version arrive here too (exit code 0); help goes to the chosen command.
    return app.exit(e, ctx.out(), ctx.err()) == 0 ? 0 : 1;
  }
  if (!action) {
    ctx.err() << app.help();
    return 1;
  }
  Status s = action();
  // Messages quote paths, arguments and peers' text: escaped (common/printable.h) so that
  // none can drive the terminal or pass for another line.
  if (!s.ok()) ctx.err() << "error: " << PrintableText(s.message()) << "\n";
  return ExitCode(s);
}

}  // namespace scone::cli
