// The local side of `scone session ...`: reading a session file with its variables, the text
// the CLI uploads to CAS, and the comparison behind `scone session verify` (docs/cli.md
// "Sessions"). Nothing here talks to CAS, so everything here runs before a byte is sent:
// a missing variable or an invalid file fails here, and nothing is uploaded.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sdl/session.h"

namespace scone::cli {

// How a session file is read: the file and the variable options of the command line.
struct SessionFileArgs {
  std::string file;
  std::vector<std::string> env;  // -e NAME=VALUE, in order
  bool use_env = false;          // --use-env: variables not given with -e from the environment
  std::string name;              // --name: rename after substitution (empty: keep)
};

// Reads, substitutes (-e wins over --use-env), renames and validates the file; the
// validator's warnings go to `warnings` (one line each). A variable that has no value is an
// error naming the variable and its line (sdl::LoadSession).
Result<sdl::CheckedSession> LoadSessionFile(const SessionFileArgs& args, std::ostream& warnings);

// The session text the CLI uploads: the normalized session (sdl::SessionToYaml) with secret
// values, variables substituted and `predecessor` as `session` has it. CAS stores this text
// and gives it back on read; it is itself a session file.
//
// Fails with kInvalidArgument, and nothing may be sent, if CAS would read the text as
// another session than `session`: that happens only when a variable's value contains
// "$NAME" or "${NAME}", which CAS would take for a variable. The message names neither a
// value nor a secret. `what` names the file in the message.
Result<std::string> UploadText(const sdl::Session& session, const std::string& what);

// The first place where two normalized sessions (sdl::NormalizeSession) differ, as a path:
// "services[web].attestation[0].mrenclave", "secrets[db_key]", "access_policy.read".
// Members are visited in key order; a list whose elements are all objects with a "name"
// (services, secrets, images, volumes) is compared by name, "[NAME]"; other lists by
// index. nullopt when equal. The path never contains a value other than a name.
std::optional<std::string> FirstDifference(const nlohmann::json& a, const nlohmann::json& b);

// `scone session verify`: whether `active` (the session CAS holds, parsed) is `local` (the
// file after substitution). If the file leaves `predecessor` out, the active session's
// predecessor is not compared; a predecessor the file states must match. nullopt when they
// match, otherwise the first differing path (FirstDifference).
std::optional<std::string> VerifyDifference(const sdl::Session& local, const sdl::Session& active);

}  // namespace scone::cli
