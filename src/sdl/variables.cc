#include "sdl/variables.h"

#include <cstdlib>
#include <utility>

namespace scone::sdl {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

constexpr std::string_view kPlaceholderStart = "$$SCONE::";

}  // namespace

bool IsVariableName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

void Variables::Set(std::string name, std::string value) {
  values_.insert_or_assign(std::move(name), std::move(value));
}

Status Variables::AddAssignment(std::string_view assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    return InvalidArgument("variable assignment must be NAME=VALUE (no '=' found)");
  }
  std::string_view name = assignment.substr(0, eq);
  if (!IsVariableName(name)) {
    return InvalidArgument("invalid variable name \"" + std::string(name) +
                           "\": use letters, digits and '_', not starting with a digit");
  }
  Set(std::string(name), std::string(assignment.substr(eq + 1)));
  return Status::Ok();
}

void Variables::UseEnvironment(Lookup lookup) {
  use_env_ = true;
  env_ = std::move(lookup);
}

std::optional<std::string> Variables::Get(const std::string& name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  if (!use_env_) return std::nullopt;
  if (env_) return env_(name);
  const char* v = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<std::string> Substitute(std::string_view text, const Variables& vars,
                               SubstitutionError* error) {
  if (text.find('$') == std::string_view::npos) return std::string(text);
  auto fail = [&](ErrorKind kind, std::string name, size_t offset) -> Status {
    std::string message = kind == ErrorKind::kUndefinedVariable
                              ? "variable $" + name + " has no value: give it with -e " + name +
                                    "=VALUE or set it in the environment and use --use-env"
                              : std::string("malformed variable reference: write $NAME or ${NAME}");
    if (error != nullptr) *error = {kind, std::move(name), offset};
    return InvalidArgument(std::move(message));
  };

  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, dollar - i));
    std::string_view rest = text.substr(dollar);
    if (rest.substr(0, kPlaceholderStart.size()) == kPlaceholderStart) {
      // A secret placeholder: copied through its closing "$$" (or to the end if it has
      // none; the validator reports that).
      size_t close = text.find("$$", dollar + kPlaceholderStart.size());
      size_t end = close == std::string_view::npos ? text.size() : close + 2;
      out.append(text.substr(dollar, end - dollar));
      i = end;
      continue;
    }
    if (rest.size() >= 2 && rest[1] == '$') {
      out.append("$$");
      i = dollar + 2;
      continue;
    }
    if (rest.size() >= 2 && rest[1] == '{') {
      size_t close = text.find('}', dollar + 2);
      if (close == std::string_view::npos) return fail(ErrorKind::kMalformedVariable, "", dollar);
      std::string_view name = text.substr(dollar + 2, close - dollar - 2);
      if (!IsVariableName(name)) return fail(ErrorKind::kMalformedVariable, "", dollar);
      std::string key(name);
      auto value = vars.Get(key);
      if (!value) return fail(ErrorKind::kUndefinedVariable, std::move(key), dollar);
      out.append(*value);
      i = close + 1;
      continue;
    }
    if (rest.size() >= 2 && IsNameStart(rest[1])) {
      size_t end = dollar + 1;
      while (end < text.size() && IsNameChar(text[end])) ++end;
      std::string key(text.substr(dollar + 1, end - dollar - 1));
      auto value = vars.Get(key);
      if (!value) return fail(ErrorKind::kUndefinedVariable, std::move(key), dollar);
      out.append(*value);
      i = end;
      continue;
    }
    out.push_back('$');
    i = dollar + 1;
  }
  return out;
}

}  // namespace scone::sdl
