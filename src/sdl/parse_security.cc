#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sdl/sections.h"

namespace scone::sdl {

Status ParseSecurityAttestation(Reader& r, const YamlNode& n, SecurityAttestation* sa) {
  sa->position = n.position();
  return r.ForEachKey(
      n, "security.attestation", {"mode", "tolerate", "ignore_advisories"},
      [&](const std::string& k, const YamlNode&, const YamlNode& v) -> Status {
        if (k == "mode") {
          LString m;
          SCONE_RETURN_IF_ERROR(r.Keyword(v, "attestation mode", {"hardware", "none"}, &m));
          sa->mode = {m.value == "none" ? AttestationMode::kNone : AttestationMode::kHardware,
                      m.position};
          return Status::Ok();
        }
        if (k == "tolerate") {
          SCONE_RETURN_IF_ERROR(r.StringList(v, "tolerate", &sa->tolerate));
          for (const LString& t : sa->tolerate) {
            if (std::find(std::begin(kTolerateValues), std::end(kTolerateValues), t.value) ==
                std::end(kTolerateValues)) {
              std::string valid;
              for (std::string_view tv : kTolerateValues) {
                valid += (valid.empty() ? "" : ", ") + std::string(tv);
              }
              return r.Fail(ErrorKind::kInvalidValue, t.position,
                            Quoted(t.value) + " cannot be tolerated; valid values are: " + valid);
            }
          }
          return Status::Ok();
        }
        sa->ignore_advisories_position = v.position();
        std::vector<LString> ids;
        SCONE_RETURN_IF_ERROR(r.StringList(v, "ignore_advisories", &ids));
        for (const LString& id : ids) {
          if (id.value == "*") {
            if (ids.size() != 1) {
              return r.Fail(ErrorKind::kExclusiveEntry, id.position,
                            "\"*\" (ignore all advisories) must stand alone");
            }
            sa->ignore_all_advisories = true;
            return Status::Ok();
          }
          bool ok = !id.value.empty() && id.value.size() <= 64 &&
                    std::all_of(id.value.begin(), id.value.end(), [](char c) {
                      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                    });
          if (!ok) {
            return r.Fail(ErrorKind::kInvalidValue, id.position,
                          "advisory ids look like \"INTEL-SA-00334\" (upper-case letters, digits, "
                          "'-'), or use \"*\" for all");
          }
        }
        sa->ignore_advisories = std::move(ids);
        return Status::Ok();
      });
}

}  // namespace scone::sdl
