// A plain description of the `scone` command tree, read from the CLI11 tree that Run()
// builds (app.cc). Shell completion (completion_script.h) and the manual pages
// (man_page.h) are generated from it, so that neither can list a command, an option or a
// value the program does not accept.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace scone::cli {

struct OptionInfo {
  std::vector<std::string> names;    // "-c", "--cas-key-hash"; empty for a positional
  std::string positional;            // the positional's name ("FILE"); empty for an option
  std::string value_name;            // "FILE", "TEXT"; empty for a flag
  std::vector<std::string> choices;  // the values CLI11 accepts (IsMember), in its order
  std::string description;
  std::string env;  // the environment variable CLI11 reads for it, if any
  bool required = false;
};

struct CommandInfo {
  std::vector<std::string> path;  // {"scone", "cas", "attest"}
  std::string description;
  std::vector<OptionInfo> options;       // visible options and positionals, in definition order
  std::vector<CommandInfo> subcommands;  // visible subcommands, in definition order
};

// The visible part of `root`'s tree: commands and options in a group (CLI11 hides those
// with an empty group) and the help flag.
CommandInfo DescribeCommands(const CLI::App& root);

// Every command of `tree`, depth first, the root first.
std::vector<const CommandInfo*> AllCommands(const CommandInfo& tree);

// "scone cas attest".
std::string JoinPath(const std::vector<std::string>& path, const std::string& separator);

}  // namespace scone::cli
