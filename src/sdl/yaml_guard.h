// Guards between an untrusted session text and yaml-cpp (internal to the sdl layer).
//
// yaml-cpp parses recursively, throws, and (0.7) can loop forever in LoadAll on some
// malformed inputs. LoadDocument therefore bounds the text in size and nesting depth,
// checks that it is printable UTF-8 and holds one document, and only then hands it to
// yaml-cpp's Load, catching every exception. What it returns is a tree that is safe to
// walk (the walk itself is bounded by Reader::Visit, see reader.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>

#include "common/status.h"
#include "sdl/diagnostic.h"
#include "sdl/parser.h"

namespace scone::sdl {

// Parses `text` into `*root`. On failure fills `*diagnostic` (file name `file`) and
// returns its status: kTooLarge (size, nesting) or kYamlSyntax.
Status LoadDocument(std::string_view text, std::string_view file, const ParseLimits& limits,
                    YAML::Node* root, Diagnostic* diagnostic);

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);

// The 1-based position of a yaml-cpp mark ({0, 0} when the mark is null).
Position PositionOf(const YAML::Mark& m);

}  // namespace scone::sdl
