// `las`: the local attestation service of the simulated SGX platform (docs/las.md).
#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>

#include "attestation/tcb_status.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/resource_limit.h"
#include "las/las_metrics.h"
#include "las/las_protocol.h"
#include "las/las_service.h"
#include "net/http_server.h"
#include "net/metrics_listener.h"
#include "platform/platform.h"

namespace {

int Fail(const scone::Status& s) {
  spdlog::error("{}", s.message());
  return 1;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string platform_dir = scone::platform::DefaultPlatformDir().string();
  std::string testing_tcp;     // --only_for_testing-tcp
  std::string removed_listen;  // --listen (removed: say what replaces it)
  std::string socket_path;
  std::string tcb_state;
  std::string sim_root_from;
  bool no_tcp = false;  // the default; accepted so that older scripts keep working
  size_t threads = 2;
  std::string runtime;  // --runtime; default: scone-run beside this las

  CLI::App app{"las: local attestation service of the simulated SGX platform", "las"};
  app.add_option("--platform-dir", platform_dir,
                 "Platform directory, created on first start (default: $SCONE_PLATFORM_DIR, "
                 "else /var/lib/scone/platform for root, else ~/.scone/platform)")
      ->capture_default_str()
      ->type_name("DIR");
  app.add_option("--only_for_testing-tcp", testing_tcp,
                 "TESTING ONLY: also listen on TCP, where callers name the program to quote "
                 "instead of being measured; every quote there carries the DEBUG attribute, "
                 "so no production policy accepts it (off by default)")
      ->type_name("ADDR:PORT");
  app.add_flag("--no-tcp", no_tcp, "Serve only the Unix socket (the default)");
  app.add_option("--listen", removed_listen)->group("");  // removed, see below
  app.add_option("--socket", socket_path, "Unix socket (default: DIR/las.sock)")->type_name("PATH");
  app.add_option("--tcb-state", tcb_state,
                 "TCB state of a new platform: UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
                 "ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded, "
                 "Revoked (an existing platform must match)")
      ->type_name("STATE");
  app.add_option("--sim-root-from", sim_root_from,
                 "Create the platform under the simulated root CA of this other platform "
                 "directory (its own PCK, QE key and sealing secret; the same root, as real "
                 "machines share Intel's); an existing platform must have that root")
      ->type_name("OTHER_PLATFORM_DIR");
  app.add_option("--runtime", runtime,
                 "The runtime (scone-run) that may have programs it passes quoted (default: "
                 "scone-run in the folder of this las)")
      ->type_name("PATH");
  app.add_option("--threads", threads, "Worker threads")->capture_default_str();
  std::string metrics_listen;
  app.add_option("--metrics-listen", metrics_listen,
                 "Serve Prometheus metrics at http://ADDR:PORT/metrics (plain HTTP; off by "
                 "default; bind it to loopback: docs/metrics.md)")
      ->type_name("ADDR:PORT");
  app.set_version_flag("--version", "las 0.1.0");
  CLI11_PARSE(app, argc, argv);

  scone::InitLogging("las");
  if (!removed_listen.empty()) {
    return Fail(scone::InvalidArgument(
        "--listen is gone: las serves its measured Unix socket only; for tests, "
        "--only_for_testing-tcp ADDR:PORT adds a TCP listener whose quotes carry DEBUG"));
  }
  if (no_tcp && !testing_tcp.empty()) {
    return Fail(scone::InvalidArgument("--no-tcp contradicts --only_for_testing-tcp"));
  }
  size_t fds = scone::RaiseOpenFileLimit();  // the rest is for the platform files and logs
  scone::platform::PlatformOptions options;
  if (!tcb_state.empty()) {
    auto s = scone::platform::ParseTcbState(tcb_state);
    if (!s.ok()) return Fail(s.status());
    options.tcb_state = *s;
  }
  if (!sim_root_from.empty()) options.sim_root_from = sim_root_from;
  auto now = [] { return static_cast<int64_t>(std::time(nullptr)); };
  auto platform = scone::platform::Platform::OpenOrCreate(platform_dir, options, now());
  if (!platform.ok()) return Fail(platform.status());
  std::shared_ptr<const scone::platform::Platform> shared = std::move(platform).value();
  spdlog::info("platform {} (TCB state {}); simulated root CA in {}/{}", platform_dir,
               scone::attestation::TcbStatusName(shared->tcb_state()), platform_dir,
               scone::platform::kSimRootCaFile);

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  scone::las::LasOptions las_options;
  las_options.only_for_testing_named_programs = !testing_tcp.empty();
  las_options.runtime_path = runtime.empty() ? scone::las::DefaultRuntimePath() : runtime;
  spdlog::info("trusting the runtime {} for quotes of the programs it passes",
               las_options.runtime_path);
  scone::las::LasService service(shared, now, las_options);
  // Counted always (atomics), served only with --metrics-listen.
  scone::metrics::Registry registry;
  scone::las::LasMetrics metrics(registry, shared->tcb_state());
  scone::net::ServerOptions server_options;
  server_options.threads = threads;
  server_options.max_connections = fds > 1024 ? fds - 256 : fds / 2;
  server_options.metrics = scone::net::ServerMetrics::Register(registry, "las", {"las"})[0];
  auto server = scone::net::HttpServer::New(
      [&service, &metrics](const scone::net::HttpRequest& r, const scone::net::PeerInfo& p) {
        auto start = std::chrono::steady_clock::now();
        scone::net::HttpResponse answer = service.Handle(r, p);
        metrics.Observe(r, p, answer, std::chrono::steady_clock::now() - start);
        return answer;
      },
      server_options);
  if (!server.ok()) return Fail(server.status());
  std::unique_ptr<scone::net::HttpServer> metrics_server;
  if (!metrics_listen.empty()) {
    auto ep = scone::net::ParseEndpoint(metrics_listen, 0);
    if (!ep.ok()) return Fail(ep.status().WithContext("--metrics-listen"));
    auto m = scone::net::StartMetricsListener(*ep, registry);
    if (!m.ok()) return Fail(m.status().WithContext("--metrics-listen"));
    metrics_server = std::move(m).value();
    ep->port = metrics_server->bound_tcp_port();
    if (!scone::net::IsLoopback(*ep)) {
      spdlog::warn("metrics on {} are readable by everyone who reaches that address",
                   ep->ToString());
    }
    spdlog::info("listening on http://{} (metrics)", ep->ToString());
  }
  if (socket_path.empty()) socket_path = platform_dir + "/las.sock";
  scone::net::Endpoint unix_ep;
  unix_ep.unix_path = socket_path;
  if (auto s = (*server)->Listen(unix_ep, 0666); !s.ok()) return Fail(s);
  spdlog::info("listening on unix:{} (callers are measured)", socket_path);
  if (!testing_tcp.empty()) {
    auto ep = scone::net::ParseEndpoint(testing_tcp, scone::las::kDefaultLasPort);
    if (!ep.ok()) return Fail(ep.status().WithContext("--only_for_testing-tcp"));
    if (ep->is_unix()) {
      return Fail(scone::InvalidArgument("--only_for_testing-tcp takes a TCP address, HOST:PORT"));
    }
    if (auto s = (*server)->Listen(*ep); !s.ok()) return Fail(s);
    ep->port = (*server)->bound_tcp_port();
    spdlog::warn(
        "TESTING ONLY (--only_for_testing-tcp): any process that reaches {} gets quotes for "
        "programs it names; every such quote carries the DEBUG attribute",
        ep->ToString());
    spdlog::info("listening on {} (testing only: callers name their program, quotes are DEBUG)",
                 ep->ToString());
  }
  (*server)->Start();

  int sig = 0;
  sigwait(&stop, &sig);
  spdlog::info("stopping (signal {})", sig);
  (*server)->Stop();
  if (metrics_server) metrics_server->Stop();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "las: " << e.what() << "\n";
  return 1;
}
