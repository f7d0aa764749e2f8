// What every `scone` command needs besides its own flags: where the CLI state lives, which
// identity to use, how to print, what time it is, and how to reach a server. Tests construct
// one with their own streams and clock, and may replace the network and the waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "cli/config_store.h"
#include "cli/https.h"
#include "cli/identity.h"
#include "common/status.h"

namespace scone::cli {

enum class OutputFormat { kText, kJson };

class Context {
 public:
  Context(std::ostream& out, std::ostream& err, std::function<int64_t()> clock)
      : https(RealHttpsTransport()),
        sleep([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }),
        out_(out),
        err_(err),
        clock_(std::move(clock)) {}

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  int64_t Now() const { return clock_(); }

  // Set by the global --config flag; empty means $SCONE_CLI_CONFIG or the default.
  std::string config_flag;
  // Set by a command's --identity flag; empty means the identity of the CLI state.
  std::string identity_file;
  // Set by a command's --format flag.
  std::string format = "text";
  OutputFormat output_format() const {
    return format == "json" ? OutputFormat::kJson : OutputFormat::kText;
  }

  // The CLI state store (does not touch the file yet).
  Result<ConfigStore> Store() const;
  // The identity for this command: --identity FILE if given, else the CLI state's (which
  // is created on first use).
  Result<Identity> LoadIdentity() const;

  // Prints `value` as indented JSON followed by a newline.
  void PrintJson(const nlohmann::json& value);

  // How `scone cas ...` sends HTTPS requests: RealHttpsTransport() unless a test sets it.
  HttpsTransport https;
  // How commands wait between attempts: std::this_thread::sleep_for unless a test sets it.
  std::function<void(std::chrono::milliseconds)> sleep;

 private:
  std::ostream& out_;
  std::ostream& err_;
  std::function<int64_t()> clock_;
};

}  // namespace scone::cli
