// For tests of the CLI: running `scone` in this process (cli::Run) with captured output, a
// fixed clock, a given transport and no waiting. Header-only; not part of any library.
// (cas_commands_test.cc and attestation_commands_test.cc have their own copies of this,
// which may move here.)
#pragma once

#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
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

// `scone ARGS --config CONFIG` at time `now`; `https` replaces the network if given.
inline RunResult RunScone(std::vector<std::string> args, const std::string& config, int64_t now,
                          HttpsTransport https = nullptr) {
  std::ostringstream out;
  std::ostringstream err;
  Context ctx(out, err, [now] { return now; });
  if (https) ctx.https = std::move(https);
  ctx.sleep = [](std::chrono::milliseconds) {};
  args.insert(args.begin(), "scone");
  args.push_back("--config");
  args.push_back(config);
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) argv.push_back(a.c_str());
  RunResult r;
  r.code = ::scone::cli::Run(static_cast<int>(argv.size()), argv.data(), ctx);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace scone::cli::testing
