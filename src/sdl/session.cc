#include "sdl/session.h"

#include <utility>

namespace scone::sdl {

Result<CheckedSession> LoadSession(std::string_view yaml_text, std::string_view file_name,
                                   const Variables& vars, std::optional<std::string> rename,
                                   Diagnostic* diagnostic) {
  Diagnostic diag;
  auto parsed = ParseSession(yaml_text, file_name, vars, &diag);
  if (!parsed.ok()) {
    if (diagnostic != nullptr) *diagnostic = diag;
    return parsed.status();
  }
  CheckedSession checked{std::move(parsed).value(), {}};
  Session& s = checked.session;
  if (rename) {
    s.name = {std::move(*rename), Position{}};
    if (!IsValidSessionName(s.name.value)) {
      diag = {ErrorKind::kInvalidName, s.file_name, Position{},
              "invalid session name given with --name: use 1 to 128 characters A-Z a-z 0-9 "
              "_ - . ~, with '/' between namespace parts"};
      if (diagnostic != nullptr) *diagnostic = diag;
      return diag.ToStatus();
    }
  }
  if (Status st = ValidateSession(s, &diag); !st.ok()) {
    if (diagnostic != nullptr) *diagnostic = diag;
    return st;
  }
  for (const Service& svc : s.services) {
    if (svc.uses_deprecated_mrenclaves) {
      std::string text = s.file_name + ":" + std::to_string(svc.position.line) + ":" +
                         std::to_string(svc.position.column) + ": warning: service \"" +
                         svc.name.value +
                         "\" uses the deprecated `mrenclaves`; write `attestation: {mrenclave: "
                         "[...]}` instead";
      checked.warnings.push_back(std::move(text));
    }
  }
  return checked;
}

}  // namespace scone::sdl
