#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "crypto/pem.h"
#include "crypto/x509.h"
#include "sdl/parser.h"
#include "sdl/sections.h"
#include "sdl/validator.h"

namespace scone::sdl {
namespace {

// <number><unit> groups, e.g. "90d", "1y 30d", "12 hours" (DurationSeconds, validator.h).
Status ParseValidFor(Reader& r, const YamlNode& v, std::optional<LString>* out) {
  LString d;
  SCONE_RETURN_IF_ERROR(r.String(v, "valid_for", &d));
  if (!DurationSeconds(d.value).has_value()) {
    return r.Fail(ErrorKind::kInvalidValue, d.position,
                  "valid_for must be a duration such as \"90d\", \"1y\" or \"12 hours\" "
                  "(units s, m, h, d, w, y)");
  }
  *out = std::move(d);
  return Status::Ok();
}

// Whether the secret key `k` applies to a secret of `kind` (a kind-less import takes the
// common keys only).
bool KeyAppliesToKind(std::string_view k, std::optional<SecretKind> kind) {
  static constexpr std::string_view kCommon[] = {"name",   "kind",          "value",  "export",
                                                 "import", "export_public", "migrate"};
  if (std::find(std::begin(kCommon), std::end(kCommon), k) != std::end(kCommon)) return true;
  if (!kind) return false;
  switch (*kind) {
    case SecretKind::kAscii:
    case SecretKind::kBinary:
      return k == "size";
    case SecretKind::kPrivateKey:
      return k == "key_type";
    case SecretKind::kPublicKey:
      return k == "private_key";
    case SecretKind::kX509:
    case SecretKind::kX509Ca:
      return k == "private_key" || k == "issuer" || k == "common_name" || k == "endpoint" ||
             k == "dns" || k == "san" || k == "valid_for";
  }
  return false;
}

// Checks the form of given key material without ever echoing it.
Status CheckValue(Reader& r, const Secret& sec) {
  std::string_view v = AsChars(sec.value->value.Reveal());
  if (!sec.kind) return Status::Ok();  // an import; the validator rejects its value
  switch (sec.kind->value) {
    case SecretKind::kPrivateKey:
    case SecretKind::kPublicKey: {
      bool want_private = sec.kind->value == SecretKind::kPrivateKey;
      auto blocks = crypto::ParsePemBlocks(v);
      bool ok = blocks.ok() && blocks->size() == 1;
      if (ok) {
        const std::string& type = (*blocks)[0].type;
        ok = want_private
                 ? (type == "PRIVATE KEY" || type == "EC PRIVATE KEY" || type == "RSA PRIVATE KEY")
                 : type == "PUBLIC KEY";
      }
      if (!ok) {
        return r.Fail(ErrorKind::kInvalidValue, sec.value->position,
                      std::string("the value of secret ") + Quoted(sec.name.value) +
                          " must be one PEM " + (want_private ? "private key" : "public key"));
      }
      return Status::Ok();
    }
    case SecretKind::kX509:
    case SecretKind::kX509Ca: {
      auto certs = crypto::ParseCertificatesPem(v);
      if (!certs.ok()) {
        return r.Fail(ErrorKind::kBadCertificate, sec.value->position,
                      "the value of secret " + Quoted(sec.name.value) +
                          " is not a PEM certificate (chain): " + certs.status().message());
      }
      return Status::Ok();
    }
    case SecretKind::kBinary:
      // Explicit binary values are written in hex ("DEADBEEF").
      if (v.empty() || v.size() % 2 != 0 || !IsHex(v, v.size())) {
        return r.Fail(ErrorKind::kInvalidValue, sec.value->position,
                      "the value of binary secret " + Quoted(sec.name.value) +
                          " must be hex digits, two per byte (e.g. DEADBEEF)");
      }
      return Status::Ok();
    case SecretKind::kAscii:
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

Status ParseSecret(Reader& r, const YamlNode& n, Secret* sec) {
  sec->position = n.position();
  bool has_name = false;
  std::vector<std::pair<std::string, Position>> given;
  SDL_TRY_OUTER(r.ForEachKey(
      n, "a secret",
      {"name", "kind", "size", "value", "key_type", "private_key", "issuer", "common_name",
       "endpoint", "dns", "san", "valid_for", "export", "import", "export_public", "migrate"},
      [&](const std::string& k, const YamlNode& key, const YamlNode& v) -> Status {
        given.emplace_back(k, key.position());
        if (k == "name") {
          has_name = true;
          return r.String(v, "secret name", &sec->name);
        }
        if (k == "kind") {
          LString kind;
          SCONE_RETURN_IF_ERROR(r.Keyword(
              v, "secret kind", {"ascii", "binary", "private-key", "public-key", "x509", "x509-ca"},
              &kind));
          sec->kind = Located<SecretKind>{*ParseSecretKind(kind.value), kind.position};
          return Status::Ok();
        }
        if (k == "size") {
          uint64_t size = 0;
          Position pos;
          SCONE_RETURN_IF_ERROR(r.Unsigned(v, "size", 1u << 20, &size, &pos));
          if (size == 0) return r.Fail(ErrorKind::kInvalidValue, pos, "size must be at least 1");
          sec->size = Located<uint64_t>{size, pos};
          return Status::Ok();
        }
        if (k == "value") {
          // The text goes into SecretBytes at once; the temporary string is wiped.
          std::optional<LString> text;
          Status st = r.OptString(v, "secret value", &text);
          if (st.ok() && text) {
            sec->value =
                Located<SecretBytes>{SecretBytes::CopyFrom(AsBytes(text->value)), text->position};
          }
          if (text) WipeMemory(text->value.data(), text->value.size());
          return st;
        }
        if (k == "key_type") {
          LString t;
          SCONE_RETURN_IF_ERROR(r.Keyword(
              v, "key_type",
              {"Ed25519", "ed25519", "P-256", "P-384", "P-521", "RSA-2048", "RSA-3072", "RSA-4096"},
              &t));
          sec->key_type = std::move(t);
          return Status::Ok();
        }
        if (k == "private_key") return r.OptString(v, "private_key", &sec->private_key);
        if (k == "issuer") return r.OptString(v, "issuer", &sec->issuer);
        if (k == "common_name") return r.OptString(v, "common_name", &sec->common_name);
        if (k == "endpoint") {
          LString e;
          SCONE_RETURN_IF_ERROR(
              r.Keyword(v, "endpoint", {"server", "client", "server_and_client"}, &e));
          sec->endpoint = std::move(e);
          return Status::Ok();
        }
        if (k == "dns" || k == "san") {
          if (!sec->dns.empty()) {
            return r.Fail(ErrorKind::kConflictingKeys, key,
                          "`san` is a synonym of `dns`; give the names in one of them");
          }
          SCONE_RETURN_IF_ERROR(r.StringList(v, "dns name", &sec->dns));
          for (const LString& d : sec->dns) {
            if (d.value.empty()) {
              return r.Fail(ErrorKind::kInvalidValue, d.position, "empty dns name");
            }
          }
          return Status::Ok();
        }
        if (k == "valid_for") return ParseValidFor(r, v, &sec->valid_for);
        if (k == "export") return ParseExports(r, v, RefKind::kSecretExport, &sec->exports);
        if (k == "import") {
          SessionRef ref;
          SCONE_RETURN_IF_ERROR(ParseSessionRef(r, v, "an import", RefKind::kSecretImport, &ref));
          sec->import = std::move(ref);
          return Status::Ok();
        }
        if (k == "export_public") return r.Bool(v, "export_public", &sec->export_public);
        return r.Bool(v, "migrate", &sec->migrate);
      }));
  if (!has_name) return r.Fail(ErrorKind::kMissingKey, n, "a secret needs a `name`");
  if (!sec->kind && !sec->import) {
    return r.Fail(ErrorKind::kMissingKey, n,
                  "secret needs a `kind`: ascii, binary, private-key, public-key, x509 or x509-ca "
                  "(only an imported secret may leave it out)");
  }
  // Keys that exist in the language but not for this kind of secret.
  for (const auto& [k, pos] : given) {
    if (!KeyAppliesToKind(k, sec->kind ? std::optional(sec->kind->value) : std::nullopt)) {
      return r.Fail(
          ErrorKind::kUnknownKey, pos,
          "key " + Quoted(k) + " does not apply to " +
              (sec->kind ? "a secret of kind " + std::string(SecretKindName(sec->kind->value))
                         : std::string("an imported secret without `kind`")));
    }
  }
  if (sec->value) return CheckValue(r, *sec);
  return Status::Ok();
}

}  // namespace scone::sdl
