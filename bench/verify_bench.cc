// Verifications per second of a DCAP quote in a server's steady state (collateral and PCK
// chain already verified and cached), against OpenSSL's ECDSA P-256 verifications per
// second measured in the same run. A cached verification does two ECDSA verifications
// (QE report, ISV report) plus parsing, so the ideal ratio is about 0.5.
//
// Prints "ratio verify/ecdsa = X" after the table.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "attestation/collateral.h"
#include "attestation/verifier.h"
#include "common/file_util.h"
#include "crypto/ecdsa.h"
#include "crypto/keys.h"

namespace {

using namespace scone;
using namespace scone::attestation;

constexpr int64_t kNow = 1752919277;  // inside the dcap-qvl collateral's validity window

struct Fixture {
  Bytes quote;
  Collateral collateral;
  std::unique_ptr<QuoteVerifier> verifier;
};

Fixture& Get() {
  static Fixture* f = [] {
    auto* fx = new Fixture();
    const std::filesystem::path dir = std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors";
    auto quote = ReadFile(dir / "dcap-qvl/sgx_quote");
    auto collateral = LoadCollateralDir(dir / "dcap-qvl/pcs");
    auto verifier = QuoteVerifier::New({});
    if (!quote.ok() || !collateral.ok() || !verifier.ok()) {
      std::fprintf(stderr, "verify_bench: cannot load testdata/vectors/dcap-qvl\n");
      std::exit(1);
    }
    fx->quote = ToBytes(*quote);
    fx->collateral = std::move(collateral).value();
    fx->verifier = std::move(verifier).value();
    return fx;
  }();
  return *f;
}

void BM_VerifyQuoteCached(benchmark::State& state) {
  Fixture& f = Get();
  if (!f.verifier->Verify(f.quote, f.collateral, kNow).ok()) {
    state.SkipWithError("the quote does not verify");
    return;
  }
  for (auto _ : state) {
    auto r = f.verifier->Verify(f.quote, f.collateral, kNow);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyQuoteCached)->MinTime(2.0);

void BM_VerifyQuoteCold(benchmark::State& state) {
  Fixture& f = Get();
  for (auto _ : state) {
    f.verifier->ClearCache();
    auto r = f.verifier->Verify(f.quote, f.collateral, kNow);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyQuoteCold)->MinTime(1.0);

// One ECDSA P-256 / SHA-256 verification of a 432-byte message (the ISV signature's size)
// through OpenSSL's EVP API, as every caller does it.
void BM_OpenSslEcdsaP256Verify(benchmark::State& state) {
  auto key = crypto::GenerateEcP256Key();
  Bytes message(432, 0x5a);
  if (!key.ok()) return;
  crypto::EvpMdCtxPtr sctx(EVP_MD_CTX_new());
  size_t len = 0;
  EVP_DigestSignInit(sctx.get(), nullptr, EVP_sha256(), nullptr, key->get());
  EVP_DigestSign(sctx.get(), nullptr, &len, message.data(), message.size());
  Bytes sig(len);
  EVP_DigestSign(sctx.get(), sig.data(), &len, message.data(), message.size());
  sig.resize(len);
  for (auto _ : state) {
    crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->get());
    int ok = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(), message.size());
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OpenSslEcdsaP256Verify)->MinTime(2.0);

// Captures items/second per benchmark to print the ratio.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rates_[run.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  double rate(const std::string& name) const {
    auto it = rates_.find(name);
    return it == rates_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double verify = reporter.rate("BM_VerifyQuoteCached/min_time:2.000");
  const double ecdsa = reporter.rate("BM_OpenSslEcdsaP256Verify/min_time:2.000");
  if (verify > 0 && ecdsa > 0) {
    std::printf(
        "cached quote verifications/s = %.0f, OpenSSL ECDSA P-256 verifications/s = "
        "%.0f, ratio verify/ecdsa = %.3f (goal >= 0.4, ideal 0.5)\n",
        verify, ecdsa, verify / ecdsa);
  }
  benchmark::Shutdown();
  return 0;
}
