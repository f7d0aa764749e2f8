#include <string>
#include <utility>

#include "sdl/sections.h"

namespace scone::sdl {

Status ParseSessionRef(Reader& r, const YamlNode& n, std::string_view what, RefKind kind,
                       SessionRef* ref) {
  ref->position = n.position();
  SCONE_RETURN_IF_ERROR(r.Visit(n));
  bool is_export = kind == RefKind::kSecretExport || kind == RefKind::kVolumeExport;
  if (n.IsScalar() && is_export) {
    // 0.2 style: an export target given by session name only.
    return r.String(n, std::string(what) + " session", &ref->session);
  }
  bool has_session = false;
  auto handler = [&](const std::string& k, const YamlNode&, const YamlNode& v) -> Status {
    if (k == "session" || k == "namespace") {
      if (has_session) {
        return r.Fail(ErrorKind::kConflictingKeys, v,
                      std::string(what) + " names either a `session` or a `namespace`");
      }
      has_session = true;
      ref->is_namespace = k == "namespace";
      return r.String(v, std::string(what) + " " + k, &ref->session);
    }
    if (k == "session_hash") return r.OptHex(v, "session_hash", 64, &ref->session_hash);
    if (k == "cas_url") return r.OptString(v, "cas_url", &ref->cas_url);
    if (k == "cas_key") return r.KeyHash(v, "cas_key", &ref->cas_key);
    if (k == "cas_software_key") return r.KeyHash(v, "cas_software_key", &ref->cas_software_key);
    return r.OptString(v, k, &ref->item);  // `secret` or `volume`
  };
  auto read = [&](Keys keys) { return r.ForEachKey(n, what, keys, handler); };
  std::string_view item_key;
  switch (kind) {
    case RefKind::kSecretImport:
      item_key = "secret";
      SDL_TRY_OUTER(
          read({"session", "secret", "session_hash", "cas_url", "cas_key", "cas_software_key"}));
      break;
    case RefKind::kVolumeImport:
      item_key = "volume";
      SDL_TRY_OUTER(
          read({"session", "volume", "session_hash", "cas_url", "cas_key", "cas_software_key"}));
      break;
    case RefKind::kSecretExport:
      SDL_TRY_OUTER(
          read({"session", "namespace", "session_hash", "cas_url", "cas_key", "cas_software_key"}));
      break;
    case RefKind::kVolumeExport:
      SDL_TRY_OUTER(read({"session", "session_hash"}));
      break;
  }
  if (!has_session) {
    return r.Fail(
        ErrorKind::kMissingKey, n,
        std::string(what) + (kind == RefKind::kSecretExport ? " needs `session` or `namespace`"
                                                            : " needs `session`"));
  }
  if (!item_key.empty() && !ref->item) {
    return r.Fail(ErrorKind::kMissingKey, n,
                  std::string(what) + " needs `" + std::string(item_key) +
                      "` (its name in the other session)");
  }
  return Status::Ok();
}

Status ParseExports(Reader& r, const YamlNode& n, RefKind kind, std::vector<SessionRef>* out) {
  return r.OneOrList(n, out, [&](const YamlNode& i, SessionRef* ref) {
    return ParseSessionRef(r, i, "an export", kind, ref);
  });
}

}  // namespace scone::sdl
