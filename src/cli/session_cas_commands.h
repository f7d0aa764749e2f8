// `scone session create|update|read|verify|list|history` (also `scone cas session ...`):
// sessions on an attested CAS (the seed's "Session Handling"; docs/cli.md "Sessions").
// Registration is in session_commands.cc; the local work in session_file.h, the calls in
// session_cas.h.
//
// Every command does all local work first (the file, its variables, names, the CLI state's
// CAS entry, the identity) and sends nothing if any of it fails. Exit code 2 means only
// that CAS does not have the session (or the version); a missing file or an unknown CAS
// entry is exit 1 here.
#pragma once

#include <string>

#include "cli/context.h"
#include "cli/session_file.h"
#include "common/status.h"

namespace scone::cli {

// The options of every `scone session ...` command; each command uses its own.
struct SessionCommandArgs {
  SessionFileArgs file;  // SESSION_FILE, -e, --use-env, --name
  std::string creator;   // calculate-hash --creator CERT
  std::string cas;       // --cas CAS (empty: the default CAS)
  int retries = 3;       // --retries N
  std::string name;      // read, history: NAME
  std::string hash;      // read --hash H
  std::string output;    // read -o FILE
  std::string ns;        // list [NAMESPACE]
};

// Uploads a new session (POST /v1/sessions) and prints its hash. CAS refuses an existing
// name unless the file's predecessor is the active version (then it is an update).
Status CreateSession(Context& ctx, const SessionCommandArgs& args);
// Uploads a new version (PUT /v1/sessions/NAME); without a predecessor in the file, the
// active version's hash (read from CAS) is filled in. Prints the new hash.
Status UpdateSession(Context& ctx, const SessionCommandArgs& args);
// Prints a version (the active one, or --hash) as stored, or writes it to -o FILE.
Status ReadSession(Context& ctx, const SessionCommandArgs& args);
// Compares the active version with the file after substitution; prints its hash on a
// match, kVerificationFailed naming the first differing path otherwise.
Status VerifySession(Context& ctx, const SessionCommandArgs& args);
// Prints the names the caller may list (under NAMESPACE if given).
Status ListSessions(Context& ctx, const SessionCommandArgs& args);
// Prints the versions of a session, oldest first.
Status SessionHistory(Context& ctx, const SessionCommandArgs& args);

}  // namespace scone::cli
