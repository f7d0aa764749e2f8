// The CAS server's state and its HTTP API (docs/cas.md): keys, provisioning, owner
// configuration, attestation. Transport (TLS listeners) is wired in cas_main.cc.
//
// State kept in the encrypted store (table "cas"):
//   key          the CAS key, PKCS#8 PEM (the instance identity and the TLS key)
//   certificate  its self-signed certificate, DER
//   token        the provisioning token (16 bytes), only while unprovisioned
//   owner        {"key_hash": ..., "certificate": PEM} of the owner, once provisioned
//   config       the owner configuration as JSON text
//   flags        {"provisioned": bool, "owner_secret_access": bool}
// The CAS software key is not stored: it is derived at every start from the MRENCLAVE seal
// key, so it is the same for the same CAS binary on the same platform and differs for
// every other binary or platform.
//
// Thread safety: Handle may be called from many threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "attestation/collateral.h"
#include "cas/protocol.h"
#include "cas/server/las_client.h"
#include "common/secret.h"
#include "common/status.h"
#include "crypto/openssl_util.h"
#include "net/http.h"
#include "net/tls.h"
#include "platform/enclave_identity.h"
#include "store/store.h"

namespace scone::cas {

struct CasServiceOptions {
  std::filesystem::path db_path;
  net::Endpoint las;
  std::function<int64_t()> clock;
};

class CasService {
 public:
  // Startup (docs/cas.md "Startup, in order", steps 1 to 4): learns its identity from a
  // quote, gets its seal keys, opens or creates the database and the CAS key.
  static Result<std::unique_ptr<CasService>> Open(const CasServiceOptions& options);
  ~CasService();
  CasService(const CasService&) = delete;
  CasService& operator=(const CasService&) = delete;

  // The API of docs/cas.md. `enclave_port` limits it to what the enclave port serves.
  net::HttpResponse Handle(const net::HttpRequest& request, const net::PeerInfo& peer,
                           bool enclave_port = false);

  // The TLS credentials (the CAS key and certificate); replaced when the owner injects a
  // database key.
  std::shared_ptr<net::TlsServerContext> tls() const { return tls_; }

  std::string cas_key_hash() const;
  std::string software_key_hash() const;
  bool provisioned() const;
  // The provisioning token (hex), only while unprovisioned: for the startup log line.
  std::optional<std::string> provisioning_token_hex() const;
  const platform::EnclaveIdentity& identity() const { return identity_; }

 private:
  struct Keys;  // the CAS key, certificates and derived values
  CasService() = default;

  Result<net::HttpResponse> Dispatch(const net::HttpRequest& request, const net::PeerInfo& peer,
                                     bool enclave_port);
  Result<net::HttpResponse> Attestation(const net::HttpRequest& request);
  Result<net::HttpResponse> Provision(const net::HttpRequest& request, const net::PeerInfo& peer);
  Result<net::HttpResponse> GetConfig(const net::PeerInfo& peer);
  Result<net::HttpResponse> PutConfig(const net::HttpRequest& request, const net::PeerInfo& peer);
  // The key hash of the owner if `peer` is the owner; 401/403 otherwise.
  Status RequireOwner(const net::PeerInfo& peer, const char* action) const;
  Result<attestation::Collateral> CurrentCollateral();
  Status LoadOrCreateState();
  // Called when a state change failed after part of it became durable: from then on every
  // request gets 503 until the operator restarts CAS, which reloads the database.
  Status Broken(const Status& cause);

  CasServiceOptions options_;
  std::unique_ptr<LasClient> las_;
  platform::EnclaveIdentity identity_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<net::TlsServerContext> tls_;

  // Guards keys_, flags_, owner_key_hash_, token_: read by every request, written by
  // provisioning.
  mutable std::shared_mutex mu_;
  std::shared_ptr<const Keys> keys_;
  AttestationFlags flags_;
  std::string owner_key_hash_;
  std::optional<SecretBytes> token_;
  // Serialises provisioning and configuration updates (a token works once).
  std::mutex write_mu_;

  std::atomic<bool> broken_{false};

  std::mutex collateral_mu_;
  std::optional<attestation::Collateral> collateral_;
  int64_t collateral_fetched_at_ = 0;
};

}  // namespace scone::cas
