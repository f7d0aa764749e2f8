#include "sdl/validator.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "crypto/key_hash.h"

namespace scone::sdl {
namespace {

constexpr std::string_view kPlaceholderStart = "$$SCONE::";

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '~';
}

// The kind of a secret as written, "" for an import without `kind`.
std::string_view KindOf(const Secret& s) { return s.kind ? SecretKindName(s.kind->value) : ""; }

// "a secret of kind K" / "an imported secret without `kind`", for messages.
std::string KindPhrase(const Secret& s) {
  return s.kind ? "a secret of kind " + std::string(KindOf(s))
                : std::string("an imported secret without `kind`");
}

class Validator {
 public:
  explicit Validator(const Session& s) : s_(s) {}
  Status Run();
  const Diagnostic& diagnostic() const { return diag_; }

 private:
  Status Fail(ErrorKind kind, Position pos, std::string message) {
    diag_ = {kind, s_.file_name, pos, std::move(message)};
    return diag_.ToStatus();
  }

  template <typename T>
  Status CheckNames(const std::vector<T>& items, std::string_view what,
                    std::map<std::string_view, const T*>* by_name);
  // `governance`: signer entries and governance groups may stand in this operation.
  Status CheckPolicy(const std::optional<std::vector<PolicyEntry>>& list, std::string_view what,
                     bool governance);
  Status CheckEntry(const PolicyEntry& e, std::string_view what, bool governance, bool in_group);
  Status CheckSecretEntry(const PolicyEntry& e, std::string_view what);
  // Equal for two group members that mean the same (members in any order).
  static std::string MemberKey(const PolicyEntry& e);
  Status CheckSecrets();
  Status CheckRef(const SessionRef& ref, std::string_view what);
  Status CheckPlaceholders(const LString& text, std::string_view where);

  const Session& s_;
  Diagnostic diag_;
  std::map<std::string_view, const Service*> services_;
  std::map<std::string_view, const Secret*> secrets_;
  std::map<std::string_view, const Image*> images_;
  std::map<std::string_view, const Volume*> volumes_;
};

template <typename T>
Status Validator::CheckNames(const std::vector<T>& items, std::string_view what,
                             std::map<std::string_view, const T*>* by_name) {
  for (const T& item : items) {
    const LString& name = item.name;
    if (!IsValidEntityName(name.value)) {
      return Fail(ErrorKind::kInvalidName, name.position,
                  "invalid " + std::string(what) +
                      " name: use 1 to 128 of the characters A-Z a-z 0-9 _ - . ~");
    }
    if (!by_name->emplace(name.value, &item).second) {
      return Fail(ErrorKind::kDuplicateName, name.position,
                  std::string(what) + " \"" + name.value + "\" is declared twice");
    }
  }
  return Status::Ok();
}

Status Validator::CheckPolicy(const std::optional<std::vector<PolicyEntry>>& list,
                              std::string_view what, bool governance) {
  if (!list) return Status::Ok();
  for (const PolicyEntry& e : *list) {
    if ((e.kind == PolicyEntry::Kind::kAny || e.kind == PolicyEntry::Kind::kNone) &&
        list->size() != 1) {
      return Fail(ErrorKind::kExclusiveEntry, e.position,
                  std::string(e.kind == PolicyEntry::Kind::kAny ? "ANY" : "NONE") +
                      " must be the only entry of " + std::string(what));
    }
    SCONE_RETURN_IF_ERROR(CheckEntry(e, what, governance, /*in_group=*/false));
  }
  return Status::Ok();
}

Status Validator::CheckEntry(const PolicyEntry& e, std::string_view what, bool governance,
                             bool in_group) {
  using Kind = PolicyEntry::Kind;
  const bool group = e.kind == Kind::kRequireAll || e.kind == Kind::kRequireAtLeast;
  if (in_group && e.kind != Kind::kSigner && !group) {
    return Fail(ErrorKind::kMisplacedEntry, e.position,
                "a governance group (require-all, require-at-least-N) in " + std::string(what) +
                    " holds only signer entries and nested groups; put CREATOR, ANY, NONE, "
                    "certificates, key hashes and secrets directly in the operation's list");
  }
  if ((e.kind == Kind::kSigner || group) && !governance) {
    return Fail(ErrorKind::kMisplacedEntry, e.position,
                std::string(e.kind == Kind::kSigner ? "signer entries" : "governance groups") +
                    " are allowed only in access_policy.update and "
                    "access_policy.create_sessions, not in " +
                    std::string(what) + " (reading and listing are not signed)");
  }
  if (e.kind == Kind::kSecret) return CheckSecretEntry(e, what);
  if (!group) return Status::Ok();

  const size_t n = e.members.size();
  const std::string name = e.kind == Kind::kRequireAll
                               ? std::string("require-all")
                               : "require-at-least-" + std::to_string(e.at_least);
  if (n == 0) {
    return Fail(ErrorKind::kInvalidValue, e.position,
                name + " in " + std::string(what) + " has no entries; list the signers");
  }
  if (e.kind == Kind::kRequireAtLeast && (e.at_least < 1 || e.at_least > n)) {
    return Fail(ErrorKind::kInvalidValue, e.position,
                name + " in " + std::string(what) + " has " + std::to_string(n) +
                    " entries: N must be from 1 to " + std::to_string(n));
  }
  // A member given twice would count twice towards N.
  std::map<std::string, bool> seen;
  for (const PolicyEntry& m : e.members) {
    SCONE_RETURN_IF_ERROR(CheckEntry(m, what, governance, /*in_group=*/true));
    if (!seen.emplace(MemberKey(m), true).second) {
      return Fail(ErrorKind::kInvalidValue, m.position,
                  "this entry of " + name + " in " + std::string(what) +
                      " is given twice in the group (the same signer or group)");
    }
  }
  return Status::Ok();
}

std::string Validator::MemberKey(const PolicyEntry& e) {
  switch (e.kind) {
    case PolicyEntry::Kind::kSigner:
      return "signer:" + e.signer_pem;
    case PolicyEntry::Kind::kRequireAll:
    case PolicyEntry::Kind::kRequireAtLeast: {
      std::vector<std::string> keys;
      keys.reserve(e.members.size());
      for (const PolicyEntry& m : e.members) keys.push_back(MemberKey(m));
      std::sort(keys.begin(), keys.end());
      std::string out = e.kind == PolicyEntry::Kind::kRequireAll
                            ? std::string("all(")
                            : "at-least-" + std::to_string(e.at_least) + "(";
      for (const std::string& k : keys) out += k + ",";
      return out + ")";
    }
    default:
      return "other";  // not a group member (refused before the key is asked for)
  }
}

Status Validator::CheckSecretEntry(const PolicyEntry& e, std::string_view what) {
  auto it = secrets_.find(e.secret);
  if (it == secrets_.end()) {
    return Fail(ErrorKind::kUnknownSecret, e.position,
                std::string(what) + " names secret \"" + e.secret +
                    "\", which this session does not declare (add it to `secrets`, or import "
                    "it)");
  }
  const Secret& sec = *it->second;
  const std::string uses = std::string(what) + " names secret \"" + e.secret + "\", ";
  if (!sec.kind ||
      (sec.kind->value != SecretKind::kAscii && sec.kind->value != SecretKind::kX509)) {
    return Fail(ErrorKind::kWrongReferenceKind, e.position,
                uses + KindPhrase(sec) +
                    "; an access policy takes an ascii secret (its value a key hash) or an x509 "
                    "secret (its certificate's key) (state `kind:` on an import)");
  }
  if (sec.kind->value == SecretKind::kAscii && !sec.import) {
    if (!sec.value) {
      return Fail(ErrorKind::kWrongReferenceKind, e.position,
                  uses +
                      "an ascii secret without `value`: CAS would generate a random value, "
                      "which is no key hash; give it `value: KEY_HASH` or import it");
    }
    if (!crypto::DecodeKeyHash(AsChars(sec.value->value.Reveal())).ok()) {
      // The value is not echoed: it is a secret.
      return Fail(ErrorKind::kBadKeyHash, sec.value->position,
                  "the value of ascii secret \"" + e.secret + "\", named in " + std::string(what) +
                      ", is not a key hash (`scone cert show-key-hash CERT` prints one)");
    }
  }
  return Status::Ok();
}

Status Validator::CheckRef(const SessionRef& ref, std::string_view what) {
  if (!IsValidSessionName(ref.session.value)) {
    return Fail(ErrorKind::kInvalidName, ref.session.position,
                "the session named in " + std::string(what) +
                    " is not a valid session name (1 to 128 characters A-Z a-z 0-9 _ - . ~, "
                    "'/' between namespace parts)");
  }
  if (ref.item && !IsValidEntityName(ref.item->value)) {
    return Fail(ErrorKind::kInvalidName, ref.item->position,
                "the name in " + std::string(what) + " is not a valid secret or volume name");
  }
  return Status::Ok();
}

Status Validator::CheckSecrets() {
  for (const Secret& sec : s_.secrets) {
    const std::string& name = sec.name.value;
    for (const SessionRef& r : sec.exports) {
      SCONE_RETURN_IF_ERROR(CheckRef(r, "an export of secret \"" + name + "\""));
    }
    if (sec.import) SCONE_RETURN_IF_ERROR(CheckRef(*sec.import, "the import of \"" + name + "\""));
    if (sec.size && sec.value) {
      return Fail(ErrorKind::kConflictingKeys, sec.size->position,
                  "secret \"" + name + "\" has both `size` and `value`; give one of them");
    }
    if (sec.import && (sec.value || sec.size)) {
      Position p = sec.value ? sec.value->position : sec.size->position;
      return Fail(ErrorKind::kConflictingKeys, p,
                  "secret \"" + name + "\" is imported; it cannot have `value` or `size`");
    }
    if (sec.import && !sec.exports.empty()) {
      // Re-exporting an imported secret is allowed by CAS only through the owner session.
      return Fail(ErrorKind::kConflictingKeys, sec.exports.front().position,
                  "secret \"" + name + "\" is imported; export it from the session that owns it");
    }
    SecretKind kind = sec.kind ? sec.kind->value : SecretKind::kAscii;
    if (sec.kind && kind == SecretKind::kPublicKey && !sec.private_key && !sec.value &&
        !sec.import) {
      return Fail(ErrorKind::kMissingKey, sec.position,
                  "public-key secret \"" + name +
                      "\" needs `private_key: NAME` naming a private-key secret (or a `value` or "
                      "an `import`)");
    }
    if (sec.kind && kind == SecretKind::kX509 && !sec.private_key && !sec.value && !sec.import) {
      return Fail(ErrorKind::kX509NeedsPrivateKey, sec.position,
                  "x509 secret \"" + name +
                      "\" needs `private_key: NAME` naming a private-key secret (or a `value` or "
                      "an `import`)");
    }
    if (sec.private_key) {
      auto it = secrets_.find(sec.private_key->value);
      if (it == secrets_.end()) {
        return Fail(ErrorKind::kUnknownSecret, sec.private_key->position,
                    "private_key of \"" + name +
                        "\" names no secret of this session; declare a "
                        "secret with kind: private-key");
      }
      if (KindOf(*it->second) != "private-key") {
        return Fail(ErrorKind::kWrongReferenceKind, sec.private_key->position,
                    "private_key of \"" + name + "\" names " + KindPhrase(*it->second) +
                        "; it must be a private-key secret (state `kind: private-key` on an "
                        "import)");
      }
    }
    if (sec.issuer) {
      auto it = secrets_.find(sec.issuer->value);
      if (it == secrets_.end()) {
        return Fail(ErrorKind::kUnknownSecret, sec.issuer->position,
                    "issuer of \"" + name +
                        "\" names no secret of this session; declare a "
                        "secret with kind: x509-ca");
      }
      if (KindOf(*it->second) != "x509-ca") {
        return Fail(ErrorKind::kWrongReferenceKind, sec.issuer->position,
                    "issuer of \"" + name + "\" names " + KindPhrase(*it->second) +
                        "; it must be an x509-ca secret (state `kind: x509-ca` on an import)");
      }
    }
  }
  // Issuer chains must end. Every secret has at most one issuer, so following the chains
  // from every secret while remembering which secrets are known to lead to an end is
  // linear in the number of secrets (a hostile session may declare many).
  std::map<const Secret*, int> state;  // 1: on the chain being followed, 2: chain ends
  for (const Secret& start : s_.secrets) {
    std::vector<const Secret*> path;
    const Secret* cur = &start;
    while (cur != nullptr && state[cur] == 0) {
      state[cur] = 1;
      path.push_back(cur);
      const Secret* next = nullptr;
      if (cur->issuer) {
        auto it = secrets_.find(cur->issuer->value);
        if (it != secrets_.end()) next = it->second;
      }
      cur = next;
    }
    if (cur != nullptr && state[cur] == 1) {
      return Fail(ErrorKind::kInvalidValue, cur->issuer->position,
                  "the issuer chain of \"" + cur->name.value + "\" loops back to itself");
    }
    for (const Secret* p : path) state[p] = 2;
  }
  return Status::Ok();
}

Status Validator::CheckPlaceholders(const LString& text, std::string_view where) {
  if (text.value.find(kPlaceholderStart) == std::string::npos) return Status::Ok();
  std::vector<Placeholder> found;
  if (!FindPlaceholders(text.value, &found).ok()) {
    return Fail(ErrorKind::kMalformedPlaceholder, text.position,
                "malformed secret placeholder in " + std::string(where) +
                    ": write $$SCONE::NAME$$ or $$SCONE::NAME:FORMAT$$, optionally ending in "
                    "|escape(json)");
  }
  for (const Placeholder& p : found) {
    std::string name = p.name;
    std::string format = p.format;
    auto it = secrets_.find(name);
    if (it == secrets_.end() && format.empty()) {
      // Older sessions write $$SCONE::cert.crt$$ / .key / .chain for x509 secrets and
      // $$SCONE::bytes.hex$$ for binary ones.
      if (auto legacy = SplitLegacy(name)) {
        auto stem = secrets_.find(legacy->name);
        if (stem != secrets_.end()) {
          const auto& k = stem->second->kind;
          if (auto reading = LegacyReading(name, k ? std::optional(k->value) : std::nullopt)) {
            it = stem;
            name = reading->name;
            format = std::string(reading->format);
          }
        }
      }
    }
    if (it == secrets_.end()) {
      return Fail(ErrorKind::kUnknownSecret, text.position,
                  "placeholder in " + std::string(where) + " names secret \"" + name +
                      "\", which this session does not declare (add it to `secrets`, or "
                      "import it)");
    }
    // A kind-less import takes the formats of every kind; CAS checks the format against
    // the exported secret when the import is resolved.
    auto formats = FormatsForSecret(*it->second);
    if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
      std::string valid;
      for (std::string_view f : formats) {
        if (f.empty()) continue;
        valid += (valid.empty() ? "" : ", ") + std::string(f);
      }
      return Fail(ErrorKind::kBadSecretFormat, text.position,
                  "format \"" + format.substr(0, 40) + "\" is not valid for secret \"" + name +
                      "\", " + KindPhrase(*it->second) + "; valid formats are: none, " + valid);
    }
    if (!p.pipe.empty() && p.pipe != kEscapeJsonPipe) {
      return Fail(ErrorKind::kBadSecretFormat, text.position,
                  "placeholder for secret \"" + name + "\" in " + std::string(where) +
                      " ends in an unknown pipe; the only pipe is |escape(json)");
    }
  }
  return Status::Ok();
}

Status Validator::Run() {
  if (!IsValidSessionName(s_.name.value)) {
    return Fail(ErrorKind::kInvalidName, s_.name.position,
                "invalid session name: use 1 to 128 characters A-Z a-z 0-9 _ - . ~, with '/' "
                "between namespace parts");
  }
  SCONE_RETURN_IF_ERROR(CheckNames(s_.services, "service", &services_));
  SCONE_RETURN_IF_ERROR(CheckNames(s_.secrets, "secret", &secrets_));
  SCONE_RETURN_IF_ERROR(CheckNames(s_.images, "image", &images_));
  SCONE_RETURN_IF_ERROR(CheckNames(s_.volumes, "volume", &volumes_));

  // Signer entries and governance only where an upload could carry signatures.
  const AccessPolicy& ap = s_.access_policy;
  SCONE_RETURN_IF_ERROR(CheckPolicy(ap.read, "access_policy.read", /*governance=*/false));
  SCONE_RETURN_IF_ERROR(CheckPolicy(ap.update, "access_policy.update", /*governance=*/true));
  SCONE_RETURN_IF_ERROR(
      CheckPolicy(ap.create_sessions, "access_policy.create_sessions", /*governance=*/true));
  SCONE_RETURN_IF_ERROR(
      CheckPolicy(ap.list_sessions, "access_policy.list_sessions", /*governance=*/false));

  SCONE_RETURN_IF_ERROR(CheckSecrets());

  bool need_attestation = s_.security.mode.value != AttestationMode::kNone;
  for (const Service& svc : s_.services) {
    const std::string where = "service \"" + svc.name.value + "\"";
    if (svc.image_name && images_.find(svc.image_name->value) == images_.end()) {
      return Fail(ErrorKind::kUnknownImage, svc.image_name->position,
                  "image_name of " + where + " names no image; declare it under `images`");
    }
    if (need_attestation && svc.attestation.empty()) {
      return Fail(ErrorKind::kMissingAttestation, svc.name.position,
                  where +
                      " has no attestation variant: add `attestation: {mrenclave: ...}` and/or "
                      "a `signer`, or set security.attestation.mode: none");
    }
    if (svc.command) {
      for (const LString& arg : *svc.command) {
        SCONE_RETURN_IF_ERROR(CheckPlaceholders(arg, "the command of " + where));
      }
    }
    for (const auto& [key, value] : svc.environment) {
      SCONE_RETURN_IF_ERROR(CheckPlaceholders(value, "environment " + key.value + " of " + where));
    }
    if (svc.pwd) SCONE_RETURN_IF_ERROR(CheckPlaceholders(*svc.pwd, "the pwd of " + where));
  }
  for (const Volume& vol : s_.volumes) {
    for (const SessionRef& r : vol.exports) {
      SCONE_RETURN_IF_ERROR(CheckRef(r, "an export of volume \"" + vol.name.value + "\""));
    }
    if (vol.import) {
      SCONE_RETURN_IF_ERROR(CheckRef(*vol.import, "the import of \"" + vol.name.value + "\""));
    }
  }
  for (const Image& img : s_.images) {
    // One file or volume per path: two would leave it open which one the service sees.
    std::map<std::string_view, bool> paths;
    for (const InjectionFile& f : img.injection_files) {
      if (!paths.emplace(f.path.value, true).second) {
        return Fail(ErrorKind::kDuplicateName, f.path.position,
                    "image \"" + img.name.value + "\" has two injection files or volumes at \"" +
                        f.path.value + "\"");
      }
    }
    for (const ImageVolume& v : img.volumes) {
      if (!paths.emplace(v.path.value, true).second) {
        return Fail(ErrorKind::kDuplicateName, v.path.position,
                    "image \"" + img.name.value + "\" has two injection files or volumes at \"" +
                        v.path.value + "\"");
      }
    }
    for (const InjectionFile& f : img.injection_files) {
      SCONE_RETURN_IF_ERROR(CheckPlaceholders(f.path, "an injection file path"));
      if (f.content) SCONE_RETURN_IF_ERROR(CheckPlaceholders(*f.content, "injection file content"));
    }
    for (const ImageVolume& v : img.volumes) {
      if (volumes_.find(v.name.value) == volumes_.end()) {
        return Fail(ErrorKind::kUnknownVolume, v.name.position,
                    "image \"" + img.name.value + "\" uses volume \"" + v.name.value +
                        "\", which is not declared under `volumes`");
      }
    }
  }

  const SecurityAttestation& sa = s_.security;
  if (sa.ignore_all_advisories) {
    bool debug = std::any_of(sa.tolerate.begin(), sa.tolerate.end(),
                             [](const LString& t) { return t.value == "debug-mode"; });
    if (!debug) {
      return Fail(ErrorKind::kAdvisoriesNeedDebug, sa.ignore_advisories_position,
                  "ignore_advisories: \"*\" is only allowed when debug-mode is tolerated; list "
                  "the advisory ids to ignore instead");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsValidEntityName(std::string_view name) {
  return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), IsNameChar);
}

std::optional<int64_t> DurationSeconds(std::string_view t) {
  auto unit_seconds = [](std::string_view unit) -> int64_t {
    if (unit == "s" || unit == "second" || unit == "seconds") return 1;
    if (unit == "m" || unit == "minute" || unit == "minutes") return 60;
    if (unit == "h" || unit == "hour" || unit == "hours") return 3600;
    if (unit == "d" || unit == "day" || unit == "days") return 86400;
    if (unit == "w" || unit == "week" || unit == "weeks") return int64_t{7} * 86400;
    if (unit == "y" || unit == "year" || unit == "years") return int64_t{365} * 86400;
    return 0;
  };
  int64_t total = 0;
  bool any = false;
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && t[i] == ' ') ++i;
    if (i == t.size()) break;
    const size_t digits = i;
    int64_t n = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (i - digits == 9) return std::nullopt;  // 10 digits or more
      n = n * 10 + (t[i] - '0');
      ++i;
    }
    if (i == digits) return std::nullopt;
    while (i < t.size() && t[i] == ' ') ++i;
    const size_t letters = i;
    while (i < t.size() && t[i] >= 'a' && t[i] <= 'z') ++i;
    const int64_t unit = unit_seconds(t.substr(letters, i - letters));
    if (unit == 0) return std::nullopt;
    // n < 10^9 and unit < 2^25: each group adds less than 2^55, so the sum cannot overflow
    // before it is capped.
    total = std::min(total + n * unit, kMaxDurationSeconds);
    any = true;
  }
  if (!any) return std::nullopt;
  return total;
}

bool IsValidSessionName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view part = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!IsValidEntityName(part) || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

Status ValidateSession(const Session& session, Diagnostic* diagnostic) {
  Validator v(session);
  Status st = v.Run();
  if (!st.ok() && diagnostic != nullptr) *diagnostic = v.diagnostic();
  return st;
}

}  // namespace scone::sdl
