// `las`: the local attestation service of the simulated SGX platform (docs/las.md).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "attestation/tcb_status.h"
#include "common/log.h"
#include "common/resource_limit.h"
#include "las/las_service.h"
#include "net/http_server.h"
#include "platform/platform.h"

namespace {

int Fail(const scone::Status& s) {
  spdlog::error("{}", s.message());
  return 1;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string platform_dir = scone::platform::DefaultPlatformDir().string();
  std::string listen = "127.0.0.1:18766";
  std::string socket_path;
  std::string tcb_state;
  bool no_tcp = false;
  size_t threads = 2;

  CLI::App app{"las: local attestation service of the simulated SGX platform", "las"};
  app.add_option("--platform-dir", platform_dir,
                 "Platform directory, created on first start (default: $SCONE_PLATFORM_DIR, "
                 "else /var/lib/scone/platform for root, else ~/.scone/platform)")
      ->capture_default_str()
      ->type_name("DIR");
  app.add_option("--listen", listen,
                 "TCP address for callers that name their program (the weaker mode)")
      ->capture_default_str()
      ->type_name("ADDR:PORT");
  app.add_flag("--no-tcp", no_tcp, "Serve only the Unix socket");
  app.add_option("--socket", socket_path, "Unix socket (default: DIR/las.sock)")->type_name("PATH");
  app.add_option("--tcb-state", tcb_state,
                 "TCB state of a new platform: UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
                 "ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded, "
                 "Revoked (an existing platform must match)")
      ->type_name("STATE");
  app.add_option("--threads", threads, "Worker threads")->capture_default_str();
  app.set_version_flag("--version", "las 0.1.0");
  CLI11_PARSE(app, argc, argv);

  scone::InitLogging("las");
  size_t fds = scone::RaiseOpenFileLimit();  // the rest is for the platform files and logs
  scone::platform::PlatformOptions options;
  if (!tcb_state.empty()) {
    auto s = scone::platform::ParseTcbState(tcb_state);
    if (!s.ok()) return Fail(s.status());
    options.tcb_state = *s;
  }
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

  scone::las::LasService service(shared, now);
  scone::net::ServerOptions server_options;
  server_options.threads = threads;
  server_options.max_connections = fds > 1024 ? fds - 256 : fds / 2;
  auto server = scone::net::HttpServer::New(
      [&service](const scone::net::HttpRequest& r, const scone::net::PeerInfo& p) {
        return service.Handle(r, p);
      },
      server_options);
  if (!server.ok()) return Fail(server.status());
  if (socket_path.empty()) socket_path = platform_dir + "/las.sock";
  scone::net::Endpoint unix_ep;
  unix_ep.unix_path = socket_path;
  if (auto s = (*server)->Listen(unix_ep, 0666); !s.ok()) return Fail(s);
  spdlog::info("listening on unix:{} (callers are measured)", socket_path);
  if (!no_tcp) {
    auto ep = scone::net::ParseEndpoint(listen, 18766);
    if (!ep.ok()) return Fail(ep.status().WithContext("--listen"));
    if (auto s = (*server)->Listen(*ep); !s.ok()) return Fail(s);
    ep->port = (*server)->bound_tcp_port();
    spdlog::info("listening on {} (callers name their program)", ep->ToString());
  }
  (*server)->Start();

  int sig = 0;
  sigwait(&stop, &sig);
  spdlog::info("stopping (signal {})", sig);
  (*server)->Stop();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "las: " << e.what() << "\n";
  return 1;
}
