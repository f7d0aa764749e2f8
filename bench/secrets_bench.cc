// Cost of secret generation when CAS stores a session version (issue 14), and of one
// RSA-3072 key against the `openssl` command in the same run.
//
//   BM_CreateWithoutSecrets  LoadSession + GenerateSecrets + SerializeValues of a session
//                            with one service and no secrets
//   BM_CreateWith10Secrets   the same session with 10 generated secrets: 2 ascii, 2 binary,
//                            3 P-256 private keys, 1 public key, an x509-ca and an x509
//                            server certificate it issues (the chain)
//   BM_GenerateRsa3072       crypto::GenerateKey(RSA-3072)
//   BM_OpenSslGenpkeyRsa3072 `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072`
//                            (process start included; skipped without the command)
//
// Figures to report: BM_CreateWith10Secrets / BM_CreateWithoutSecrets (creates per second
// each), and BM_GenerateRsa3072 / BM_OpenSslGenpkeyRsa3072. RSA key generation time varies
// a lot from key to key (prime search), so those two run a fixed number of iterations.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "crypto/keygen.h"
#include "sdl/session.h"
#include "secrets/generate.h"

namespace {

constexpr const char* kHead = R"(name: bench
version: "0.3"
services:
  - name: app
    command: ./app
    attestation: {mrenclave: "0000000000000000000000000000000000000000000000000000000000000000"}
)";

constexpr const char* kSecrets = R"(secrets:
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

void Create(benchmark::State& state, const std::string& text) {
  scone::sdl::Variables vars;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the idiom
    auto s = scone::sdl::LoadSession(text, "bench.yaml", vars);
    if (!s.ok()) {
      state.SkipWithError(s.status().message().c_str());
      break;
    }
    scone::secrets::GenerateOptions o;
    o.now = 1767225600;
    auto v = scone::secrets::GenerateSecrets(s->session, o);
    if (!v.ok()) {
      state.SkipWithError(v.status().message().c_str());
      break;
    }
    auto stored = scone::secrets::SerializeValues(*v);
    benchmark::DoNotOptimize(stored);
  }
}

void BM_CreateWithoutSecrets(benchmark::State& state) { Create(state, kHead); }
BENCHMARK(BM_CreateWithoutSecrets)->Unit(benchmark::kMicrosecond);

void BM_CreateWith10Secrets(benchmark::State& state) {
  Create(state, std::string(kHead) + kSecrets);
}
BENCHMARK(BM_CreateWith10Secrets)->Unit(benchmark::kMicrosecond);

void BM_GenerateRsa3072(benchmark::State& state) {
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the idiom
    auto k = scone::crypto::GenerateKey(scone::crypto::KeyType::kRsa3072);
    if (!k.ok()) {
      state.SkipWithError(k.status().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(BM_GenerateRsa3072)->Unit(benchmark::kMillisecond)->Iterations(30);

void BM_OpenSslGenpkeyRsa3072(benchmark::State& state) {
  if (std::system("openssl version >/dev/null 2>&1") != 0) {  // NOLINT(cert-env33-c)
    state.SkipWithError("the openssl command is not installed");
    return;
  }
  for (auto _ : state) {   // NOLINT(clang-analyzer-deadcode.DeadStores): the idiom
    int rc = std::system(  // NOLINT(cert-env33-c): a fixed command line
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out /dev/null "
        "2>/dev/null");
    if (rc != 0) {
      state.SkipWithError("openssl genpkey failed");
      break;
    }
  }
}
BENCHMARK(BM_OpenSslGenpkeyRsa3072)->Unit(benchmark::kMillisecond)->Iterations(30);

}  // namespace

BENCHMARK_MAIN();
