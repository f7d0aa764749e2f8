#include "cas/server/secret_sharing.h"

#include <utility>

namespace scone::cas {
namespace {
using nlohmann::json;

Status Malformed() { return DataLoss("the stored sharing entries of a session are malformed"); }

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool IsString(const json& j, const char* key) { return j.contains(key) && j[key].is_string(); }

Result<std::optional<std::string>> OptString(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::optional<std::string>();
  if (!j[key].is_string()) return Malformed();
  return std::optional<std::string>(j[key].get<std::string>());
}

}  // namespace

Result<SecretSharing> SharingOf(const sdl::Session& session) {
  SecretSharing out;
  for (const sdl::Secret& sec : session.secrets) {
    if (sec.import.has_value()) {
      const sdl::SessionRef& ref = *sec.import;
      if (ref.cas_url.has_value() || ref.cas_key.has_value() || ref.cas_software_key.has_value()) {
        return InvalidArgument("secret " + sec.name.value +
                               " imports from another CAS; this CAS imports only from sessions "
                               "it holds (remove cas_url, cas_key, cas_software_key)");
      }
      SecretImport imp;
      imp.secret = sec.name.value;
      imp.session = ref.session.value;
      imp.exported_secret = ref.item.has_value() ? ref.item->value : sec.name.value;
      if (ref.session_hash.has_value()) imp.session_hash = Lower(ref.session_hash->value);
      if (sec.kind.has_value()) imp.kind = sec.kind->value;
      out.imports.push_back(std::move(imp));
      continue;
    }
    SecretExport exp;
    exp.secret = sec.name.value;
    exp.is_public = sec.export_public.has_value() && sec.export_public->value;
    for (const sdl::SessionRef& ref : sec.exports) {
      // An export to another CAS is that CAS's business: nothing resolves it here.
      if (ref.cas_url.has_value()) continue;
      ExportTarget t;
      t.name = ref.session.value;
      t.is_namespace = ref.is_namespace;
      if (ref.session_hash.has_value()) t.session_hash = Lower(ref.session_hash->value);
      exp.to.push_back(std::move(t));
    }
    if (exp.is_public || !exp.to.empty()) out.exports.push_back(std::move(exp));
  }
  return out;
}

json SharingToJson(const SecretSharing& sharing) {
  json exports = json::array();
  for (const SecretExport& e : sharing.exports) {
    json to = json::array();
    for (const ExportTarget& t : e.to) {
      json o = {{t.is_namespace ? "namespace" : "session", t.name}};
      if (t.session_hash.has_value()) o["session_hash"] = *t.session_hash;
      to.push_back(std::move(o));
    }
    exports.push_back({{"secret", e.secret}, {"to", std::move(to)}, {"public", e.is_public}});
  }
  json imports = json::array();
  for (const SecretImport& i : sharing.imports) {
    json o = {{"secret", i.secret}, {"session", i.session}, {"exported", i.exported_secret}};
    if (i.session_hash.has_value()) o["session_hash"] = *i.session_hash;
    if (i.kind.has_value()) o["kind"] = std::string(sdl::SecretKindName(*i.kind));
    imports.push_back(std::move(o));
  }
  return {{"exports", std::move(exports)}, {"imports", std::move(imports)}};
}

Result<SecretSharing> SharingFromJson(const json& j) {
  if (!j.is_object() || !j.contains("exports") || !j["exports"].is_array() ||
      !j.contains("imports") || !j["imports"].is_array()) {
    return Malformed();
  }
  SecretSharing out;
  for (const json& e : j["exports"]) {
    if (!e.is_object() || !IsString(e, "secret") || !e.contains("to") || !e["to"].is_array() ||
        !e.contains("public") || !e["public"].is_boolean()) {
      return Malformed();
    }
    SecretExport exp;
    exp.secret = e["secret"].get<std::string>();
    exp.is_public = e["public"].get<bool>();
    for (const json& t : e["to"]) {
      if (!t.is_object()) return Malformed();
      ExportTarget target;
      target.is_namespace = IsString(t, "namespace");
      if (!target.is_namespace && !IsString(t, "session")) return Malformed();
      target.name = t[target.is_namespace ? "namespace" : "session"].get<std::string>();
      SCONE_ASSIGN_OR_RETURN(target.session_hash, OptString(t, "session_hash"));
      exp.to.push_back(std::move(target));
    }
    out.exports.push_back(std::move(exp));
  }
  for (const json& i : j["imports"]) {
    if (!i.is_object() || !IsString(i, "secret") || !IsString(i, "session") ||
        !IsString(i, "exported")) {
      return Malformed();
    }
    SecretImport imp;
    imp.secret = i["secret"].get<std::string>();
    imp.session = i["session"].get<std::string>();
    imp.exported_secret = i["exported"].get<std::string>();
    SCONE_ASSIGN_OR_RETURN(imp.session_hash, OptString(i, "session_hash"));
    SCONE_ASSIGN_OR_RETURN(auto kind, OptString(i, "kind"));
    if (kind.has_value()) {
      imp.kind = sdl::ParseSecretKind(*kind);
      if (!imp.kind.has_value()) return Malformed();
    }
    out.imports.push_back(std::move(imp));
  }
  return out;
}

bool ExportReaches(const ExportTarget& target, std::string_view importer,
                   std::string_view importer_hash) {
  if (target.is_namespace) {
    return importer.size() > target.name.size() && importer.starts_with(target.name) &&
           importer[target.name.size()] == '/';
  }
  if (importer != target.name) return false;
  return !target.session_hash.has_value() || *target.session_hash == importer_hash;
}

}  // namespace scone::cas
