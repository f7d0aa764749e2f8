// A session's access_policy (docs/cas.md "Sessions: access policy"), evaluated for one
// client. Clients are identified by the key hash of their TLS client certificate; the
// parser has already turned a PEM certificate entry into its key hash.
//
// Defaults (docs/session-language.md): read and update [CREATOR]; create_sessions the
// (effective) update list; list_sessions the (effective) read list, and whoever may
// create sessions in a namespace may also list it. CREATOR is the key of the client that
// uploaded the version whose policy is applied (the active one).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "sdl/model.h"

namespace scone::cas {

enum class Permission { kRead, kUpdate, kCreateSessions, kListSessions };

// "read", "update", "create_sessions", "list_sessions".
std::string_view PermissionName(Permission permission);

// The entries that decide `permission`, defaults applied.
std::vector<sdl::PolicyEntry> EffectivePolicy(const sdl::AccessPolicy& policy,
                                              Permission permission);

// Whether `client` (a key hash) has `permission` under `policy`, `creator` being the key hash
// of the uploader of the version that holds `policy`.
bool Permits(const sdl::AccessPolicy& policy, Permission permission, std::string_view creator,
             std::string_view client);

// OK, or kPermissionDenied naming the session and the missing permission (and nothing the
// session contains).
Status RequirePermission(const sdl::AccessPolicy& policy, Permission permission,
                         std::string_view creator, std::string_view client,
                         std::string_view session_name);

// The access policies of stored versions, parsed once. A version never changes, so an
// entry (keyed by NAME@HASH) never goes stale; the cache only saves parsing the stored YAML
// again on every read and update. Bounded: emptied when it reaches kMaxEntries.
// Thread-safe.
class PolicyCache {
 public:
  static constexpr size_t kMaxEntries = 4096;

  std::shared_ptr<const sdl::AccessPolicy> Find(const std::string& key) const;
  void Insert(const std::string& key, std::shared_ptr<const sdl::AccessPolicy> policy);

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const sdl::AccessPolicy>> entries_;
};

}  // namespace scone::cas
