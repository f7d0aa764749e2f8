// Guards between an untrusted session text and the YAML parser (internal to the sdl layer).
//
// LoadDocument bounds the text in size and nesting depth, checks that it is printable
// UTF-8 and holds one document, and only then has libyaml parse it into a YamlTree
// (yaml_tree.h), bounded in depth and nodes again. What it returns is a tree that is safe
// to walk (the walk itself is bounded by Reader::Visit, see reader.h).
#pragma once

#include <string_view>

#include "common/status.h"
#include "sdl/diagnostic.h"
#include "sdl/parser.h"
#include "sdl/yaml_tree.h"

namespace scone::sdl {

// Parses `text` into `*root`. On failure fills `*diagnostic` (file name `file`) and
// returns its status: kTooLarge (size, nesting) or kYamlSyntax.
Status LoadDocument(std::string_view text, std::string_view file, const ParseLimits& limits,
                    YamlTree* tree, Diagnostic* diagnostic);

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace scone::sdl
