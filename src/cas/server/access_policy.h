// A session's access_policy (docs/cas.md "Sessions: access policy"), evaluated for one
// client. Clients are identified by the key hash of their TLS client certificate; the
// parser has already turned a PEM certificate entry into its key hash.
//
// Defaults (docs/session-language.md): read and update [CREATOR]; create_sessions the
// (effective) update list; list_sessions the (effective) read list, and whoever may
// create sessions in a namespace may also list it. CREATOR is the key of the client that
// uploaded the version whose policy is applied (the active one).
//
// Entries that a TLS client alone cannot satisfy match nobody (fail closed): `signer:` and
// governance groups (require-all, require-at-least-N: CAS refuses to store them until
// governance lands, RequireSupportedPolicy), and `$$SCONE::name$$` when no SecretLookup is
// given or it has no value for the secret.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bounded_cache.h"
#include "common/secret.h"
#include "common/status.h"
#include "sdl/model.h"

namespace scone::cas {

enum class Permission { kRead, kUpdate, kCreateSessions, kListSessions };

// "read", "update", "create_sessions", "list_sessions".
std::string_view PermissionName(Permission permission);

// The value of a secret of the session whose policy is evaluated, as CAS holds it.
struct PolicySecret {
  sdl::SecretKind kind = sdl::SecretKind::kAscii;
  // kAscii: the text, a key hash. kX509: the PEM certificate (a chain: the first
  // certificate is the one whose public key is matched). Other kinds match nobody.
  SecretBytes value;
};

// THE SEAM between policy evaluation and the secret values of a session: called with the
// name of a `$$SCONE::name$$` policy entry, returns that secret's value in the session whose
// access_policy is being evaluated (the active version of the session itself; for
// create_sessions and list_sessions the namespace's session), or nullopt when the session
// has no such secret or no value for it yet (e.g. an import not yet resolved). It is called
// on the request's thread, only for entries that name a secret. An empty SecretLookup (the default)
// knows no secret: such entries match nobody.
using SecretLookup = std::function<std::optional<PolicySecret>(std::string_view secret_name)>;

// The entries that decide `permission`, defaults applied.
std::vector<sdl::PolicyEntry> EffectivePolicy(const sdl::AccessPolicy& policy,
                                              Permission permission);

// Whether `client` (a key hash) has `permission` under `policy`, `creator` being the key hash
// of the uploader of the version that holds `policy`; `secrets` resolves `$$SCONE::name$$`
// entries (see SecretLookup).
bool Permits(const sdl::AccessPolicy& policy, Permission permission, std::string_view creator,
             std::string_view client, const SecretLookup& secrets = {});

// OK, or kPermissionDenied naming the session and the missing permission (and nothing the
// session contains).
Status RequirePermission(const sdl::AccessPolicy& policy, Permission permission,
                         std::string_view creator, std::string_view client,
                         std::string_view session_name, const SecretLookup& secrets = {});

// The message of every refusal of signed sessions and governance.
inline constexpr std::string_view kGovernanceNotSupported =
    "signed sessions and governance (signer, require-all, require-at-least-N) are not supported "
    "by this CAS yet";

// OK, or kAlreadyExists (409) with kGovernanceNotSupported and the operation that uses them,
// if any list of `policy` holds a signer entry or a governance group. CAS stores no such
// session until governance lands.
Status RequireSupportedPolicy(const sdl::AccessPolicy& policy);

// The same refusal for an upload that is a signed session (sdl::ErrorKind::kSignedSession).
Status SignedSessionNotSupported();

}  // namespace scone::cas
