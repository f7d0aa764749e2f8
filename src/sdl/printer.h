// Printing the normalized session (what `scone session check` shows): the normalized
// form of canonical.h as indented JSON or as YAML.
//
// By default the values of ascii, binary and private-key secrets are replaced by
// "<redacted>" so that checking a session does not put secrets on a terminal or in a CI
// log; certificates and public keys are printed. With reveal_secret_values the YAML
// output is itself a valid session file that loads to the same session hash.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sdl/model.h"

namespace scone::sdl {

struct PrintOptions {
  bool reveal_secret_values = false;
};

inline constexpr std::string_view kRedacted = "<redacted>";

nlohmann::json SessionToJson(const Session& session, const PrintOptions& options = {});

// YAML text; every string is double-quoted so that no value can change type on reading.
std::string SessionToYaml(const Session& session, const PrintOptions& options = {});

}  // namespace scone::sdl
