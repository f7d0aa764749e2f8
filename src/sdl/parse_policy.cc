// access_policy: the operations and their entries (docs/session-language.md
// "access_policy"). The parser reads every kind of entry wherever it stands; the validator
// decides where each kind is allowed.

#include <string>
#include <utility>
#include <vector>

#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/pem.h"
#include "crypto/x509.h"
#include "sdl/placeholders.h"
#include "sdl/sections.h"

namespace scone::sdl {

namespace {

constexpr std::string_view kAtLeastPrefix = "require-at-least-";
constexpr std::string_view kSecretPrefix = "$$SCONE::";
// N of require-at-least-N has at most this many digits (a group cannot be larger anyway).
constexpr size_t kMaxAtLeastDigits = 6;

Status ParseEntry(Reader& r, const YamlNode& n, std::string_view what, PolicyEntry* e);

// `$$SCONE::NAME$$`, exactly: the whole entry, no format, no pipe.
Status ParseSecretEntry(Reader& r, const LString& item, std::string_view what, PolicyEntry* e) {
  std::vector<Placeholder> found;
  bool ok = FindPlaceholders(item.value, &found).ok() && found.size() == 1 &&
            found[0].offset == 0 && found[0].length == item.value.size() &&
            found[0].format.empty() && found[0].pipe.empty();
  if (!ok) {
    return r.Fail(ErrorKind::kMalformedPlaceholder, item.position,
                  std::string(what) +
                      " entry naming a secret must be exactly $$SCONE::NAME$$ (no format, no "
                      "pipe, nothing around it)");
  }
  e->kind = PolicyEntry::Kind::kSecret;
  e->secret = found[0].name;
  return Status::Ok();
}

Status ParseCertificateEntry(Reader& r, const LString& item, std::string_view what,
                             PolicyEntry* e) {
  auto certs = crypto::ParseCertificatesPem(item.value);
  if (!certs.ok() || certs->size() != 1) {
    return r.Fail(ErrorKind::kBadCertificate, item.position,
                  std::string(what) + " entry is not one PEM certificate" +
                      (certs.ok() ? std::string(" (it holds ") + std::to_string(certs->size()) + ")"
                                  : ": " + certs.status().message()));
  }
  auto hash = crypto::KeyHashOfCertificate((*certs)[0].get());
  if (!hash.ok()) {
    return r.Fail(ErrorKind::kBadCertificate, item.position,
                  std::string(what) + " certificate: " + hash.status().message());
  }
  e->kind = PolicyEntry::Kind::kKeyHash;
  e->key_hash = std::move(hash).value();
  e->from_certificate = true;
  return Status::Ok();
}

Status ParseScalarEntry(Reader& r, const YamlNode& n, std::string_view what, PolicyEntry* e) {
  LString item;
  SCONE_RETURN_IF_ERROR(r.String(n, std::string(what) + " entry", &item));
  const std::string& s = item.value;
  if (s == "CREATOR") {
    e->kind = PolicyEntry::Kind::kCreator;
  } else if (s == "ANY") {
    e->kind = PolicyEntry::Kind::kAny;
  } else if (s == "NONE") {
    e->kind = PolicyEntry::Kind::kNone;
  } else if (s.find(kSecretPrefix) != std::string::npos) {
    return ParseSecretEntry(r, item, what, e);
  } else if (s.find("-----BEGIN") != std::string::npos) {
    return ParseCertificateEntry(r, item, what, e);
  } else if (auto d = crypto::DecodeKeyHash(s); d.ok()) {
    e->kind = PolicyEntry::Kind::kKeyHash;
    e->key_hash = s;
  } else {
    return r.Fail(ErrorKind::kBadKeyHash, item.position,
                  std::string(what) +
                      " entries are CREATOR, ANY, NONE, a PEM certificate, a key hash, "
                      "$$SCONE::SECRET$$, {signer: PEM}, require-all or require-at-least-N; "
                      "this is none of them (as a key hash: " +
                      d.status().message() + ")");
  }
  return Status::Ok();
}

// signer: one PEM PUBLIC KEY block (SubjectPublicKeyInfo) of an Ed25519 or P-384 key.
Status ParseSignerEntry(Reader& r, const YamlNode& v, std::string_view what, PolicyEntry* e) {
  LString pem;
  SCONE_RETURN_IF_ERROR(r.String(v, std::string(what) + " signer", &pem));
  const std::string wanted =
      std::string(what) +
      " signer must be one PEM PUBLIC KEY block (SubjectPublicKeyInfo) of an Ed25519 or P-384 "
      "key";
  auto blocks = crypto::ParsePemBlocks(pem.value);
  if (!blocks.ok() || blocks->size() != 1 || (*blocks)[0].type != "PUBLIC KEY") {
    return r.Fail(ErrorKind::kBadPublicKey, pem.position,
                  wanted + (blocks.ok() ? "" : ": " + blocks.status().message()));
  }
  auto key = crypto::ParsePublicKeySpkiDer((*blocks)[0].der.Reveal());
  if (!key.ok()) {
    return r.Fail(ErrorKind::kBadPublicKey, pem.position, wanted + ": " + key.status().message());
  }
  if (!crypto::IsEd25519OrP384Key(key->get())) {
    return r.Fail(ErrorKind::kBadPublicKey, pem.position,
                  wanted +
                      "; this is another kind of key (create one with `openssl genpkey "
                      "-algorithm ed25519`)");
  }
  // Re-encoded by OpenSSL: the same key written differently has one canonical form.
  auto der = crypto::PublicKeySpkiDer(key->get());
  if (!der.ok()) {
    return r.Fail(ErrorKind::kBadPublicKey, pem.position, wanted + ": " + der.status().message());
  }
  auto text = crypto::EncodePem("PUBLIC KEY", *der);
  if (!text.ok()) {
    return r.Fail(ErrorKind::kBadPublicKey, pem.position, wanted + ": " + text.status().message());
  }
  e->kind = PolicyEntry::Kind::kSigner;
  e->signer_spki = std::move(der).value();
  e->signer_pem = std::move(text).value();
  return Status::Ok();
}

// require-all / require-at-least-N: the members, one or a list; `key:` alone is no member
// (the validator refuses an empty group).
Status ParseGroupEntry(Reader& r, const YamlNode& v, std::string_view what, PolicyEntry* e) {
  SCONE_RETURN_IF_ERROR(r.Visit(v));
  if (v.IsNull()) return Status::Ok();
  return r.OneOrList(v, &e->members,
                     [&](const YamlNode& i, PolicyEntry* m) { return ParseEntry(r, i, what, m); });
}

// An entry written as a mapping: {signer: PEM}, {require-all: [...]} or
// {require-at-least-N: [...]}.
Status ParseMappingEntry(Reader& r, const YamlNode& n, std::string_view what, PolicyEntry* e) {
  SCONE_RETURN_IF_ERROR(r.Visit(n));
  const std::string shapes = "signer: PEM, require-all: [...] or require-at-least-N: [...]";
  if (n.size() != 1) {
    return r.Fail(
        ErrorKind::kWrongType, n,
        std::string(what) + " entries written as a mapping have exactly one key: " + shapes);
  }
  const YamlNode& key = *n.entries().front().key;
  const YamlNode& value = *n.entries().front().value;
  SCONE_RETURN_IF_ERROR(r.Visit(key));
  if (!key.IsScalar()) {
    return r.Fail(ErrorKind::kWrongType, key, "keys in " + std::string(what) + " must be strings");
  }
  const std::string& k = key.Scalar();
  if (k == "signer") return ParseSignerEntry(r, value, what, e);
  if (k == "require-all") {
    e->kind = PolicyEntry::Kind::kRequireAll;
    return ParseGroupEntry(r, value, what, e);
  }
  if (k.rfind(kAtLeastPrefix, 0) == 0) {
    std::string_view digits{k};
    digits.remove_prefix(kAtLeastPrefix.size());
    uint32_t at_least = 0;
    bool ok = !digits.empty() && digits.size() <= kMaxAtLeastDigits;
    for (char c : digits) {
      if (c < '0' || c > '9') {
        ok = false;
        break;
      }
      at_least = at_least * 10 + static_cast<uint32_t>(c - '0');
    }
    if (!ok) {
      return r.Fail(ErrorKind::kInvalidValue, key,
                    Quoted(k) +
                        ": write require-at-least-N with N a decimal number from 1 to "
                        "the number of entries of the group");
    }
    e->kind = PolicyEntry::Kind::kRequireAtLeast;
    e->at_least = at_least;
    return ParseGroupEntry(r, value, what, e);
  }
  return r.Fail(ErrorKind::kUnknownKey, key,
                "unknown key " + Quoted(k) + " in " + std::string(what) +
                    "; entries written as a mapping are " + shapes);
}

Status ParseEntry(Reader& r, const YamlNode& n, std::string_view what, PolicyEntry* e) {
  e->position = n.position();
  if (n.IsMap()) return ParseMappingEntry(r, n, what, e);
  if (n.IsSequence()) {
    SCONE_RETURN_IF_ERROR(r.Visit(n));
    return r.Fail(ErrorKind::kWrongType, n,
                  std::string(what) + " entries are strings or mappings, not lists");
  }
  return ParseScalarEntry(r, n, what, e);
}

// One operation: one entry or a list of them.
Status ParsePolicyList(Reader& r, const YamlNode& n, std::string_view what,
                       std::optional<std::vector<PolicyEntry>>* out) {
  std::vector<PolicyEntry> entries;
  SCONE_RETURN_IF_ERROR(r.OneOrList(
      n, &entries, [&](const YamlNode& i, PolicyEntry* e) { return ParseEntry(r, i, what, e); }));
  *out = std::move(entries);
  return Status::Ok();
}

}  // namespace

Status ParseAccessPolicy(Reader& r, const YamlNode& n, AccessPolicy* ap) {
  ap->position = n.position();
  return r.ForEachKey(
      n, "access_policy", {"read", "update", "create_sessions", "list_sessions"},
      [&](const std::string& k, const YamlNode&, const YamlNode& v) -> Status {
        if (k == "read") {
          return ParsePolicyList(r, v, "access_policy.read", &ap->read);
        }
        if (k == "update") {
          return ParsePolicyList(r, v, "access_policy.update", &ap->update);
        }
        if (k == "list_sessions") {
          return ParsePolicyList(r, v, "access_policy.list_sessions", &ap->list_sessions);
        }
        return ParsePolicyList(r, v, "access_policy.create_sessions", &ap->create_sessions);
      });
}

}  // namespace scone::sdl
