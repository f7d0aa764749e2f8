// Cost of the session pipeline against yaml-cpp's bare parse of the same file.
//
//   BM_YamlLoad           YAML::Load of testdata/sessions/bench/session_200.yaml
//   BM_LoadValidateHash   sdl::LoadSession (parse, substitute, validate) + SessionHash
//   BM_...WithCreator     the same, hashing with a creator certificate
//
// Goal (issue 5): the pipeline costs at most 1.5x the bare parse. The ratio is the
// BM_LoadValidateHash time divided by the BM_YamlLoad time of the same run.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "sdl/session.h"

namespace {

std::string ReadOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::exit(1);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& SessionText() {
  static const std::string text =
      ReadOrDie(std::string(SCONE_TESTDATA_DIR) + "/sessions/bench/session_200.yaml");
  return text;
}

const std::string& CreatorPem() {
  static const std::string pem =
      ReadOrDie(std::string(SCONE_TESTDATA_DIR) + "/sessions/certs/creator.pem");
  return pem;
}

void BM_YamlLoad(benchmark::State& state) {
  const std::string& text = SessionText();
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the idiom
    YAML::Node n = YAML::Load(text);
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_YamlLoad);

void Pipeline(benchmark::State& state, bool with_creator) {
  const std::string& text = SessionText();
  scone::sdl::Variables vars;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the idiom
    auto s = scone::sdl::LoadSession(text, "session_200.yaml", vars);
    if (!s.ok()) {
      state.SkipWithError(s.status().message().c_str());
      break;
    }
    auto h = scone::sdl::SessionHash(
        s->session, with_creator ? std::optional<std::string_view>(CreatorPem()) : std::nullopt);
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}

void BM_LoadValidateHash(benchmark::State& state) { Pipeline(state, false); }
BENCHMARK(BM_LoadValidateHash);

void BM_LoadValidateHashWithCreator(benchmark::State& state) { Pipeline(state, true); }
BENCHMARK(BM_LoadValidateHashWithCreator);

}  // namespace

BENCHMARK_MAIN();
