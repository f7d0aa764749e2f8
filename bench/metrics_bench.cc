// The cost metrics add to a request (docs/metrics.md "Cost"): what CasService::Handle does
// per request (a RequestMetrics::Observe: one counter, one histogram), compared with a bare
// atomic increment, single-threaded and from 4 threads on the same series; and a scrape
// (Registry::Render) of CAS's families.
#include <benchmark/benchmark.h>

#include <atomic>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "net/server_metrics.h"

namespace {

std::vector<std::string> Endpoints(size_t n) {
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) names.push_back("GET /v1/endpoint" + std::to_string(i));
  names.emplace_back("unmatched");
  return names;
}

void BM_AtomicIncrement(benchmark::State& state) {
  static std::atomic<uint64_t> counter{0};
  for (auto _ : state) counter.fetch_add(1, std::memory_order_relaxed);
}
BENCHMARK(BM_AtomicIncrement)->Threads(1)->Threads(4);

void BM_RequestObserve(benchmark::State& state) {
  static scone::metrics::Registry registry;
  static scone::net::RequestMetrics metrics(registry, "bench", Endpoints(18));
  for (auto _ : state) metrics.Observe(3, 200, 0.0012);
}
BENCHMARK(BM_RequestObserve)->Threads(1)->Threads(4);

void BM_RenderCasSizedRegistry(benchmark::State& state) {
  scone::metrics::Registry registry;
  scone::net::RequestMetrics metrics(registry, "cas", Endpoints(17));
  scone::net::ServerMetrics::Register(registry, "cas", {"api", "enclave"});
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = registry.Render();
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderCasSizedRegistry);

}  // namespace

BENCHMARK_MAIN();
