// `cas -c cas.toml`: the Configuration and Attestation Service (docs/cas.md).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>

#include "cas/server/cas_config.h"
#include "cas/server/cas_service.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/resource_limit.h"
#include "las/las_client.h"
#include "net/http_server.h"
#include "net/metrics_listener.h"
#include "platform/platform.h"

#ifndef SCONE_VERSION
#define SCONE_VERSION "0.0.0"
#endif

namespace {

int Fail(const scone::Status& s) {
  spdlog::error("{}", s.message());
  return 1;
}

// The lanes of both ports, from the route table: requests that wait for las run in a lane of
// their own (docs/cas.md), so that a flood of them cannot hold the threads owner, session
// and enclave calls need.
size_t LaneOf(const scone::net::HttpRequest& r, const scone::net::PeerInfo& /*peer*/) {
  return scone::cas::CasService::LaneOf(r) == scone::cas::api::Lane::kAttestation
             ? 0
             : scone::net::kServerThreads;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string config_file;
  size_t threads = 4;
  CLI::App app{"cas: the Configuration and Attestation Service", "cas"};
  app.add_option("-c,--config", config_file, "Operator configuration (TOML), see docs/cas.md")
      ->required()
      ->type_name("FILE");
  app.add_option("--threads", threads, "Worker threads of the API")->capture_default_str();
  bool take_over = false;
  app.add_flag("--take-over-database", take_over,
               "Serve this copy of the database even though a newer copy was served (here or "
               "by a registered backup) or a backup serves it now; it becomes the one copy "
               "(docs/backup.md \"One writer\")");
  std::string metrics_listen;
  app.add_option("--metrics-listen", metrics_listen,
                 "Serve Prometheus metrics at http://ADDR:PORT/metrics (plain HTTP, no client "
                 "certificate; off by default; bind it to loopback: docs/metrics.md)")
      ->type_name("ADDR:PORT");
  // Hidden: the route table as JSON, for the check of docs/openapi.yaml.
  app.add_flag_callback("--print-routes",
                        [] {
                          std::cout << scone::cas::api::RoutesToJson().dump(1) << "\n";
                          throw CLI::Success();
                        })
      ->group("");
  app.set_version_flag("--version", std::string("cas ") + SCONE_VERSION);
  CLI11_PARSE(app, argc, argv);

  scone::InitLogging("cas");
  // Both servers share the descriptors; the rest is for the database, las and the logs.
  size_t fds = scone::RaiseOpenFileLimit();
  size_t max_connections = fds > 1024 ? (fds - 256) / 2 : fds / 4;
  scone::cas::CasConfigDefaults defaults;
  defaults.las_addr_env = scone::las::LasAddressFromEnvironment();
  defaults.default_platform_dir = scone::platform::DefaultPlatformDir().string();
  auto config = scone::cas::LoadCasConfig(config_file, defaults);
  if (!config.ok()) return Fail(config.status());
  // The whole configuration is checked before any state is created.
  if (auto s = scone::cas::CheckCasConfig(*config); !s.ok()) return Fail(s);

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  std::optional<scone::net::Endpoint> metrics_ep;
  if (!metrics_listen.empty()) {
    auto ep = scone::net::ParseEndpoint(metrics_listen, 0);
    if (!ep.ok()) return Fail(ep.status().WithContext("--metrics-listen"));
    metrics_ep = *ep;
  }

  // Counted always (atomics), served only with --metrics-listen.
  scone::metrics::Registry registry;
  auto server_metrics = scone::net::ServerMetrics::Register(registry, "cas", {"api", "enclave"});
  scone::cas::CasServiceOptions options;
  options.db_path = config->db_path;
  options.metrics = &registry;
  options.clock = [] { return static_cast<int64_t>(std::time(nullptr)); };
  options.take_over_database = take_over;
  auto service =
      scone::cas::CasService::Open(options, std::make_unique<scone::las::LasClient>(config->las));
  if (!service.ok()) return Fail(service.status());
  scone::cas::CasService& cas = **service;

  scone::net::ServerOptions api_options;
  api_options.threads = threads;
  api_options.max_body_bytes = scone::cas::api::kMaxSessionSize;
  api_options.max_connections = max_connections;
  api_options.lanes = {{"attestation", threads, 16 * threads}};
  api_options.classify = LaneOf;
  api_options.metrics = server_metrics[0];
  auto api = scone::net::HttpServer::New(
      [&cas](const scone::net::HttpRequest& r, const scone::net::PeerInfo& p) {
        return cas.Handle(r, p);
      },
      api_options);
  if (!api.ok()) return Fail(api.status());
  scone::net::ServerOptions enclave_options;
  enclave_options.threads = 2;
  enclave_options.max_connections = max_connections;
  enclave_options.lanes = {{"attestation", 2, 32}};
  enclave_options.classify = LaneOf;
  enclave_options.metrics = server_metrics[1];
  auto enclave = scone::net::HttpServer::New(
      [&cas](const scone::net::HttpRequest& r, const scone::net::PeerInfo& p) {
        return cas.Handle(r, p, /*enclave_port=*/true);
      },
      enclave_options);
  if (!enclave.ok()) return Fail(enclave.status());
  if (auto s = (*api)->ListenTls(config->api_listen, cas.tls()); !s.ok()) {
    return Fail(s.WithContext("api_listen " + config->api_listen.ToString()));
  }
  if (auto s = (*enclave)->ListenTls(config->enclave_listen, cas.tls()); !s.ok()) {
    return Fail(s.WithContext("enclave_listen " + config->enclave_listen.ToString()));
  }

  // The two lines operators take values from (docs/cas.md "Logs"): the value is field 7.
  spdlog::info("CAS key hash: {}", cas.cas_key_hash());
  if (auto token = cas.provisioning_token_hex(); token.has_value()) {
    spdlog::info("CAS provisioning token: {}", *token);
    spdlog::info("unprovisioned: serving attestation and provisioning only");
  }
  spdlog::info("CAS software key hash: {}", cas.software_key_hash());
  scone::net::Endpoint api_ep = config->api_listen;
  api_ep.port = (*api)->bound_tcp_port();
  scone::net::Endpoint enclave_ep = config->enclave_listen;
  enclave_ep.port = (*enclave)->bound_tcp_port();
  std::unique_ptr<scone::net::HttpServer> metrics_server;
  if (metrics_ep.has_value()) {
    auto m = scone::net::StartMetricsListener(*metrics_ep, registry);
    if (!m.ok()) return Fail(m.status().WithContext("--metrics-listen"));
    metrics_server = std::move(m).value();
    metrics_ep->port = metrics_server->bound_tcp_port();
    if (!scone::net::IsLoopback(*metrics_ep)) {
      spdlog::warn("metrics on {} are readable by everyone who reaches that address",
                   metrics_ep->ToString());
    }
  }
  (*api)->Start();
  (*enclave)->Start();
  spdlog::info("listening on https://{} (api)", api_ep.ToString());
  spdlog::info("listening on https://{} (enclave)", enclave_ep.ToString());
  if (metrics_server) spdlog::info("listening on http://{} (metrics)", metrics_ep->ToString());

  int sig = 0;
  sigwait(&stop, &sig);
  spdlog::info("stopping (signal {})", sig);
  (*api)->Stop();
  (*enclave)->Stop();
  if (metrics_server) metrics_server->Stop();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "cas: " << e.what() << "\n";
  return 1;
}
