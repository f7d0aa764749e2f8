// Variables in session files: `$NAME` and `${NAME}` in any scalar value.
//
// Substitution happens on scalar values after YAML parsing, so a value can never break
// the file's quoting or structure, and keys are never substituted. A substituted value is
// not scanned again. `$$SCONE::name[:format]$$` secret placeholders are left alone (CAS
// fills them in for an attested service); any other "$$" is copied unchanged, and a "$"
// that does not start a variable name ("$5", "a$") is copied unchanged too.
// NAME is [A-Za-z_][A-Za-z0-9_]*.
//
// Values come from `-e NAME=VALUE` (Set / AddAssignment) and, with --use-env, from the
// process environment; an explicit value always wins over the environment.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sdl/diagnostic.h"

namespace scone::sdl {

class Variables {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

  // Sets NAME (a later Set of the same name replaces the value).
  void Set(std::string name, std::string value);

  // Parses one `-e` argument "NAME=VALUE" (VALUE may be empty and may contain '=').
  // Fails if there is no '=' or NAME is not a valid variable name.
  Status AddAssignment(std::string_view assignment);

  // --use-env: names that were not Set are looked up with `lookup` (the process
  // environment via getenv when `lookup` is empty).
  void UseEnvironment(Lookup lookup = nullptr);

  // The value of NAME, or nullopt if it has none.
  std::optional<std::string> Get(const std::string& name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
  bool use_env_ = false;
  Lookup env_;
};

// Whether `name` is a valid variable name.
bool IsVariableName(std::string_view name);

// Details of a failed substitution, for precise positions.
struct SubstitutionError {
  ErrorKind kind = ErrorKind::kUndefinedVariable;  // or kMalformedVariable
  std::string name;                                // the variable (empty when malformed)
  size_t offset = 0;                               // byte offset of the '$' in the input
};

// Returns `text` with every variable replaced by its value. On failure returns
// kInvalidArgument and, if `error` is given, fills it in.
Result<std::string> Substitute(std::string_view text, const Variables& vars,
                               SubstitutionError* error = nullptr);

}  // namespace scone::sdl
