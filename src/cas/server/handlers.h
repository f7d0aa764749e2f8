// One handler per resource of the CAS API (docs/cas.md "API"): attestation, provisioning,
// configuration, sessions. A handler gets a request already parsed into its api:: type and the
// peer, reads or commits CAS's state (cas_state.h) and returns its api:: response or a Status; the
// service (cas_service.h) routes, parses, answers and maps errors. Secrets, the enclave API and
// backups are added the same way: a type in api.h, a handler here, an entry in the service's route
// table.
//
// Thread safety: every handler may be called from many threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cas/api.h"
#include "cas/server/access_policy.h"
#include "cas/server/cas_metrics.h"
#include "cas/server/cas_platform.h"
#include "cas/server/cas_state.h"
#include "cas/server/session_models.h"
#include "cas/server/session_store.h"
#include "common/status.h"
#include "net/http.h"

namespace scone::cas {

// What every handler works with; owned by the service.
struct HandlerEnv {
  CasState* state;
  CasPlatform* platform;
  std::function<int64_t()> clock;
  const CasMetrics* metrics = nullptr;  // where to count quote verifications; may be null
  // Parsed session versions, one cache shared by every handler made from this env.
  std::shared_ptr<const SessionModels> models = std::make_shared<const SessionModels>();
};

// The key hash of the client certificate of `peer`; kPermissionDenied without one.
Result<std::string> ClientKeyHash(const net::PeerInfo& peer);
// OK if `peer` is the owner; kFailedPrecondition while unprovisioned, kPermissionDenied
// for anybody else ("only the CAS owner may <action>; ...").
Status RequireOwner(const CasState& state, const net::PeerInfo& peer, const std::string& action);

// POST /v1/attestation: a quote over the nonce, both keys and the flags, with collateral.
class AttestationHandler {
 public:
  explicit AttestationHandler(HandlerEnv env) : env_(std::move(env)) {}
  Result<api::AttestationResponse> Attest(const api::AttestationRequest& request) const;

 private:
  HandlerEnv env_;
};

// POST /v1/provision: the token (once), the owner's certificate, the owner configuration
// and optionally the database key (re-keys the CAS).
class ProvisioningHandler {
 public:
  explicit ProvisioningHandler(HandlerEnv env) : env_(std::move(env)) {}
  Result<api::ProvisionResponse> Provision(const api::ProvisionRequest& request,
                                           const net::PeerInfo& peer) const;

 private:
  HandlerEnv env_;
};

// GET and PUT /v1/config: the owner reads and replaces the owner configuration.
class ConfigHandler {
 public:
  explicit ConfigHandler(HandlerEnv env) : env_(std::move(env)) {}
  Result<api::ConfigResponse> Get(const net::PeerInfo& peer) const;
  Result<api::ConfigUpdateResponse> Put(const api::ConfigUpdateRequest& request,
                                        const net::PeerInfo& peer) const;

 private:
  HandlerEnv env_;
};

// Who calls a session endpoint.
struct SessionClient {
  std::string key_hash;  // of the TLS client certificate
};

// The sessions (docs/cas.md "Sessions"): upload (create or update), read, history, list,
// with the sessions' access policies (access_policy.h). Every call needs a client
// certificate and a provisioned CAS (kFailedPrecondition before).
class SessionHandler {
 public:
  explicit SessionHandler(HandlerEnv env) : env_(std::move(env)) {}

  // kCreate: POST /v1/sessions and POST /session: creates a new name, or updates when the
  // file's predecessor is the active hash. kUpdate: PUT /v1/sessions/{name}: the file must
  // name `path_name` and have the active hash as predecessor.
  enum class UploadKind { kCreate, kUpdate };
  struct Uploaded {
    api::SessionUploadResponse response;
    bool created = false;  // 201 rather than 200
  };
  // Errors: kInvalidArgument (the file, with FILE:LINE:COLUMN), kAlreadyExists (name taken,
  // predecessor missing or not the active hash: the message names the active hash),
  // kNotFound (no such session or namespace), kPermissionDenied (naming the permission).
  Result<Uploaded> Upload(std::string_view yaml, UploadKind kind, std::string_view path_name,
                          const net::PeerInfo& peer) const;
  // The active version, or the one ?hash= names; needs `read`.
  Result<api::SessionReadResponse> Read(const api::Target& target, const net::PeerInfo& peer) const;
  // The chain of versions, oldest first; needs `read`.
  Result<api::SessionHistoryResponse> History(const api::Target& target,
                                              const net::PeerInfo& peer) const;
  // ?namespace=NS: the sessions directly in NS, with NS's `list_sessions`; without: the
  // top-level sessions the caller may read.
  Result<api::SessionListResponse> List(const api::Target& target, const net::PeerInfo& peer) const;

 private:
  Result<SessionClient> Client(const net::PeerInfo& peer) const;
  // The active version of `name` if `client` has `permission` on it.
  Result<StoredSession> ReadableActive(std::string_view name, const SessionClient& client,
                                       Permission permission) const;

  HandlerEnv env_;
};

// GET /v1/values/session=NAME[,secret=S] (docs/cas.md "Secrets"): the `export_public`
// secrets of NAME's active version, to anybody (no client certificate; a provisioned CAS).
// Never a value that is not public: a secret that does not exist, one that is not public
// and a session without public secrets all answer the same kNotFound.
class ValuesHandler {
 public:
  explicit ValuesHandler(HandlerEnv env) : env_(std::move(env)) {}
  // session=NAME: every public value.
  Result<api::PublicValuesResponse> All(const api::ValuesTarget& target) const;
  // session=NAME,secret=S: that one.
  Result<api::PublicValue> One(const api::ValuesTarget& target) const;

 private:
  Result<api::PublicValuesResponse> Public(const api::ValuesTarget& target) const;
  HandlerEnv env_;
};

// The owner configuration of a request, parsed (ParseOwnerConfig); errors name the line.
Result<nlohmann::json> ParseOwnerConfigDocument(const api::OwnerConfigDocument& document);

}  // namespace scone::cas
