// Command-line options whose value is a secret (the provisioning token, a database key).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/secret.h"

namespace scone::cli {

// Adds option `name` whose value goes straight into `target`, a SecretBytes (the text as
// typed; the command checks its form): CLI11 hands the callback its own copy of the
// argument, which is wiped once read, so that no std::string holds it afterwards.
//
// Known limit: the value is on the command line (SCONE's interface), so the process's argv
// and CLI11's parsing buffers, freed without wiping, held it too; it is not logged.
CLI::Option* AddSecretOption(CLI::App* cmd, const std::string& name, SecretBytes& target,
                             const std::string& description);

}  // namespace scone::cli
