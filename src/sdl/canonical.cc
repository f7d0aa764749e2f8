#include "sdl/canonical.h"

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

#include "common/bounded_cache.h"
#include "common/hex.h"
#include "crypto/hash.h"
#include "crypto/pem.h"
#include "crypto/x509.h"

namespace scone::sdl {
namespace {

using json = nlohmann::json;

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// A JSON array of strings, sorted and without duplicates.
json StringSet(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return json(std::move(v));
}

json StringSet(const std::vector<LString>& v, bool lower_hex = false) {
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const LString& s : v) out.push_back(lower_hex ? Lower(s.value) : s.value);
  return StringSet(std::move(out));
}

// Sorts an array of objects by their compact serialization and removes duplicates.
json ObjectSet(std::vector<json> items) {
  if (items.size() <= 1) return json(std::move(items));  // nothing to order (the common case)
  std::vector<std::pair<std::string, json>> keyed;
  keyed.reserve(items.size());
  for (json& j : items) {
    std::string key = j.dump();
    keyed.emplace_back(std::move(key), std::move(j));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json out = json::array();
  for (size_t i = 0; i < keyed.size(); ++i) {
    if (i > 0 && keyed[i].first == keyed[i - 1].first) continue;
    out.push_back(std::move(keyed[i].second));
  }
  return out;
}

void PutOpt(json& j, const char* key, const std::optional<LString>& v, bool lower_hex = false) {
  if (v) j[key] = lower_hex ? Lower(v->value) : v->value;
}

json Ref(const SessionRef& r, const char* item_key) {
  json j = json::object();
  j[r.is_namespace ? "namespace" : "session"] = r.session.value;
  PutOpt(j, "session_hash", r.session_hash, true);
  if (item_key != nullptr) PutOpt(j, item_key, r.item);
  PutOpt(j, "cas_url", r.cas_url);
  PutOpt(j, "cas_key", r.cas_key);
  PutOpt(j, "cas_software_key", r.cas_software_key);
  return j;
}

json Refs(const std::vector<SessionRef>& refs) {
  std::vector<json> v;
  v.reserve(refs.size());
  for (const SessionRef& r : refs) v.push_back(Ref(r, nullptr));
  return ObjectSet(std::move(v));
}

json SignerJson(const Signer& s) {
  json j = json::object();
  j["mrsigner"] = Lower(s.mrsigner.value);
  if (s.isvprodid) j["isvprodid"] = s.isvprodid->value;
  // -1 = not given. A range that admits all versions is no bound; a one-version range is
  // an exact version.
  int exact = s.isvsvn ? s.isvsvn->value : -1;
  int min = s.isvsvn_min ? s.isvsvn_min->value : -1;
  int max = s.isvsvn_max ? s.isvsvn_max->value : -1;
  if (min == 0) min = -1;
  if (max == 65535) max = -1;
  if (min >= 0 && min == max) {
    exact = min;
    min = max = -1;
  }
  if (exact >= 0) j["isvsvn"] = exact;
  if (min >= 0) j["isvsvn_min"] = min;
  if (max >= 0) j["isvsvn_max"] = max;
  return j;
}

json Attestation(const std::vector<AttestationVariant>& variants) {
  // {mrenclave: [a, b], signer: S} admits exactly what {a, S} and {b, S} admit together:
  // the canonical form has one variant per MRENCLAVE.
  std::vector<json> out;
  for (const AttestationVariant& v : variants) {
    json signer = v.signer ? SignerJson(*v.signer) : json();
    if (v.mrenclaves.empty()) {
      json j = json::object();
      j["signer"] = signer;
      out.push_back(std::move(j));
      continue;
    }
    for (const LString& m : v.mrenclaves) {
      json j = json::object();
      j["mrenclave"] = Lower(m.value);
      if (v.signer) j["signer"] = signer;
      out.push_back(std::move(j));
    }
  }
  return ObjectSet(std::move(out));
}

json PolicyEntries(const std::vector<PolicyEntry>& list);

// A string entry (CREATOR, ANY, NONE, a key hash, $$SCONE::name$$) or, for signers and
// governance groups, an object.
json PolicyEntryJson(const PolicyEntry& e) {
  switch (e.kind) {
    case PolicyEntry::Kind::kCreator:
      return "CREATOR";
    case PolicyEntry::Kind::kAny:
      return "ANY";
    case PolicyEntry::Kind::kNone:
      return "NONE";
    case PolicyEntry::Kind::kKeyHash:
      return e.key_hash;
    case PolicyEntry::Kind::kSecret:
      return "$$SCONE::" + e.secret + "$$";
    case PolicyEntry::Kind::kSigner:
      return json{{"signer", e.signer_pem}};
    case PolicyEntry::Kind::kRequireAll:
      return json{{"require-all", PolicyEntries(e.members)}};
    case PolicyEntry::Kind::kRequireAtLeast:
      return json{{"require-at-least-" + std::to_string(e.at_least), PolicyEntries(e.members)}};
  }
  return "NONE";
}

// The strings sorted and de-duplicated, then the objects sorted by their compact JSON and
// de-duplicated (a list of strings only is exactly what it was before signers and groups).
json PolicyEntries(const std::vector<PolicyEntry>& list) {
  std::vector<std::string> strings;
  std::vector<json> objects;
  for (const PolicyEntry& e : list) {
    json j = PolicyEntryJson(e);
    if (j.is_string()) {
      strings.push_back(j.get<std::string>());
    } else {
      objects.push_back(std::move(j));
    }
  }
  json out = StringSet(std::move(strings));
  for (json& o : ObjectSet(std::move(objects))) out.push_back(std::move(o));
  return out;
}

json Policy(const std::optional<std::vector<PolicyEntry>>& list, json fallback) {
  if (!list) return fallback;
  if (list->empty()) return json::array({"NONE"});  // an empty list admits no one
  return PolicyEntries(*list);
}

template <typename T>
std::vector<const T*> SortedByName(const std::vector<T>& items) {
  std::vector<const T*> v;
  v.reserve(items.size());
  for (const T& i : items) v.push_back(&i);
  std::sort(v.begin(), v.end(),
            [](const T* a, const T* b) { return a->name.value < b->name.value; });
  return v;
}

}  // namespace

Result<Bytes> CreatorCertificateDer(std::string_view certificate) {
  Bytes der;
  if (certificate.find("-----BEGIN") != std::string_view::npos) {
    SCONE_ASSIGN_OR_RETURN(auto blocks, crypto::ParsePemBlocks(certificate));
    if (blocks.size() != 1 || blocks[0].type != "CERTIFICATE") {
      return InvalidArgument("creator certificate: expected exactly one PEM CERTIFICATE block");
    }
    ByteView b = blocks[0].der.Reveal();
    der.assign(b.begin(), b.end());
  } else {
    der = ToBytes(certificate);
  }
  // OpenSSL checks that these are the bytes of exactly one certificate; the hash then
  // binds those exact bytes. Parsing is most of a session hash's cost (OpenSSL 3 decodes the
  // key through its provider decoders), and CAS hashes every upload with one of a few
  // clients' certificates: bytes that parsed once are remembered.
  static BoundedCache<bool> parsed_before(256);
  std::string key(der.begin(), der.end());
  if (!parsed_before.Find(key).has_value()) {
    auto parsed = crypto::ParseCertificateDer(der);
    if (!parsed.ok()) {
      return InvalidArgument("creator certificate: " + parsed.status().message());
    }
    parsed_before.Insert(std::move(key), true);
  }
  return der;
}

json NormalizeSession(const Session& s) {
  json j = json::object();
  j["name"] = s.name.value;
  j["version"] = s.version.value;
  j["predecessor"] = s.predecessor ? json(Lower(s.predecessor->value)) : json();

  json services = json::array();
  for (const Service* svc : SortedByName(s.services)) {
    json o = json::object();
    o["name"] = svc->name.value;
    if (svc->command && !svc->command->empty()) {
      json argv = json::array();
      for (const LString& a : *svc->command) argv.push_back(a.value);
      o["command"] = std::move(argv);
    }
    json env = json::object();
    for (const auto& [k, v] : svc->environment) env[k.value] = v.value;
    o["environment"] = std::move(env);
    PutOpt(o, "pwd", svc->pwd);
    PutOpt(o, "image_name", svc->image_name);
    o["attestation"] = Attestation(svc->attestation);
    o["platforms"] = StringSet(svc->platforms, true);
    PutOpt(o, "fspf_path", svc->fspf_path);
    PutOpt(o, "fspf_key", svc->fspf_key, true);
    PutOpt(o, "fspf_tag", svc->fspf_tag, true);
    services.push_back(std::move(o));
  }
  j["services"] = std::move(services);

  json secrets = json::array();
  for (const Secret* sec : SortedByName(s.secrets)) {
    json o = json::object();
    o["name"] = sec->name.value;
    if (sec->kind) o["kind"] = std::string(SecretKindName(sec->kind->value));
    if (sec->size) o["size"] = sec->size->value;
    // The canonical form is hashed and printed: it holds the value as given (a known limit,
    // docs/secrets.md: the JSON text is an ordinary string).
    if (sec->value) o["value"] = std::string(AsChars(sec->value->value.Reveal()));
    PutOpt(o, "key_type", sec->key_type);
    PutOpt(o, "private_key", sec->private_key);
    PutOpt(o, "issuer", sec->issuer);
    PutOpt(o, "common_name", sec->common_name);
    PutOpt(o, "endpoint", sec->endpoint);
    if (!sec->dns.empty()) o["dns"] = StringSet(sec->dns);
    PutOpt(o, "valid_for", sec->valid_for);
    o["export"] = Refs(sec->exports);
    if (sec->import) o["import"] = Ref(*sec->import, "secret");
    o["export_public"] = sec->export_public ? sec->export_public->value : false;
    if (sec->migrate) o["migrate"] = sec->migrate->value;
    secrets.push_back(std::move(o));
  }
  j["secrets"] = std::move(secrets);

  json images = json::array();
  for (const Image* img : SortedByName(s.images)) {
    json o = json::object();
    o["name"] = img->name.value;
    std::vector<json> files;
    for (const InjectionFile& f : img->injection_files) {
      json fj = json::object();
      fj["path"] = f.path.value;
      PutOpt(fj, "content", f.content);
      PutOpt(fj, "permission", f.permission);
      files.push_back(std::move(fj));
    }
    o["injection_files"] = ObjectSet(std::move(files));
    std::vector<json> vols;
    for (const ImageVolume& v : img->volumes) {
      vols.push_back(json{{"name", v.name.value}, {"path", v.path.value}});
    }
    o["volumes"] = ObjectSet(std::move(vols));
    images.push_back(std::move(o));
  }
  j["images"] = std::move(images);

  json volumes = json::array();
  for (const Volume* vol : SortedByName(s.volumes)) {
    json o = json::object();
    o["name"] = vol->name.value;
    o["export"] = Refs(vol->exports);
    if (vol->import) o["import"] = Ref(*vol->import, "volume");
    volumes.push_back(std::move(o));
  }
  j["volumes"] = std::move(volumes);

  json creator_only = json::array({"CREATOR"});
  json ap = json::object();
  ap["read"] = Policy(s.access_policy.read, creator_only);
  ap["update"] = Policy(s.access_policy.update, creator_only);
  ap["create_sessions"] = Policy(s.access_policy.create_sessions, ap["update"]);
  // list_sessions (SDL 0.3.12) defaults to the read list; it is in the form only when it
  // differs from it, so every session without it keeps the hash it had before the key.
  json list_sessions = Policy(s.access_policy.list_sessions, ap["read"]);
  if (list_sessions != ap["read"]) ap["list_sessions"] = std::move(list_sessions);
  j["access_policy"] = std::move(ap);

  json att = json::object();
  att["mode"] = s.security.mode.value == AttestationMode::kNone ? "none" : "hardware";
  att["tolerate"] = StringSet(s.security.tolerate);
  att["ignore_advisories"] = s.security.ignore_all_advisories
                                 ? json::array({"*"})
                                 : StringSet(s.security.ignore_advisories);
  j["security"] = json{{"attestation", std::move(att)}};
  return j;
}

Result<std::string> CanonicalForm(const Session& session,
                                  std::optional<std::string_view> creator_certificate) {
  json doc = json::object();
  doc["format"] = std::string(kCanonicalFormat);
  doc["creator"] = nullptr;
  if (creator_certificate) {
    SCONE_ASSIGN_OR_RETURN(Bytes der, CreatorCertificateDer(*creator_certificate));
    doc["creator"] = HexEncode(crypto::Sha256(der));
  }
  doc["session"] = NormalizeSession(session);
  try {
    return doc.dump();
  } catch (const std::exception& e) {
    // Only invalid UTF-8 can make dump() throw; the parser rejects it.
    return Internal(std::string("serializing the canonical form: ") + e.what());
  }
}

Result<std::string> SessionHash(const Session& session,
                                std::optional<std::string_view> creator_certificate) {
  SCONE_ASSIGN_OR_RETURN(std::string form, CanonicalForm(session, creator_certificate));
  return HexEncode(crypto::Sha256(AsBytes(form)));
}

}  // namespace scone::sdl
