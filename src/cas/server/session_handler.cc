#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "cas/server/access_policy.h"
#include "cas/server/handlers.h"
#include "cas/server/secret_values.h"
#include "crypto/pem.h"
#include "sdl/session.h"

namespace scone::cas {
namespace {

static_assert(api::kMaxSessionSize == sdl::ParseLimits{}.max_input_bytes,
              "the API's session size limit is the session language parser's");

Status CheckName(std::string_view name) {
  if (!sdl::IsValidSessionName(name)) {
    return InvalidArgument(
        "the path does not name a valid session: parts of 1 to 128 characters A-Z a-z 0-9 "
        "_ - . ~ joined by '/' (sent as %2F)");
  }
  return Status::Ok();
}

Status CheckHash(std::string_view hash) {
  bool ok = hash.size() == api::kSessionHashSize &&
            std::all_of(hash.begin(), hash.end(),
                        [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!ok) return InvalidArgument("?hash= must be a session hash: 64 lower-case hex digits");
  return Status::Ok();
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The namespace a session name lives in ("a/b/c" -> "a/b"), or empty at the top level.
std::string_view ParentOf(std::string_view name) {
  size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : name.substr(0, slash);
}

// The SecretLookup for the policy of `version` (access_policy.h): a `$$SCONE::name$$` entry
// names a secret of that version, its own value or an import resolved now. Read from the
// store on the first entry that asks, at most once per request; anything that does not
// resolve (a version that is no longer active, an import that stopped) matches nobody.
SecretLookup SecretsOf(const SessionStore& sessions, std::string name, std::string hash) {
  struct Loaded {
    bool done = false;
    std::optional<ActiveSecrets> active;
  };
  auto loaded = std::make_shared<Loaded>();
  return [&sessions, name = std::move(name), hash = std::move(hash),
          loaded](std::string_view secret) -> std::optional<PolicySecret> {
    if (!loaded->done) {
      loaded->done = true;
      auto a = ActiveSecretValues(sessions, name);
      if (a.ok() && a->has_value() && (*a)->session.version.hash == hash) {
        loaded->active = std::move(**a);
      }
    }
    if (!loaded->active.has_value()) return std::nullopt;
    auto it = loaded->active->values.find(secret);
    if (it == loaded->active->values.end()) return std::nullopt;
    const secrets::SecretValue& v = it->second;
    PolicySecret p;
    p.kind = v.kind;
    if (v.kind == sdl::SecretKind::kAscii) {
      p.value = SecretBytes::CopyFrom(v.material.Reveal());
    } else if (v.kind == sdl::SecretKind::kX509 && !v.chain.empty()) {
      auto pem = crypto::EncodePem("CERTIFICATE", v.chain.front());
      if (!pem.ok()) return std::nullopt;
      p.value = SecretBytes::CopyFrom(AsBytes(*pem));
    } else {
      return std::nullopt;
    }
    return p;
  };
}

SecretLookup SecretsOf(const SessionStore& sessions, const StoredSession& version) {
  return SecretsOf(sessions, version.name, version.version.hash);
}

// The active version of a session as an upload needs it: no YAML, no values.
struct ActiveVersion {
  std::string hash;
  std::string creator;
  std::shared_ptr<const sdl::Session> model;
};

// Reads the active pointer of `name`, and the version it names only when `models` does not
// have that version already (an update of a session usually finds the version it replaces
// there, put by the upload before).
Result<std::optional<ActiveVersion>> ActiveVersionOf(const SessionStore& sessions,
                                                     const SessionModels& models,
                                                     const std::string& name) {
  SCONE_ASSIGN_OR_RETURN(std::optional<std::string> hash, sessions.ActiveHash(name));
  if (!hash.has_value()) return std::optional<ActiveVersion>();
  if (auto known = models.Find(name, *hash)) {
    return std::optional<ActiveVersion>(
        ActiveVersion{std::move(*hash), std::move(known->creator), std::move(known->model)});
  }
  // A version is never removed nor rewritten: if the pointer moved on meanwhile, this is
  // still the version it named, and the commit finds that it moved.
  SCONE_ASSIGN_OR_RETURN(auto stored, sessions.Load(name, *hash));
  if (!stored.has_value()) {
    return DataLoss("the active version " + *hash + " of session " + name +
                    " is missing from the store");
  }
  SCONE_ASSIGN_OR_RETURN(auto model, models.Of(*stored));
  return std::optional<ActiveVersion>(
      ActiveVersion{std::move(*hash), std::move(stored->version.creator), std::move(model)});
}

}  // namespace

Result<SessionClient> SessionHandler::Client(const net::PeerInfo& peer) const {
  SessionClient c;
  SCONE_ASSIGN_OR_RETURN(c.key_hash, ClientKeyHash(peer));
  if (!env_.state->Snapshot().flags.provisioned) {
    return FailedPrecondition(
        "the CAS is not provisioned yet: it serves no sessions until its "
        "owner provisions it");
  }
  return c;
}

Result<StoredSession> SessionHandler::ReadableActive(std::string_view name,
                                                     const SessionClient& client,
                                                     Permission permission) const {
  SCONE_RETURN_IF_ERROR(CheckName(name));
  SCONE_ASSIGN_OR_RETURN(auto active, env_.state->sessions().LoadActive(name));
  if (!active.has_value()) return NotFound("there is no session " + std::string(name));
  SCONE_ASSIGN_OR_RETURN(auto model, env_.models->Of(*active));
  SCONE_RETURN_IF_ERROR(RequirePermission(model->access_policy, permission, active->version.creator,
                                          client.key_hash, name,
                                          SecretsOf(env_.state->sessions(), *active)));
  return std::move(*active);
}

Result<SessionHandler::Uploaded> SessionHandler::Upload(std::string_view yaml, UploadKind kind,
                                                        std::string_view path_name,
                                                        const net::PeerInfo& peer) const {
  SCONE_ASSIGN_OR_RETURN(SessionClient client, Client(peer));
  if (kind == UploadKind::kUpdate) SCONE_RETURN_IF_ERROR(CheckName(path_name));
  if (yaml.size() > api::kMaxSessionSize) {
    return InvalidArgument("the session is larger than " + std::to_string(api::kMaxSessionSize) +
                           " bytes");
  }
  // No variables: the client substitutes them before it uploads (a `$NAME` left in the file
  // is an error that names it).
  sdl::Diagnostic diagnostic;
  auto checked = sdl::LoadSession(yaml, "session", sdl::Variables{}, std::nullopt, &diagnostic);
  if (!checked.ok()) {
    if (diagnostic.kind == sdl::ErrorKind::kSignedSession) return SignedSessionNotSupported();
    return checked.status().WithContext("the session is invalid");
  }
  const sdl::Session& session = checked->session;
  // Until governance lands (docs/cas.md "Access policy").
  SCONE_RETURN_IF_ERROR(RequireSupportedPolicy(session.access_policy));
  const std::string& name = session.name.value;
  if (kind == UploadKind::kUpdate && name != path_name) {
    return InvalidArgument("the session file is named " + name + " but the path names " +
                           std::string(path_name));
  }
  std::optional<std::string> predecessor;
  if (session.predecessor.has_value()) predecessor = Lower(session.predecessor->value);

  const SessionStore& sessions = env_.state->sessions();
  // The version an upload names as its predecessor, when cached, gives the policy and the
  // creator without reading the active pointer: the commit checks in its transaction that
  // it is still the active version, and refuses (409, naming the active hash) if not. The
  // permission is thus always that of the version the commit replaces.
  std::optional<ActiveVersion> active;
  if (predecessor.has_value()) {
    if (auto known = env_.models->Find(name, *predecessor)) {
      active = ActiveVersion{*predecessor, std::move(known->creator), std::move(known->model)};
    }
  }
  if (!active.has_value()) {
    SCONE_ASSIGN_OR_RETURN(active, ActiveVersionOf(sessions, *env_.models, name));
  }
  CommitExpectation expect;
  if (kind == UploadKind::kUpdate && !active.has_value()) {
    return NotFound("there is no session " + name + "; create it first");
  }
  if (active.has_value()) {
    const std::string& current = active->hash;
    if (!predecessor.has_value()) {
      if (kind == UploadKind::kUpdate) {
        return Conflict("session " + name + " needs its predecessor to be updated: its " +
                        "active hash is " + current + " (set `predecessor: " + current + "`)");
      }
      return Conflict("session " + name + " already exists (active hash " + current +
                      "); use update to replace it");
    }
    if (*predecessor != current) {
      return Conflict("the predecessor " + *predecessor + " is not the active version of " +
                      "session " + name + ": its active hash is " + current);
    }
    SCONE_RETURN_IF_ERROR(RequirePermission(active->model->access_policy, Permission::kUpdate,
                                            active->creator, client.key_hash, name,
                                            SecretsOf(sessions, name, current)));
    expect.active = current;
  } else {
    if (predecessor.has_value()) {
      return NotFound("there is no session " + name + " to update; to create it, remove " +
                      "`predecessor` from the file");
    }
    std::string parent(ParentOf(name));
    if (!parent.empty()) {
      SCONE_ASSIGN_OR_RETURN(auto owner, ActiveVersionOf(sessions, *env_.models, parent));
      if (!owner.has_value()) {
        return NotFound("the namespace session " + parent + " does not exist; create it first");
      }
      SCONE_RETURN_IF_ERROR(RequirePermission(
          owner->model->access_policy, Permission::kCreateSessions, owner->creator, client.key_hash,
          parent, SecretsOf(sessions, parent, owner->hash)));
      expect.parent.emplace(parent, owner->hash);
    }
  }

  StoredSession stored;
  stored.name = name;
  stored.yaml = std::string(yaml);
  std::string_view der(reinterpret_cast<const char*>(peer.client_certificate_der.data()),
                       peer.client_certificate_der.size());
  SCONE_ASSIGN_OR_RETURN(stored.version.hash, sdl::SessionHash(session, der));
  // The exact bytes the client presented (SessionHash parsed them: one certificate).
  SCONE_ASSIGN_OR_RETURN(stored.certificate_pem,
                         crypto::EncodePem("CERTIFICATE", peer.client_certificate_der));
  stored.version.creator = client.key_hash;
  stored.version.predecessor = predecessor;
  stored.version.created = env_.clock();
  SCONE_ASSIGN_OR_RETURN(stored.sharing, SharingOf(session));
  auto values =
      ValuesForUpload(sessions, session, stored.version.hash, stored.sharing, expect.active,
                      active.has_value() ? active->model.get() : nullptr, stored.version.created);
  if (!values.ok()) return values.status().WithContext("the session's secrets");
  SCONE_RETURN_IF_ERROR(env_.state->sessions().Commit(stored, *values, expect));
  spdlog::info("session {} {}: {} (by {})", name, active.has_value() ? "updated" : "created",
               stored.version.hash, client.key_hash);
  Uploaded uploaded{api::SessionUploadResponse{name, stored.version.hash}, !active.has_value()};
  // The next update or configuration of this version finds it parsed.
  env_.models->Remember(stored, std::make_shared<const sdl::Session>(std::move(checked->session)));
  return uploaded;
}

Result<api::SessionReadResponse> SessionHandler::Read(const api::Target& target,
                                                      const net::PeerInfo& peer) const {
  SCONE_ASSIGN_OR_RETURN(SessionClient client, Client(peer));
  SCONE_ASSIGN_OR_RETURN(StoredSession active,
                         ReadableActive(target.name, client, Permission::kRead));
  if (target.query.has_value() && *target.query != active.version.hash) {
    SCONE_RETURN_IF_ERROR(CheckHash(*target.query));
    SCONE_ASSIGN_OR_RETURN(auto version, env_.state->sessions().Load(target.name, *target.query));
    if (!version.has_value()) {
      return NotFound("session " + target.name + " has no version " + *target.query);
    }
    active = std::move(*version);
  }
  return api::SessionReadResponse{active.name, std::move(active.yaml), active.version};
}

Result<api::SessionHistoryResponse> SessionHandler::History(const api::Target& target,
                                                            const net::PeerInfo& peer) const {
  SCONE_ASSIGN_OR_RETURN(SessionClient client, Client(peer));
  SCONE_RETURN_IF_ERROR(ReadableActive(target.name, client, Permission::kRead).status());
  api::SessionHistoryResponse r;
  r.name = target.name;
  SCONE_ASSIGN_OR_RETURN(r.versions, env_.state->sessions().History(target.name));
  return r;
}

Result<api::SessionListResponse> SessionHandler::List(const api::Target& target,
                                                      const net::PeerInfo& peer) const {
  SCONE_ASSIGN_OR_RETURN(SessionClient client, Client(peer));
  SCONE_ASSIGN_OR_RETURN(std::vector<std::string> names, env_.state->sessions().Names());
  api::SessionListResponse r;
  if (target.query.has_value()) {
    // The namespace's list_sessions permission shows every session directly in it.
    const std::string& ns = *target.query;
    SCONE_RETURN_IF_ERROR(ReadableActive(ns, client, Permission::kListSessions).status());
    for (std::string& n : names) {
      if (n.size() > ns.size() && n.starts_with(ns) && n[ns.size()] == '/' && ParentOf(n) == ns) {
        r.sessions.push_back(std::move(n));
      }
    }
    return r;
  }
  // At the top level there is no namespace to ask: each session the caller may read.
  for (std::string& n : names) {
    if (!ParentOf(n).empty()) continue;
    auto readable = ReadableActive(n, client, Permission::kRead);
    if (readable.ok()) {
      r.sessions.push_back(std::move(n));
    } else if (readable.status().code() != Code::kPermissionDenied) {
      return readable.status();
    }
  }
  return r;
}

}  // namespace scone::cas
