// The CAS server's HTTP API (docs/cas.md): the route table that gives each api::Route its
// handler (handlers.h), strict parsing of every request into its api:: type, and one
// mapping of errors to answers. State is in CasState, the platform in CasPlatform; the
// transport (TLS listeners) is wired in cas_main.cc.
//
// Startup (docs/cas.md "Startup, in order"): CAS learns its identity from a quote, gets its
// seal keys, opens or creates the database and the CAS key, and claims the database as its
// one writer (database_generation.h).
//
// Thread safety: Handle may be called from many threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cas/api.h"
#include "cas/server/backup_handler.h"
#include "cas/server/cas_metrics.h"
#include "cas/server/cas_platform.h"
#include "cas/server/cas_state.h"
#include "cas/server/database_generation.h"
#include "cas/server/enclave_handler.h"
#include "cas/server/handlers.h"
#include "common/metrics.h"
#include "common/status.h"
#include "las/las_client.h"
#include "net/http.h"
#include "net/tls.h"
#include "platform/enclave_identity.h"

namespace scone::cas {

struct CasServiceOptions {
  std::filesystem::path db_path;
  std::function<int64_t()> clock;
  // How the primary reaches a backup CAS (backup_handler.h); unset: HTTPS.
  BackupKeyFetcher backup_fetcher;
  // One writer (database_generation.h): start even if another copy of the database was
  // served later or is served now (cas --take-over-database), and how the registered
  // backups are asked which generation they serve (unset: HTTPS, 3 s per backup, in
  // parallel).
  bool take_over_database = false;
  GenerationFetcher generation_fetcher;
  // Where CAS counts its requests, quote verifications and store size (docs/metrics.md);
  // unset: nowhere. Must outlive the service.
  metrics::Registry* metrics = nullptr;
};

class CasService {
 public:
  // `las` is how CAS reaches its platform: las::LasClient on las's Unix socket, or in
  // tests a las::PlatformLas. Checks the database files (CheckDatabaseFiles) before it
  // creates anything.
  static Result<std::unique_ptr<CasService>> Open(const CasServiceOptions& options,
                                                  std::unique_ptr<las::Las> las);
  ~CasService();
  CasService(const CasService&) = delete;
  CasService& operator=(const CasService&) = delete;

  // The API of docs/cas.md. `enclave_port` limits it to the routes the enclave port serves.
  net::HttpResponse Handle(const net::HttpRequest& request, const net::PeerInfo& peer,
                           bool enclave_port = false);

  // The lane of a request by its route (unknown paths: kServerThreads).
  static api::Lane LaneOf(const net::HttpRequest& request);

  // The TLS credentials (the CAS key and certificate); replaced when the owner injects a
  // database key.
  std::shared_ptr<net::TlsServerContext> tls() const { return state_->tls(); }

  std::string cas_key_hash() const;
  std::string software_key_hash() const;
  std::string cas_certificate_pem() const;
  std::string software_certificate_pem() const;
  bool provisioned() const;
  // The provisioning token (hex), only while unprovisioned: for the startup log line.
  std::optional<std::string> provisioning_token_hex() const { return state_->token_hex(); }
  const platform::EnclaveIdentity& identity() const { return platform_->identity(); }

 private:
  struct Handlers {
    AttestationHandler attestation;
    ProvisioningHandler provisioning;
    ConfigHandler config;
    SessionHandler sessions;
    ValuesHandler values;
    EnclaveHandler enclave;
    BackupHandler backups;
    GenerationHandler generation;
  };
  struct ServerRoute;
  CasService() = default;
  // `*matched` is set to the route the request matched, if any.
  Result<net::HttpResponse> Dispatch(const net::HttpRequest& request, const net::PeerInfo& peer,
                                     bool enclave_port, const api::Route** matched);
  net::HttpResponse Answer(const net::HttpRequest& request, const net::PeerInfo& peer,
                           bool enclave_port, const api::Route** matched);

  CasServiceOptions options_;
  std::unique_ptr<CasPlatform> platform_;
  std::unique_ptr<CasState> state_;
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<CasMetrics> metrics_;  // null without CasServiceOptions::metrics
};

}  // namespace scone::cas
