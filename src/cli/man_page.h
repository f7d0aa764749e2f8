// Manual pages (roff, section 1) for `scone`, generated from the command tree
// (command_tree.h): one page per command, named after its path ("scone-cas-attest.1"),
// with its description, synopsis, subcommands, options (value names, accepted values,
// environment variables) and cross references. `scone man DIR` writes them and the package
// installs them (docs/operations.md).
#pragma once

#include <string>
#include <vector>

#include "cli/command_tree.h"

namespace scone::cli {

struct ManPage {
  std::string file_name;  // "scone-cas-attest.1"
  std::string text;       // roff
};

// The pages of every command of `tree`; `version` goes into each page's footer.
std::vector<ManPage> ManPages(const CommandInfo& tree, const std::string& version);

}  // namespace scone::cli
