// Attestation requests per second that a running CAS sustains (issue "CAS": with 8
// concurrent clients). Each request is what `scone cas attest` sends: a new TLS 1.3
// connection and POST /v1/attestation with a fresh nonce; the answer is not verified here
// (that is the client's cost, measured by bench/cas_bench.sh).
//   SCONE_BENCH_CAS=127.0.0.1:PORT cas_attest_bench --benchmark_min_time=5
// bench/cas_bench.sh starts las and cas and runs this.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "cas/api.h"
#include "crypto/random.h"
#include "net/http_client.h"

namespace {

scone::net::Endpoint CasEndpoint() {
  const char* addr = std::getenv("SCONE_BENCH_CAS");
  auto ep = scone::net::ParseEndpoint(addr != nullptr ? addr : "127.0.0.1:8081", 8081);
  if (!ep.ok()) std::abort();
  return *ep;
}

void BM_Attestation(benchmark::State& state) {
  static const scone::net::Endpoint ep = CasEndpoint();
  scone::net::TlsClientOptions options;
  options.check_server = [](scone::ByteView) { return scone::Status::Ok(); };
  for (auto _ : state) {
    auto nonce = scone::crypto::RandomBytes(32);
    scone::cas::api::AttestationRequest request{*nonce};
    auto r = scone::net::HttpsCall(
        ep, {"POST", "/v1/attestation", "application/json", request.ToJson().dump()}, options);
    if (!r.ok() || r->status != 200) {
      state.SkipWithError(r.ok() ? r->body.c_str() : r.status().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->body.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Attestation)->Threads(1)->Threads(8)->UseRealTime()->Unit(benchmark::kMillisecond);

// The TLS handshake and a trivial request alone, for comparison.
void BM_Version(benchmark::State& state) {
  static const scone::net::Endpoint ep = CasEndpoint();
  scone::net::TlsClientOptions options;
  options.check_server = [](scone::ByteView) { return scone::Status::Ok(); };
  for (auto _ : state) {
    auto r = scone::net::HttpsCall(ep, {"GET", "/v1/version", "", ""}, options);
    if (!r.ok() || r->status != 200) {
      state.SkipWithError("version request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Version)->Threads(1)->Threads(8)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
