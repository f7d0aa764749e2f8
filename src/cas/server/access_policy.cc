#include "cas/server/access_policy.h"

namespace scone::cas {
namespace {

std::vector<sdl::PolicyEntry> CreatorOnly() { return {sdl::PolicyEntry{}}; }

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
    case Permission::kListSessions:  // the session language has no list_sessions key yet
      return policy.read.value_or(CreatorOnly());
    case Permission::kUpdate:
      return policy.update.value_or(CreatorOnly());
    case Permission::kCreateSessions:
      if (policy.create_sessions.has_value()) return *policy.create_sessions;
      return EffectivePolicy(policy, Permission::kUpdate);
  }
  return {};
}

bool Permits(const sdl::AccessPolicy& policy, Permission permission, std::string_view creator,
             std::string_view client) {
  if (client.empty()) return false;
  // Who may create sessions in a namespace may always list it (as in SCONE).
  if (permission == Permission::kListSessions &&
      Permits(policy, Permission::kCreateSessions, creator, client)) {
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
    }
  }
  return false;
}

Status RequirePermission(const sdl::AccessPolicy& policy, Permission permission,
                         std::string_view creator, std::string_view client,
                         std::string_view session_name) {
  if (Permits(policy, permission, creator, client)) return Status::Ok();
  return PermissionDenied("the client certificate's key " + std::string(client) +
                          " lacks the permission \"" + std::string(PermissionName(permission)) +
                          "\" on session " + std::string(session_name) +
                          " (its access_policy does not name this key; connect with an identity "
                          "it names)");
}

std::shared_ptr<const sdl::AccessPolicy> PolicyCache::Find(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

void PolicyCache::Insert(const std::string& key, std::shared_ptr<const sdl::AccessPolicy> policy) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = std::move(policy);
}

}  // namespace scone::cas
