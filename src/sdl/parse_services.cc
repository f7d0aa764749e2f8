#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sdl/sections.h"

namespace scone::sdl {
namespace {

// Values handed to the program (command, environment, pwd) are C strings.
Status NoNul(Reader& r, const LString& s, std::string_view what) {
  if (s.value.find('\0') == std::string::npos) return Status::Ok();
  return r.Fail(ErrorKind::kInvalidValue, s.position,
                std::string(what) + " cannot contain a NUL character");
}

Status ParseSigner(Reader& r, const YamlNode& n, Signer* s) {
  s->position = n.position();
  bool has_mrsigner = false;
  SDL_TRY_OUTER(
      r.ForEachKey(n, "signer", {"mrsigner", "isvprodid", "isvsvn", "isvsvn_min", "isvsvn_max"},
                   [&](const std::string& k, const YamlNode&, const YamlNode& v) -> Status {
                     if (k == "mrsigner") {
                       has_mrsigner = true;
                       return r.Hex(v, "mrsigner", 64, &s->mrsigner);
                     }
                     if (k == "isvprodid") return r.U16(v, "isvprodid", &s->isvprodid);
                     if (k == "isvsvn") return r.U16(v, "isvsvn", &s->isvsvn);
                     if (k == "isvsvn_min") return r.U16(v, "isvsvn_min", &s->isvsvn_min);
                     return r.U16(v, "isvsvn_max", &s->isvsvn_max);
                   }));
  if (!has_mrsigner) return r.Fail(ErrorKind::kMissingKey, n, "signer needs `mrsigner`");
  if (s->isvsvn && (s->isvsvn_min || s->isvsvn_max)) {
    return r.Fail(ErrorKind::kConflictingKeys, s->isvsvn->position,
                  "give either isvsvn (one version) or isvsvn_min/isvsvn_max (a range), not both");
  }
  if (s->isvsvn_min && s->isvsvn_max && s->isvsvn_min->value > s->isvsvn_max->value) {
    return r.Fail(ErrorKind::kInvalidValue, s->isvsvn_max->position,
                  "isvsvn_max is below isvsvn_min; no version could match");
  }
  if (!s->isvprodid) {
    return r.Fail(ErrorKind::kMissingKey, n,
                  "signer needs `isvprodid` (the product id the enclave was signed with)");
  }
  return Status::Ok();
}

Status ParseVariant(Reader& r, const YamlNode& n, AttestationVariant* v) {
  v->position = n.position();
  SDL_TRY_OUTER(
      r.ForEachKey(n, "an attestation variant", {"mrenclave", "signer"},
                   [&](const std::string& k, const YamlNode&, const YamlNode& val) -> Status {
                     if (k == "mrenclave") return r.HexList(val, "mrenclave", 64, &v->mrenclaves);
                     Signer s;
                     SCONE_RETURN_IF_ERROR(ParseSigner(r, val, &s));
                     v->signer = std::move(s);
                     return Status::Ok();
                   }));
  if (v->mrenclaves.empty() && !v->signer) {
    return r.Fail(ErrorKind::kMissingKey, v->position,
                  "an attestation variant needs `mrenclave` and/or `signer`");
  }
  return Status::Ok();
}

}  // namespace

Status ParseService(Reader& r, const YamlNode& n, Service* svc) {
  svc->position = n.position();
  bool has_name = false;
  std::vector<AttestationVariant> from_mrenclaves;
  SDL_TRY_OUTER(r.ForEachKey(
      n, "a service",
      {"name", "command", "environment", "pwd", "image_name", "attestation", "mrenclaves",
       "platforms", "fspf_path", "fspf_key", "fspf_tag"},
      [&](const std::string& k, const YamlNode&, const YamlNode& v) -> Status {
        if (k == "name") {
          has_name = true;
          return r.String(v, "service name", &svc->name);
        }
        if (k == "command") {
          SCONE_RETURN_IF_ERROR(r.Visit(v));
          std::vector<LString> argv;
          if (v.IsScalar()) {
            LString line;
            SCONE_RETURN_IF_ERROR(r.String(v, "command", &line));
            SCONE_RETURN_IF_ERROR(NoNul(r, line, "command"));
            svc->command_was_string = true;
            size_t i = 0;
            const std::string& c = line.value;
            while (i < c.size()) {
              while (i < c.size() && (c[i] == ' ' || c[i] == '\t' || c[i] == '\n' || c[i] == '\r'))
                ++i;
              size_t start = i;
              while (i < c.size() && c[i] != ' ' && c[i] != '\t' && c[i] != '\n' && c[i] != '\r')
                ++i;
              if (i > start) argv.push_back({c.substr(start, i - start), line.position});
            }
          } else if (v.IsSequence()) {
            SCONE_RETURN_IF_ERROR(r.StringList(v, "command", &argv));
            for (const LString& a : argv) {
              SCONE_RETURN_IF_ERROR(NoNul(r, a, "command"));
            }
          } else {
            return r.Fail(ErrorKind::kWrongType, v,
                          "command must be a string or a list of strings");
          }
          svc->command = std::move(argv);
          return Status::Ok();
        }
        if (k == "environment") {
          SCONE_RETURN_IF_ERROR(r.Visit(v));
          if (v.IsNull()) return Status::Ok();
          if (!v.IsMap()) {
            return r.Fail(ErrorKind::kWrongType, v, "environment must be a mapping NAME: value");
          }
          std::set<std::string, std::less<>> names;
          for (const YamlEntry& kv : v.entries()) {
            const YamlNode& env_key = *kv.key;
            const YamlNode& env_value = *kv.value;
            SCONE_RETURN_IF_ERROR(r.Visit(env_key));
            if (!env_key.IsScalar() || env_key.Scalar().empty()) {
              return r.Fail(ErrorKind::kWrongType, env_key,
                            "environment variable names must be non-empty strings");
            }
            const std::string& name = env_key.Scalar();
            if (name.find('=') != std::string::npos || name.find('\0') != std::string::npos ||
                !IsValidUtf8(name)) {
              return r.Fail(ErrorKind::kInvalidValue, env_key,
                            "environment variable names cannot contain '=' or NUL");
            }
            if (!names.insert(name).second) {
              return r.Fail(ErrorKind::kDuplicateKey, env_key,
                            "environment variable " + Quoted(name) + " given twice");
            }
            LString value;
            SCONE_RETURN_IF_ERROR(r.Visit(env_value));
            if (env_value.IsNull()) {
              value.position = env_value.position();
            } else {
              SCONE_RETURN_IF_ERROR(r.String(env_value, "environment value of " + name, &value));
              SCONE_RETURN_IF_ERROR(NoNul(r, value, "an environment value"));
            }
            svc->environment.emplace_back(LString{name, env_key.position()}, std::move(value));
          }
          return Status::Ok();
        }
        if (k == "pwd") {
          SCONE_RETURN_IF_ERROR(r.OptString(v, "pwd", &svc->pwd));
          return NoNul(r, *svc->pwd, "pwd");
        }
        if (k == "image_name") return r.OptString(v, "image_name", &svc->image_name);
        if (k == "attestation") {
          return r.OneOrList(v, &svc->attestation, [&](const YamlNode& i, AttestationVariant* a) {
            return ParseVariant(r, i, a);
          });
        }
        if (k == "mrenclaves") {
          svc->uses_deprecated_mrenclaves = true;
          AttestationVariant var;
          var.position = v.position();
          SCONE_RETURN_IF_ERROR(r.HexList(v, "mrenclaves entry", 64, &var.mrenclaves));
          if (!var.mrenclaves.empty()) from_mrenclaves.push_back(std::move(var));
          return Status::Ok();
        }
        if (k == "platforms") return r.HexList(v, "platform id", 64, &svc->platforms);
        if (k == "fspf_path") return r.OptString(v, "fspf_path", &svc->fspf_path);
        if (k == "fspf_key") return r.OptHex(v, "fspf_key", 64, &svc->fspf_key);
        return r.OptHex(v, "fspf_tag", 32, &svc->fspf_tag);
      }));
  if (!has_name) return r.Fail(ErrorKind::kMissingKey, n, "a service needs a `name`");
  for (auto& var : from_mrenclaves) svc->attestation.push_back(std::move(var));
  return Status::Ok();
}

}  // namespace scone::sdl
