#include "cas/server/access_policy.h"

#include <utility>

#include "crypto/key_hash.h"
#include "crypto/x509.h"

namespace scone::cas {
namespace {

std::vector<sdl::PolicyEntry> CreatorOnly() { return {sdl::PolicyEntry{}}; }

// Whether the value of a `$$SCONE::name$$` entry names `client`: an ascii secret by being
// its key hash, an x509 secret by the key of its (first) certificate.
bool SecretNamesClient(const std::optional<PolicySecret>& secret, std::string_view client) {
  if (!secret.has_value()) return false;
  std::string_view value = AsChars(secret->value.Reveal());
  switch (secret->kind) {
    case sdl::SecretKind::kAscii:
      return ConstantTimeEquals(secret->value.Reveal(), AsBytes(client));
    case sdl::SecretKind::kX509: {
      auto certs = crypto::ParseCertificatesPem(value);
      if (!certs.ok() || certs->empty()) return false;
      auto key_hash = crypto::KeyHashOfCertificate(certs->front().get());
      return key_hash.ok() && *key_hash == client;
    }
    default:
      return false;
  }
}

}  // namespace

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return "read";
    case Permission::kUpdate:
      return "update";
    case Permission::kCreateSessions:
      return "create_sessions";
    case Permission::kListSessions:
      return "list_sessions";
  }
  return "read";
}

std::vector<sdl::PolicyEntry> EffectivePolicy(const sdl::AccessPolicy& policy,
                                              Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return policy.read.value_or(CreatorOnly());
    case Permission::kListSessions:
      if (policy.list_sessions.has_value()) return *policy.list_sessions;
      return EffectivePolicy(policy, Permission::kRead);
    case Permission::kUpdate:
      return policy.update.value_or(CreatorOnly());
    case Permission::kCreateSessions:
      if (policy.create_sessions.has_value()) return *policy.create_sessions;
      return EffectivePolicy(policy, Permission::kUpdate);
  }
  return {};
}

bool Permits(const sdl::AccessPolicy& policy, Permission permission, std::string_view creator,
             std::string_view client, const SecretLookup& secrets) {
  if (client.empty()) return false;
  // Who may create sessions in a namespace may always list it (as in SCONE).
  if (permission == Permission::kListSessions &&
      Permits(policy, Permission::kCreateSessions, creator, client, secrets)) {
    return true;
  }
  for (const sdl::PolicyEntry& e : EffectivePolicy(policy, permission)) {
    switch (e.kind) {
      case sdl::PolicyEntry::Kind::kAny:
        return true;
      case sdl::PolicyEntry::Kind::kNone:
        return false;
      case sdl::PolicyEntry::Kind::kCreator:
        if (client == creator) return true;
        break;
      case sdl::PolicyEntry::Kind::kKeyHash:
        if (client == e.key_hash) return true;
        break;
      case sdl::PolicyEntry::Kind::kSecret:
        if (secrets && SecretNamesClient(secrets(e.secret), client)) return true;
        break;
      case sdl::PolicyEntry::Kind::kSigner:
      case sdl::PolicyEntry::Kind::kRequireAll:
      case sdl::PolicyEntry::Kind::kRequireAtLeast:
        break;  // needs signatures, which a TLS client does not bring
    }
  }
  return false;
}

Status RequirePermission(const sdl::AccessPolicy& policy, Permission permission,
                         std::string_view creator, std::string_view client,
                         std::string_view session_name, const SecretLookup& secrets) {
  if (Permits(policy, permission, creator, client, secrets)) return Status::Ok();
  return PermissionDenied("the client certificate's key " + std::string(client) +
                          " lacks the permission \"" + std::string(PermissionName(permission)) +
                          "\" on session " + std::string(session_name) +
                          " (its access_policy does not name this key; connect with an identity "
                          "it names)");
}

Status RequireSupportedPolicy(const sdl::AccessPolicy& policy) {
  const std::pair<const char*, const std::optional<std::vector<sdl::PolicyEntry>>*> lists[] = {
      {"read", &policy.read},
      {"update", &policy.update},
      {"create_sessions", &policy.create_sessions},
      {"list_sessions", &policy.list_sessions}};
  for (const auto& [name, list] : lists) {
    if (!list->has_value()) continue;
    for (const sdl::PolicyEntry& e : **list) {
      if (e.kind == sdl::PolicyEntry::Kind::kSigner ||
          e.kind == sdl::PolicyEntry::Kind::kRequireAll ||
          e.kind == sdl::PolicyEntry::Kind::kRequireAtLeast) {
        return Status(Code::kAlreadyExists,
                      std::string(kGovernanceNotSupported) + ": access_policy." + name +
                          " uses them; nothing was stored (name clients by certificate, key "
                          "hash or secret instead)");
      }
    }
  }
  return Status::Ok();
}

Status SignedSessionNotSupported() {
  return Status(Code::kAlreadyExists,
                std::string(kGovernanceNotSupported) +
                    ": this upload is a signed session (`session` and `signatures`); nothing was "
                    "stored (upload the session file itself, unsigned)");
}

}  // namespace scone::cas
