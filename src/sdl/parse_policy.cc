#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "crypto/key_hash.h"
#include "crypto/x509.h"
#include "sdl/sections.h"

namespace scone::sdl {

namespace {

Status ParsePolicyList(Reader& r, const YAML::Node& n, std::string_view what,
                       std::optional<std::vector<PolicyEntry>>* out) {
  std::vector<LString> items;
  SCONE_RETURN_IF_ERROR(r.StringList(n, what, &items));
  std::vector<PolicyEntry> entries;
  for (LString& item : items) {
    PolicyEntry e;
    e.position = item.position;
    const std::string& s = item.value;
    if (s == "CREATOR") {
      e.kind = PolicyEntry::Kind::kCreator;
    } else if (s == "ANY") {
      e.kind = PolicyEntry::Kind::kAny;
    } else if (s == "NONE") {
      e.kind = PolicyEntry::Kind::kNone;
    } else if (s.find("-----BEGIN") != std::string::npos) {
      auto certs = crypto::ParseCertificatesPem(s);
      if (!certs.ok() || certs->size() != 1) {
        return r.Fail(
            ErrorKind::kBadCertificate, item.position,
            std::string(what) + " entry is not one PEM certificate" +
                (certs.ok() ? std::string(" (it holds ") + std::to_string(certs->size()) + ")"
                            : ": " + certs.status().message()));
      }
      auto hash = crypto::KeyHashOfCertificate((*certs)[0].get());
      if (!hash.ok()) {
        return r.Fail(ErrorKind::kBadCertificate, item.position,
                      std::string(what) + " certificate: " + hash.status().message());
      }
      e.kind = PolicyEntry::Kind::kKeyHash;
      e.key_hash = std::move(hash).value();
      e.from_certificate = true;
    } else if (auto d = crypto::DecodeKeyHash(s); d.ok()) {
      e.kind = PolicyEntry::Kind::kKeyHash;
      e.key_hash = s;
    } else {
      return r.Fail(ErrorKind::kBadKeyHash, item.position,
                    std::string(what) +
                        " entries must be CREATOR, ANY, NONE, a PEM certificate or a key hash; "
                        "this is none of them (as a key hash: " +
                        d.status().message() + ")");
    }
    entries.push_back(std::move(e));
  }
  *out = std::move(entries);
  return Status::Ok();
}

}  // namespace

Status ParseAccessPolicy(Reader& r, const YAML::Node& n, AccessPolicy* ap) {
  ap->position = PositionOf(n.Mark());
  return r.ForEachKey(n, "access_policy", {"read", "update", "create_sessions"},
                      [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
                        if (k == "read") {
                          return ParsePolicyList(r, v, "access_policy.read", &ap->read);
                        }
                        if (k == "update") {
                          return ParsePolicyList(r, v, "access_policy.update", &ap->update);
                        }
                        return ParsePolicyList(r, v, "access_policy.create_sessions",
                                               &ap->create_sessions);
                      });
}

Status ParseSecurityAttestation(Reader& r, const YAML::Node& n, SecurityAttestation* sa) {
  sa->position = PositionOf(n.Mark());
  return r.ForEachKey(
      n, "security.attestation", {"mode", "tolerate", "ignore_advisories"},
      [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
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
        sa->ignore_advisories_position = PositionOf(v.Mark());
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
