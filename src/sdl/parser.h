// Parsing of session files into the typed model (model.h).
//
// The parser checks the *shape* of the file: that it is YAML, that every key is one the
// language defines at that place (unknown keys are errors, so a typo cannot silently
// weaken a policy), that every value has the right type and lies in its domain
// (hex digests, keywords, numbers), and it substitutes variables (variables.h) in every
// scalar value. Rules that relate several parts of the session (references between
// secrets, images and services; placeholders; attestation requirements) are the
// validator's (validator.h).
//
// Untrusted input: the text may be anything. Before it reaches the YAML parser (libyaml,
// yaml_tree.h) it is bounded in size and nesting depth; the tree is bounded in depth and
// nodes, and the walk over it in the number of nodes it visits (so that YAML aliases
// cannot multiply the work).
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "sdl/diagnostic.h"
#include "sdl/model.h"
#include "sdl/variables.h"

namespace scone::sdl {

struct ParseLimits {
  size_t max_input_bytes = 4u << 20;  // 4 MiB
  int max_nesting = 64;               // flow brackets + block indicators on one line
  size_t max_nodes = 250000;          // nodes visited, counting alias expansions
};

// Parses one session file. `file_name` is used in diagnostics only. On failure returns
// kInvalidArgument and, if `diagnostic` is given, fills it in.
Result<Session> ParseSession(std::string_view yaml_text, std::string_view file_name,
                             const Variables& vars, Diagnostic* diagnostic = nullptr,
                             const ParseLimits& limits = {});

// Whether `s` is `digits` hex digits (either case).
bool IsHex(std::string_view s, size_t digits);

}  // namespace scone::sdl
