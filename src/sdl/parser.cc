#include "sdl/parser.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "sdl/reader.h"
#include "sdl/sections.h"
#include "sdl/yaml_guard.h"

namespace scone::sdl {

bool IsHex(std::string_view s, size_t digits) {
  if (s.size() != digits) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

namespace {

// A signed session is a JSON object {"session": ..., "signatures": [...]} (SDL 0.3,
// governance). It is valid YAML, so without this check it would be refused as a session
// with the unknown key "session"; say what it is instead.
Status RefuseSignedSession(Reader& r, const YamlNode& root) {
  if (!root.IsMap()) return Status::Ok();
  for (const YamlEntry& kv : root.entries()) {
    if (kv.key->IsScalar() && kv.key->Scalar() == "signatures") {
      return r.Fail(ErrorKind::kSignedSession, *kv.key,
                    "this is a signed session (an object with `session` and `signatures`); "
                    "signed sessions and governance (signer, require-all, require-at-least-N) "
                    "are not supported yet: give the session file itself, unsigned");
    }
  }
  return Status::Ok();
}

Status ParseTop(Reader& r, const YamlNode& root, Session* s) {
  SDL_TRY_OUTER(RefuseSignedSession(r, root));
  bool has_name = false;
  bool has_version = false;
  SDL_TRY_OUTER(r.ForEachKey(
      root, "the session",
      {"name", "version", "predecessor", "services", "secrets", "images", "volumes",
       "access_policy", "security"},
      [&](const std::string& k, const YamlNode&, const YamlNode& v) -> Status {
        if (k == "name") {
          has_name = true;
          return r.String(v, "name", &s->name);
        }
        if (k == "version") {
          has_version = true;
          SCONE_RETURN_IF_ERROR(r.String(v, "version", &s->version));
          const std::string& ver = s->version.value;
          bool ok = ver == kLanguageVersion || ver == kCompatVersion ||
                    (ver.rfind("0.3.", 0) == 0 && ver.size() > 4 && ver.size() <= 8 &&
                     std::all_of(ver.begin() + 4, ver.end(),
                                 [](char c) { return c >= '0' && c <= '9'; }));
          if (!ok) {
            return r.Fail(ErrorKind::kUnsupportedVersion, s->version.position,
                          "unsupported session language version " + Quoted(ver) +
                              "; write version: \"0.3\" (\"0.2\" is read for compatibility)");
          }
          return Status::Ok();
        }
        if (k == "predecessor") {
          SCONE_RETURN_IF_ERROR(r.Visit(v));
          if (v.IsNull()) return Status::Ok();
          LString p;
          SCONE_RETURN_IF_ERROR(r.String(v, "predecessor", &p));
          if (p.value == "~" || p.value == "null") return Status::Ok();
          if (!IsHex(p.value, 64)) {
            return r.Fail(ErrorKind::kInvalidValue, p.position,
                          "predecessor must be the 64 hex digit hash of the current session "
                          "version, or ~ for none");
          }
          s->predecessor = std::move(p);
          return Status::Ok();
        }
        if (k == "services") {
          return r.List(v, "services", &s->services,
                        [&](const YamlNode& i, Service* svc) { return ParseService(r, i, svc); });
        }
        if (k == "secrets") {
          return r.List(v, "secrets", &s->secrets,
                        [&](const YamlNode& i, Secret* sec) { return ParseSecret(r, i, sec); });
        }
        if (k == "images") {
          return r.List(v, "images", &s->images,
                        [&](const YamlNode& i, Image* img) { return ParseImage(r, i, img); });
        }
        if (k == "volumes") {
          return r.List(v, "volumes", &s->volumes,
                        [&](const YamlNode& i, Volume* vol) { return ParseVolume(r, i, vol); });
        }
        if (k == "access_policy") return ParseAccessPolicy(r, v, &s->access_policy);
        return r.ForEachKey(v, "security", {"attestation"},
                            [&](const std::string&, const YamlNode&, const YamlNode& a) {
                              return ParseSecurityAttestation(r, a, &s->security);
                            });
      }));
  if (!has_name) {
    return r.Fail(ErrorKind::kMissingKey, root, "the session has no `name`");
  }
  if (!has_version) {
    return r.Fail(ErrorKind::kMissingKey, root,
                  "the session has no `version`; add version: \"0.3\"");
  }
  return Status::Ok();
}

}  // namespace

Result<Session> ParseSession(std::string_view yaml_text, std::string_view file_name,
                             const Variables& vars, Diagnostic* diagnostic,
                             const ParseLimits& limits) {
  Diagnostic diag;
  YamlTree tree;
  if (Status st = LoadDocument(yaml_text, file_name, limits, &tree, &diag); !st.ok()) {
    if (diagnostic != nullptr) *diagnostic = diag;
    return st;
  }
  const YamlNode& root = tree.root();
  Reader r(yaml_text, file_name, vars, limits);
  Session s;
  s.file_name = std::string(file_name);
  Status st;
  try {
    if (root.IsNull()) {
      st = r.Fail(ErrorKind::kMissingKey, Position{1, 1},
                  "the session is empty; it needs at least `name` and `version`");
    } else {
      st = ParseTop(r, root, &s);
    }
  } catch (const std::exception& e) {
    // Nothing in the walk throws but allocation; this is a last line of defence so that no
    // input can escape as an exception.
    st = r.Fail(ErrorKind::kYamlSyntax, Position{},
                std::string("unexpected YAML structure: ") + e.what());
  }
  if (!st.ok()) {
    if (diagnostic != nullptr) *diagnostic = r.diagnostic();
    return st;
  }
  return s;
}

}  // namespace scone::sdl
