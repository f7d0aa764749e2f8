// The entry point of the sdl layer: from session file text to a checked session.
//
//   Variables vars;                       // -e NAME=VALUE, --use-env
//   auto checked = sdl::LoadSession(text, "session.yml", vars, rename);
//   if (!checked.ok()) -> print checked.status().message(), exit 1
//   sdl::SessionToYaml(checked->session)  // `scone session check`
//   sdl::SessionHash(checked->session, creator_pem)  // `scone session calculate-hash`
//
// LoadSession = ParseSession (parser.h: YAML, shapes, variables) + the --name rename +
// ValidateSession (validator.h). It never throws; every failure is one Diagnostic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sdl/canonical.h"
#include "sdl/diagnostic.h"
#include "sdl/model.h"
#include "sdl/parser.h"
#include "sdl/printer.h"
#include "sdl/validator.h"
#include "sdl/variables.h"

namespace scone::sdl {

struct CheckedSession {
  Session session;
  // Things that are valid but deserve attention, as "FILE:LINE:COLUMN: warning: ...".
  std::vector<std::string> warnings;
};

// Parses, renames (when `rename` is given, after variable substitution) and validates.
// On failure returns kInvalidArgument with "FILE:LINE:COLUMN: KIND: MESSAGE" and, if
// `diagnostic` is given, fills it in.
Result<CheckedSession> LoadSession(std::string_view yaml_text, std::string_view file_name,
                                   const Variables& vars,
                                   std::optional<std::string> rename = std::nullopt,
                                   Diagnostic* diagnostic = nullptr);

}  // namespace scone::sdl
