// Shell completion scripts for `scone`, generated from the command tree (command_tree.h):
// `scone completion bash|zsh` prints them and the package installs them (docs/operations.md).
//
// Both complete, at any depth: subcommand names; the options of the command reached so far
// when the word starts with "-"; after an option that takes a value, the values CLI11
// accepts for it (IsMember) or else file names; file names where a command has no
// subcommands. The scripts contain only words of [A-Za-z0-9._+:/=-] from the tree; a choice
// with any other character is left out rather than quoted.
#pragma once

#include <string>

#include "cli/command_tree.h"

namespace scone::cli {

std::string BashCompletionScript(const CommandInfo& tree);
std::string ZshCompletionScript(const CommandInfo& tree);

}  // namespace scone::cli
