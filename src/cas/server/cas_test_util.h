// For tests: a real CAS (CasService) in this process, on a simulated platform in the role of
// las (las::PlatformLas), with its database in a temporary folder. Used by the server's own
// tests and by the CLI's, so that both run against the one implementation of the API.
#pragma once

#include <spdlog/spdlog.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "cas/api.h"
#include "cas/protocol.h"
#include "cas/server/cas_service.h"
#include "common/hex.h"
#include "common/test_util.h"
#include "las/las_client.h"
#include "platform/platform.h"

namespace scone::cas::testing {

// The enclave identity the tests and benchmarks give their CAS: this build's product and
// security version, fixed measurement and signer.
inline platform::EnclaveIdentity TestCasIdentity() {
  platform::EnclaveIdentity id;
  id.mrenclave.fill(0x11);
  id.mrsigner.fill(0x22);
  id.isvprodid = CasIsvProdId();
  id.isvsvn = CasIsvSvn();
  return id;
}

class TestCas {
 public:
  // Opens a CAS of `identity` on `platform` at `now`; ASSERTs nothing, check ok().
  // `configure` may change the service's options (e.g. how it reaches backup CASes, or a
  // metrics registry to count into); the registered backups are asked nothing unless it
  // sets generation_fetcher.
  TestCas(std::shared_ptr<const platform::Platform> platform,
          const platform::EnclaveIdentity& identity, int64_t now,
          const std::function<void(CasServiceOptions&)>& configure = nullptr)
      : dir_("scone-test-cas"),
        platform_(std::move(platform)),
        identity_(identity),
        now_(now),
        configure_(configure) {
    spdlog::set_level(spdlog::level::warn);
    Open();
  }

  // Stops the CAS and opens it again on the same database, as a restart does: only what
  // is on disk survives (caches start empty). Check ok() afterwards.
  void Restart() {
    service_.reset();
    las_ = nullptr;
    status_ = Status::Ok();
    Open();
  }

  bool ok() const { return service_ != nullptr; }
  const Status& status() const { return status_; }
  CasService& service() { return *service_; }
  las::PlatformLas& las() { return *las_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // The provisioning token (hex); empty once provisioned.
  std::string token() const { return service_->provisioning_token_hex().value_or(""); }

  // A request as it arrives over TLS with `client_certificate_der` (empty: none).
  net::HttpResponse Call(const std::string& method, const std::string& path,
                         const std::string& body, ByteView client_certificate_der = {}) {
    net::PeerInfo peer;
    peer.tls = true;
    peer.address = "127.0.0.1:40000";
    peer.client_certificate_der.assign(client_certificate_der.begin(),
                                       client_certificate_der.end());
    return service_->Handle({method, path, "application/json", body}, peer);
  }

  // Provisions the CAS for the owner of `owner_certificate_der` with `config_toml`.
  net::HttpResponse Provision(ByteView owner_certificate_der,
                              const std::string& config_toml = "[ias]\nlinkable_quotes = false\n") {
    api::ProvisionRequest request;
    auto token = HexDecode(this->token());
    request.token = SecretBytes::CopyFrom(token.ok() ? *token : Bytes{});
    request.config.format = ConfigFormat::kToml;
    request.config.text = config_toml;
    net::HttpRequest http = request.ToHttpRequest();
    return Call(http.method, http.target, http.body, owner_certificate_der);
  }

 private:
  void Open() {
    const int64_t now = now_;
    auto las = std::make_unique<las::PlatformLas>(platform_, identity_, [now] { return now; });
    las_ = las.get();
    CasServiceOptions options;
    options.db_path = dir_.path() / "cas.db";
    options.clock = [now] { return now; };
    options.generation_fetcher = [](const std::string&,
                                    const std::string&) -> Result<api::DatabaseGenerationResponse> {
      return Status(Code::kUnavailable, "TestCas asks no backups");
    };
    if (configure_) configure_(options);
    auto service = CasService::Open(options, std::move(las));
    if (service.ok()) {
      service_ = std::move(*service);
    } else {
      las_ = nullptr;
      status_ = service.status();
    }
  }

  scone::testing::TempDir dir_;
  std::shared_ptr<const platform::Platform> platform_;
  platform::EnclaveIdentity identity_;
  int64_t now_;
  std::function<void(CasServiceOptions&)> configure_;
  las::PlatformLas* las_ = nullptr;
  std::unique_ptr<CasService> service_;
  Status status_;
};

}  // namespace scone::cas::testing
