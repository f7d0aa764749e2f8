#include "cas/server/cas_service.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "cas/server/cas_config.h"
#include "common/hex.h"

#ifndef SCONE_VERSION
#define SCONE_VERSION "0.0.0"
#endif

namespace scone::cas {
namespace {

template <typename T>
net::HttpResponse Reply(const T& value) {
  net::HttpResponse r;
  if constexpr (requires { value.ToBody(); }) {
    r.body = value.ToBody();  // a faster way to ToJson's text
  } else {
    r.body = api::Serialize(value.ToJson());
  }
  return r;
}

// A request body parsed into its api:: type.
template <typename T>
Result<T> Parse(const net::HttpRequest& request) {
  return api::ParseBody<T>(request.body, "the request");
}

constexpr char kEnclavePortRoutes[] =
    "the enclave port serves /v1/version, /v1/attestation and /v1/enclave/configuration only";

constexpr char kSessionsNeedCertificate[] =
    "sessions need a client certificate: its key identifies you to the sessions' access "
    "policies";

constexpr char kBackupsNeedOwner[] = "backups are managed by the owner's client certificate";

// An uploaded session: 201 when it created the name, 200 when it updated it.
Result<net::HttpResponse> Uploaded(Result<SessionHandler::Uploaded> uploaded) {
  if (!uploaded.ok()) return uploaded.status();
  net::HttpResponse r = Reply(uploaded->response);
  r.status = uploaded->created ? 201 : 200;
  return r;
}

}  // namespace

// The server's half of the route table: for each api::Endpoint its handler and, if it needs
// a client certificate, the 401 answer without one.
struct CasService::ServerRoute {
  api::Endpoint endpoint;
  const char* without_certificate;
  Result<net::HttpResponse> (*handle)(Handlers& h, const net::HttpRequest& request,
                                      const api::Target& target, const net::PeerInfo& peer);
};

Result<net::HttpResponse> CasService::Dispatch(const net::HttpRequest& request,
                                               const net::PeerInfo& peer, bool enclave_port,
                                               const api::Route** matched) {
  static constexpr ServerRoute kServerRoutes[] = {
      {api::Endpoint::kVersion, nullptr,
       [](Handlers&, const net::HttpRequest&, const api::Target&,
          const net::PeerInfo&) -> Result<net::HttpResponse> {
         api::VersionResponse v;
         v.version = SCONE_VERSION;
         return Reply(v);
       }},
      {api::Endpoint::kAttestation, nullptr,
       [](Handlers& h, const net::HttpRequest& r, const api::Target&,
          const net::PeerInfo&) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto parsed, Parse<api::AttestationRequest>(r));
         SCONE_ASSIGN_OR_RETURN(auto answer, h.attestation.Attest(parsed));
         return Reply(answer);
       }},
      {api::Endpoint::kProvision,
       "provisioning needs a client certificate: its key becomes the CAS owner",
       [](Handlers& h, const net::HttpRequest& r, const api::Target&,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto parsed, Parse<api::ProvisionRequest>(r));
         SCONE_ASSIGN_OR_RETURN(auto answer, h.provisioning.Provision(parsed, p));
         return Reply(answer);
       }},
      {api::Endpoint::kGetConfig, "reading the configuration needs the owner's client certificate",
       [](Handlers& h, const net::HttpRequest&, const api::Target&,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto answer, h.config.Get(p));
         return Reply(answer);
       }},
      {api::Endpoint::kPutConfig, "updating the configuration needs the owner's client certificate",
       [](Handlers& h, const net::HttpRequest& r, const api::Target&,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto parsed, Parse<api::ConfigUpdateRequest>(r));
         SCONE_ASSIGN_OR_RETURN(auto answer, h.config.Put(parsed, p));
         return Reply(answer);
       }},
      {api::Endpoint::kCreateSession, kSessionsNeedCertificate,
       [](Handlers& h, const net::HttpRequest& r, const api::Target&,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         return Uploaded(h.sessions.Upload(r.body, SessionHandler::UploadKind::kCreate, "", p));
       }},
      {api::Endpoint::kLegacySession, kSessionsNeedCertificate,
       [](Handlers& h, const net::HttpRequest& r, const api::Target&,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         return Uploaded(h.sessions.Upload(r.body, SessionHandler::UploadKind::kCreate, "", p));
       }},
      {api::Endpoint::kUpdateSession, kSessionsNeedCertificate,
       [](Handlers& h, const net::HttpRequest& r, const api::Target& t,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         return Uploaded(h.sessions.Upload(r.body, SessionHandler::UploadKind::kUpdate, t.name, p));
       }},
      {api::Endpoint::kReadSession, kSessionsNeedCertificate,
       [](Handlers& h, const net::HttpRequest&, const api::Target& t,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto answer, h.sessions.Read(t, p));
         return Reply(answer);
       }},
      {api::Endpoint::kSessionHistory, kSessionsNeedCertificate,
       [](Handlers& h, const net::HttpRequest&, const api::Target& t,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto answer, h.sessions.History(t, p));
         return Reply(answer);
       }},
      {api::Endpoint::kListSessions, kSessionsNeedCertificate,
       [](Handlers& h, const net::HttpRequest&, const api::Target& t,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto answer, h.sessions.List(t, p));
         return Reply(answer);
       }},
      {api::Endpoint::kPublicValues, nullptr,
       [](Handlers& h, const net::HttpRequest&, const api::Target& t,
          const net::PeerInfo&) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(api::ValuesTarget target, api::ParseValuesTarget(t.name));
         if (target.secret.has_value()) {
           SCONE_ASSIGN_OR_RETURN(auto answer, h.values.One(target));
           return Reply(answer);
         }
         SCONE_ASSIGN_OR_RETURN(auto answer, h.values.All(target));
         return Reply(answer);
       }},
      {api::Endpoint::kEnclaveConfiguration,
       "the enclave API needs the runtime's TLS client certificate: its key is bound in the "
       "quote",
       [](Handlers& h, const net::HttpRequest& r, const api::Target&,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto parsed, Parse<api::EnclaveConfigurationRequest>(r));
         SCONE_ASSIGN_OR_RETURN(auto answer, h.enclave.Configure(parsed, p));
         return answer.ToHttpResponse();
       }},
      {api::Endpoint::kBackupKey, nullptr,
       [](Handlers& h, const net::HttpRequest& r, const api::Target&,
          const net::PeerInfo&) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto parsed, Parse<api::BackupKeyRequest>(r));
         SCONE_ASSIGN_OR_RETURN(auto answer, h.backups.Offer(parsed));
         return Reply(answer);
       }},
      {api::Endpoint::kRegisterBackup, kBackupsNeedOwner,
       [](Handlers& h, const net::HttpRequest& r, const api::Target&,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto parsed, Parse<api::RegisterBackupRequest>(r));
         SCONE_ASSIGN_OR_RETURN(auto answer, h.backups.Register(parsed, p));
         return Reply(answer);
       }},
      {api::Endpoint::kListBackups, kBackupsNeedOwner,
       [](Handlers& h, const net::HttpRequest&, const api::Target&,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto answer, h.backups.List(p));
         return Reply(answer);
       }},
      {api::Endpoint::kRemoveBackup, kBackupsNeedOwner,
       [](Handlers& h, const net::HttpRequest&, const api::Target& t,
          const net::PeerInfo& p) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto answer, h.backups.Remove(t, p));
         return Reply(answer);
       }},
      {api::Endpoint::kDatabaseGeneration, nullptr,
       [](Handlers& h, const net::HttpRequest&, const api::Target&,
          const net::PeerInfo&) -> Result<net::HttpResponse> {
         SCONE_ASSIGN_OR_RETURN(auto answer, h.generation.Get());
         return Reply(answer);
       }},
  };

  std::string allowed;
  auto route = api::FindRoute(request.method, request.target, &allowed);
  if (!route.ok()) {
    if (route.status().code() == Code::kNotFound) {
      if (enclave_port) {
        return net::ErrorResponse(404, kEnclavePortRoutes);
      }
      return net::ErrorResponse(404, route.status().message());
    }
    return net::ErrorResponse(405, route.status().message());
  }
  *matched = *route;
  if (enclave_port && !(*route)->enclave_port) {
    return net::ErrorResponse(404, kEnclavePortRoutes);
  }
  if (!enclave_port && (*route)->enclave_only) {
    return net::ErrorResponse(404, std::string((*route)->path) +
                                       " is served on the enclave port (18765 by default) only");
  }
  for (const ServerRoute& r : kServerRoutes) {
    if (r.endpoint != (*route)->endpoint) continue;
    if (r.without_certificate != nullptr && peer.client_certificate_der.empty()) {
      return net::ErrorResponse(401, r.without_certificate);
    }
    SCONE_ASSIGN_OR_RETURN(api::Target target, api::ParseTarget(**route, request.target));
    return r.handle(*handlers_, request, target, peer);
  }
  return Internal("no handler for " + std::string((*route)->path));
}

CasService::~CasService() = default;

Result<std::unique_ptr<CasService>> CasService::Open(const CasServiceOptions& options,
                                                     std::unique_ptr<las::Las> las) {
  SCONE_RETURN_IF_ERROR(CheckDatabaseFiles(options.db_path));
  std::unique_ptr<CasService> s(new CasService());
  s->options_ = options;

  // 1. Who am I? The platform says so in a quote.
  SCONE_ASSIGN_OR_RETURN(s->platform_, CasPlatform::Open(std::move(las), options.clock));
  const platform::EnclaveIdentity& id = s->platform_->identity();
  spdlog::info("enclave identity: MRENCLAVE {} MRSIGNER {} ISVPRODID {} ISVSVN {}{}",
               HexEncode(id.mrenclave), HexEncode(id.mrsigner), id.isvprodid, id.isvsvn,
               id.debug() ? " DEBUG (secrets are visible to the platform owner)" : "");

  // 2. The software key's seed, and the database with its key sealed to this signer and
  //    product on this platform.
  SCONE_ASSIGN_OR_RETURN(SecretBytes software_seed,
                         s->platform_->SealKey(platform::SealPolicy::kMrEnclave, id.isvsvn));
  store::StoreOptions so;
  so.db_path = options.db_path;
  so.own_isvsvn = id.isvsvn;
  CasPlatform* platform = s->platform_.get();
  so.seal_key = [platform](uint16_t key_isvsvn) {
    return platform->SealKey(platform::SealPolicy::kMrSigner, key_isvsvn);
  };
  // A database moved from another machine opens through this CAS's backup entry.
  store::BackupIdentity own;
  own.mrsigner = id.mrsigner;
  own.isvprodid = id.isvprodid;
  own.isvsvn = id.isvsvn;
  own.debug = id.debug();
  so.identity = own;
  SCONE_ASSIGN_OR_RETURN(s->state_, CasState::Open(so, software_seed, id.debug(), options.clock()));
  if (options.metrics != nullptr) {
    s->metrics_ = std::make_unique<CasMetrics>(*options.metrics, options.db_path);
    CasState* state = s->state_.get();
    const CasMetrics* m = s->metrics_.get();
    options.metrics->OnCollect([state, m] {
      m->SetProvisioned(!state->broken() && state->Snapshot().flags.provisioned);
      m->SetStoreRows(state->StoreRows());
    });
  }
  HandlerEnv env{s->state_.get(), s->platform_.get(), options.clock, s->metrics_.get()};
  if (s->state_->adopted_from_backup()) {
    spdlog::warn(
        "database {} came from another machine: opened through this CAS's backup entry, its key "
        "is now sealed to this platform",
        options.db_path.string());
  }
  // 3. One writer: nothing is served before this copy is known not to be stale, and its new
  //    generation is on disk (docs/backup.md "One writer").
  ClaimOptions claim;
  claim.take_over = options.take_over_database;
  claim.fetch = options.generation_fetcher
                    ? options.generation_fetcher
                    : HttpsGenerationFetcher(std::chrono::milliseconds(3000));
  claim.now = options.clock();
  SCONE_RETURN_IF_ERROR(ClaimDatabase(*s->state_, claim));
  BackupKeyFetcher fetcher =
      options.backup_fetcher ? options.backup_fetcher : HttpsBackupKeyFetcher();
  s->handlers_.reset(new Handlers{AttestationHandler(env), ProvisioningHandler(env),
                                  ConfigHandler(env), SessionHandler(env), ValuesHandler(env),
                                  EnclaveHandler(env), BackupHandler(env, std::move(fetcher)),
                                  GenerationHandler(s->state_.get())});
  return s;
}

std::string CasService::cas_key_hash() const { return state_->Snapshot().keys->cas_key_hash; }

std::string CasService::software_key_hash() const {
  return state_->Snapshot().keys->software_key_hash;
}

std::string CasService::cas_certificate_pem() const {
  return state_->Snapshot().keys->cas_certificate_pem;
}

std::string CasService::software_certificate_pem() const {
  return state_->Snapshot().keys->software_certificate_pem;
}

bool CasService::provisioned() const { return state_->Snapshot().flags.provisioned; }

api::Lane CasService::LaneOf(const net::HttpRequest& request) {
  auto route = api::FindRoute(request.method, request.target);
  return route.ok() ? (*route)->lane : api::Lane::kServerThreads;
}

net::HttpResponse CasService::Handle(const net::HttpRequest& request, const net::PeerInfo& peer,
                                     bool enclave_port) {
  if (metrics_ == nullptr) return Answer(request, peer, enclave_port, nullptr);
  auto start = std::chrono::steady_clock::now();
  const api::Route* route = nullptr;
  net::HttpResponse answer = Answer(request, peer, enclave_port, &route);
  metrics_->Request(
      route, answer.status,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return answer;
}

net::HttpResponse CasService::Answer(const net::HttpRequest& request, const net::PeerInfo& peer,
                                     bool enclave_port, const api::Route** matched) {
  if (state_->broken()) {
    if (auto route = api::FindRoute(request.method, request.target);
        route.ok() && matched != nullptr) {
      *matched = *route;
    }
    return net::ErrorResponse(503, "CAS must be restarted by its operator (see its log)");
  }
  const api::Route* route = nullptr;
  auto r = Dispatch(request, peer, enclave_port, &route);
  if (matched != nullptr) *matched = route;
  if (r.ok()) return std::move(*r);
  const Status& s = r.status();
  if (s.code() == Code::kUnavailable) {
    spdlog::error("{} {}: {}", request.method, request.target, s.message());
    return net::ErrorResponse(503, "CAS cannot reach its attestation service; try again later");
  }
  if (s.code() == Code::kInternal || s.code() == Code::kDataLoss || s.code() == Code::kIoError) {
    spdlog::error("{} {}: {}", request.method, request.target, s.message());
    return net::ErrorResponse(500, "internal error in CAS; the operator finds details in its log");
  }
  return net::ErrorResponse(api::HttpStatusOf(s.code()), s.message());
}

}  // namespace scone::cas
