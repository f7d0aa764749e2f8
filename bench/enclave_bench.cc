// Attested configuration deliveries per second on CAS's enclave API (issue 15, "Bench"), with
// 8 concurrent clients, against a baseline measured in the same run on the same server: a
// mutual-TLS handshake plus one small GET (/v1/version) per request. Goal: at least 0.8x.
//
// CAS runs in this process (the tests' TestCas on a simulated platform) behind a real TLS 1.3
// listener on 127.0.0.1 with 2 threads, as cas_main.cc serves the enclave port. Every
// delivery is a new TLS connection with the runtime's client certificate, then
// POST /v1/enclave/configuration: parse, session lookup, quote verification (the collateral
// cached by the verifier, as in a running CAS), report-data binding, variants and tolerances,
// rendering of a command, two environment values and an injection file with a secret, and
// the sensitive answer. Each client thread makes its key K and its quote once (las's and the
// runtime's work, not CAS's) and reuses them; the baseline clients present the same
// certificates. The runs alternate and each figure is the median of ROUNDS runs.
//   enclave_bench [SECONDS_PER_RUN [ROUNDS]]    (defaults 1 and 5)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "cas/api_enclave.h"
#include "cas/enclave_protocol.h"
#include "cas/protocol.h"
#include "cas/server/cas_test_util.h"
#include "common/hex.h"
#include "crypto/test_util.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "platform/platform.h"

namespace {
using scone::cas::testing::TestCas;
using scone::crypto::testing::MakeTestIdentity;
using scone::crypto::testing::TestIdentity;
namespace api = scone::cas::api;
namespace net = scone::net;
using scone::bench::Median;
using scone::bench::Run;

constexpr int64_t kNow = 1'780'000'000;
constexpr int kClients = 8;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "enclave_bench: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (seconds <= 0 || rounds <= 0) Die("usage: enclave_bench [SECONDS_PER_RUN [ROUNDS]]");
  spdlog::set_level(spdlog::level::warn);
  scone::testing::TempDir dir("scone-enclave-bench");
  auto made = scone::platform::Platform::OpenOrCreate(dir.path() / "platform", {}, kNow);
  if (!made.ok()) Die(made.status().ToString());
  std::shared_ptr<const scone::platform::Platform> platform(std::move(*made));
  const scone::platform::EnclaveIdentity cas_id = scone::cas::testing::TestCasIdentity();
  TestCas cas(platform, cas_id, kNow);
  if (!cas.ok()) Die(cas.status().ToString());
  spdlog::set_level(spdlog::level::warn);
  TestIdentity owner = MakeTestIdentity("owner", kNow);
  if (cas.Provision(owner.der).status != 200) Die("provisioning failed");

  scone::platform::EnclaveIdentity program;
  program.mrenclave.fill(0x33);
  program.mrsigner.fill(0x44);
  program.isvprodid = 5;
  program.isvsvn = 1;
  program.attributes_flags = 0x05;
  program.attributes_xfrm = 0x03;
  std::string session =
      "name: app\nversion: \"0.3\"\n"
      "secrets:\n  - name: password\n    kind: ascii\n    value: \"s3cr3t-value-0123\"\n"
      "services:\n  - name: web\n    image_name: img\n"
      "    command: [\"/bin/server\", \"--password=$$SCONE::password$$\", \"@@1\"]\n"
      "    environment:\n      PASSWORD: $$SCONE::password:hex$$\n      MODE: production\n"
      "    pwd: /srv\n    attestation:\n      - mrenclave: [" +
      scone::HexEncode(scone::Bytes(32, 0x33)) +
      "]\nimages:\n  - name: img\n    injection_files:\n"
      "      - path: /etc/app/secret.conf\n        content: \"pw=$$SCONE::password$$\\n\"\n";
  auto up = cas.Call("POST", "/v1/sessions", session, owner.der);
  if (up.status != 201) Die("session upload: " + up.body);

  net::ServerOptions options;
  options.threads = 2;  // as cas_main.cc serves the enclave port
  scone::cas::CasService* service = &cas.service();
  auto server = net::HttpServer::New(
      [service](const net::HttpRequest& r, const net::PeerInfo& p) {
        return service->Handle(r, p, /*enclave_port=*/true);
      },
      options);
  if (!server.ok()) Die(server.status().ToString());
  auto endpoint = net::ParseEndpoint("127.0.0.1:0", 0);
  if (!endpoint.ok() || !(*server)->ListenTls(*endpoint, cas.service().tls()).ok()) Die("listen");
  endpoint->port = (*server)->bound_tcp_port();
  (*server)->Start();

  // Per client: its key K (certificate), its quote, its TLS options.
  struct Client {
    TestIdentity key;
    std::string body;
    net::TlsClientOptions tls;
  };
  std::vector<Client> clients(kClients);
  for (Client& c : clients) {
    c.key = MakeTestIdentity("scone-run", kNow);
    auto quote = platform->Quote(program, scone::cas::EnclaveReportData(c.key.spki));
    if (!quote.ok()) Die(quote.status().ToString());
    api::EnclaveConfigurationRequest request;
    request.config_id = "app/web";
    request.quote = *quote;
    c.body = api::Serialize(request.ToJson());
    c.tls.certificate_pem = c.key.pem;
    auto key_pem = scone::crypto::PrivateKeyToPkcs8Pem(c.key.key.get());
    if (!key_pem.ok()) Die("key");
    c.tls.private_key_pem = *key_pem;
    c.tls.check_server = scone::net::PinServerKeyHash(cas.service().cas_key_hash());
  }
  auto deliver = [&](int c, int) {
    Client& client = clients[static_cast<size_t>(c)];
    net::HttpRequest request("POST", "/v1/enclave/configuration", "application/json", client.body,
                             /*sensitive_=*/true);
    auto r = net::HttpsCall(*endpoint, request, client.tls);
    if (!r.ok() || r->status != 200) Die(r.ok() ? r->body : r.status().ToString());
  };
  auto baseline = [&](int c, int) {
    Client& client = clients[static_cast<size_t>(c)];
    auto r = net::HttpsCall(*endpoint, {"GET", "/v1/version", "", ""}, client.tls);
    if (!r.ok() || r->status != 200) Die(r.ok() ? r->body : r.status().ToString());
  };
  deliver(0, 0);  // warm the verifier's cache and the session cache
  std::vector<double> deliveries, baselines, delivery_cpu, baseline_cpu;
  for (int round = 0; round < rounds; ++round) {
    auto b = scone::bench::RunMeasured(kClients, seconds, baseline);
    auto d = scone::bench::RunMeasured(kClients, seconds, deliver);
    baselines.push_back(b.per_second);
    baseline_cpu.push_back(b.cpu_ms_per_op);
    deliveries.push_back(d.per_second);
    delivery_cpu.push_back(d.cpu_ms_per_op);
  }
  (*server)->Stop();
  double d = Median(deliveries);
  double b = Median(baselines);
  double dc = Median(delivery_cpu);
  double bc = Median(baseline_cpu);
  std::printf("clients %d, %d rounds of %.1f s, medians:\n", kClients, rounds, seconds);
  std::printf("  attested configuration deliveries: %8.1f /s  %6.2f ms CPU each\n", d, dc);
  std::printf("  mutual-TLS handshake + GET:        %8.1f /s  %6.2f ms CPU each\n", b, bc);
  std::printf("  ratio: %.2f (goal >= 0.8); by CPU per operation: %.2f\n", d / b, bc / dc);
  return 0;
}
