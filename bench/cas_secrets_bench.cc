// Session creates per second on CAS with generated secrets (issue 14, "Bench"), and the cost
// of an RSA-3072 key on the CAS path against the `openssl` command, in the same run.
//
// CAS runs in this process (CasService::Handle on a simulated platform, as the tests'
// TestCas; no TLS), durable (SQLite WAL, synchronous=FULL), one client thread:
//   plain        a one-service session without secrets
//   10 secrets   the same session with 10 generated secrets: 2 ascii, 2 binary, 3 P-256
//                keys, a public key, an x509-ca and an x509 server certificate it issues
//                (a chain)
//   RSA-3072     the session without secrets plus one RSA-3072 private key: its extra cost
//                over `plain` is the cost of the key on the CAS path
//   openssl      `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072` (process)
// RSA prime search varies a lot from key to key, so the RSA cases run KEYS keys each,
// alternating with the openssl command, and report means.
//   cas_secrets_bench [SECONDS_PER_RUN [ROUNDS [KEYS]]]    (defaults 1, 5 and 20)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "cas/protocol.h"
#include "cas/server/cas_test_util.h"
#include "crypto/test_util.h"
#include "platform/platform.h"

namespace {
using scone::bench::Median;
using scone::bench::Seconds;
using scone::cas::testing::TestCas;
using scone::crypto::testing::MakeTestIdentity;
using scone::crypto::testing::TestIdentity;

constexpr int64_t kNow = 1'780'000'000;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "cas_secrets_bench: %s\n", what.c_str());
  std::exit(1);
}

std::string Head(const std::string& name) {
  return "name: " + name + "\nversion: \"0.3\"\n" +
         "services:\n  - name: app\n    command: /usr/bin/app --serve\n" + "    mrenclaves: [" +
         std::string(64, 'a') + "]\n" + "security:\n  attestation:\n    tolerate: [debug-mode]\n";
}

constexpr const char* kTenSecrets = R"(secrets:
  - {name: pw, kind: ascii}
  - {name: pw2, kind: ascii, size: 32}
  - {name: b1, kind: binary}
  - {name: b2, kind: binary, size: 32}
  - {name: k1, kind: private-key}
  - {name: k2, kind: private-key}
  - {name: k3, kind: private-key}
  - {name: p3, kind: public-key, private_key: k3}
  - {name: ca, kind: x509-ca, private_key: k1}
  - {name: cert, kind: x509, private_key: k2, issuer: ca, endpoint: server, dns: [app.example]}
)";

constexpr const char* kRsaKey =
    "secrets:\n  - {name: rsa, kind: private-key, key_type: RSA-3072}\n";

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  int keys = argc > 3 ? std::atoi(argv[3]) : 20;
  if (seconds <= 0 || rounds <= 0 || keys <= 0) {
    Die("usage: cas_secrets_bench [SECONDS_PER_RUN [ROUNDS [KEYS]]]");
  }
  scone::testing::TempDir dir("scone-secrets-bench");
  auto platform = scone::platform::Platform::OpenOrCreate(dir.path() / "platform", {}, kNow);
  if (!platform.ok()) Die(platform.status().ToString());
  const scone::platform::EnclaveIdentity id = scone::cas::testing::TestCasIdentity();
  TestCas cas(std::shared_ptr<const scone::platform::Platform>(std::move(*platform)), id, kNow);
  if (!cas.ok()) Die(cas.status().ToString());
  TestIdentity owner = MakeTestIdentity("owner", kNow);
  if (cas.Provision(owner.der).status != 200) Die("provisioning failed");
  TestIdentity client = MakeTestIdentity("client", kNow);

  int n = 0;
  auto create = [&](const std::string& secrets) {
    auto r =
        cas.Call("POST", "/v1/sessions", Head("s" + std::to_string(++n)) + secrets, client.der);
    if (r.status != 201) Die("create: " + r.body);
  };
  // Creates per second of `secrets` for `seconds`.
  auto rate = [&](const std::string& secrets) {
    auto start = std::chrono::steady_clock::now();
    long done = 0;
    while (Seconds(start) < seconds) {
      create(secrets);
      ++done;
    }
    return static_cast<double>(done) / Seconds(start);
  };

  std::printf("creates per second, one client, durable: median of %d runs of %.1f s\n", rounds,
              seconds);
  std::vector<double> plain, ten;
  for (int round = 0; round < rounds; ++round) {
    plain.push_back(rate(""));
    ten.push_back(rate(kTenSecrets));
  }
  std::printf("  without secrets            %8.1f creates/s\n", Median(plain));
  std::printf("  with 10 secrets (a chain)  %8.1f creates/s   ratio %.3f\n", Median(ten),
              Median(ten) / Median(plain));

  // RSA-3072: a create with one key against a plain create, and the openssl command.
  double cas_total = 0;
  double plain_total = 0;
  double openssl_total = 0;
  for (int k = 0; k < keys; ++k) {
    auto start = std::chrono::steady_clock::now();
    create(kRsaKey);
    cas_total += Seconds(start);
    start = std::chrono::steady_clock::now();
    create("");
    plain_total += Seconds(start);
    start = std::chrono::steady_clock::now();
    if (std::system("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 "
                    "-out /dev/null 2>/dev/null") != 0) {
      Die("openssl genpkey failed (is the openssl command installed?)");
    }
    openssl_total += Seconds(start);
  }
  double per_key = (cas_total - plain_total) / keys;
  double per_openssl = openssl_total / keys;
  std::printf("RSA-3072, mean of %d keys each (wall time):\n", keys);
  std::printf("  on the CAS path (create with the key - plain create)  %8.1f ms\n", per_key * 1e3);
  std::printf("  openssl genpkey (process)                             %8.1f ms   ratio %.2f\n",
              per_openssl * 1e3, per_key / per_openssl);
  return 0;
}
