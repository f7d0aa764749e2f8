// Running `scone` inside a test: cli::Run with the test's streams, clock and transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/app.h"
#include "cli/context.h"
#include "cli/https.h"

namespace scone::cli::testing {

struct RunResult {
  int code = 0;
  std::string out;
  std::string err;
};

// Runs `args` (starting with "scone") at time `now`; `setup` may replace the context's
// transport and sleep before the command runs.
inline RunResult RunScone(const std::vector<std::string>& args, int64_t now,
                          const std::function<void(Context&)>& setup = {}) {
  std::ostringstream out;
  std::ostringstream err;
  Context ctx(out, err, [now] { return now; });
  if (setup) setup(ctx);
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) argv.push_back(a.c_str());
  RunResult r;
  r.code = ::scone::cli::Run(static_cast<int>(argv.size()), argv.data(), ctx);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// `scone ARGS --config CONFIG` at time `now`, without waiting between retries; `https`
// replaces the network if given.
inline RunResult RunScone(std::vector<std::string> args, const std::string& config, int64_t now,
                          HttpsTransport https = nullptr) {
  args.insert(args.begin(), "scone");
  args.push_back("--config");
  args.push_back(config);
  return RunScone(args, now, [&https](Context& ctx) {
    if (https) ctx.https = std::move(https);
    ctx.sleep = [](std::chrono::milliseconds) {};
  });
}

}  // namespace scone::cli::testing
