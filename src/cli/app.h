// The `scone` command tree. Run() parses the arguments, runs the chosen command and
// returns the process exit code (docs/cli.md):
//   0  success
//   1  error (bad usage, invalid input, failed verification, refused policy, I/O, ...)
//   2  the named thing does not exist (a file, a session, a CAS entry)
// Errors are printed to the context's error stream as "error: <message>".
#pragma once

#include "cli/context.h"

namespace scone::cli {

int Run(int argc, const char* const* argv, Context& ctx);

}  // namespace scone::cli
