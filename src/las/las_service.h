// The local attestation service (DESIGN.md §5, docs/las.md): the simulated platform's
// quoting enclave and CPU, as an HTTP API on a Unix socket (and, for tests only, on TCP).
//
//   GET  /v1/collateral    the PCS-format collateral for this platform's quotes
//   POST /v1/quote         {"report_data": hex (<= 64 bytes)[, "program": path (testing TCP)]
//                           [, "collateral": true]}
//                          -> {"quote": hex, "enclave": {...}[, "collateral": {...}]}
//   POST /v1/program-quote {"report_data": hex, "program_fd": N[, "signature_fd": N]
//                           [, "collateral": true]} -> as /v1/quote, for the program the
//                          caller holds open (Unix socket; only the trusted runtime)
//   POST /v1/seal-key      {"policy": "mrenclave"|"mrsigner"[, "key_isvsvn": n]}
//                          -> {"key": hex}  (Unix socket only: the simulated EGETKEY)
//   GET  /v1/sim-root-ca   the simulated root CA certificate (PEM)
//
// Who the caller is: on the Unix socket, LAS measures the process that wrote the request
// (its pid as the kernel attaches it to the bytes, /proc/PID/exe and the signature file),
// so no process obtains a quote or a seal key for an identity it does not have. Only with
// LasOptions::only_for_testing_named_programs (`las --only_for_testing-tcp`) may a caller on
// TCP name a program instead; las measures that file (if every user may measure it, see
// named_program.h) and every such quote carries the DEBUG attribute, so that no production
// policy accepts it. Seal keys are never served on TCP. The one caller that obtains quotes
// for another program is the runtime las trusts (`scone-run`, LasOptions::runtime_path): it
// passes the program it is about to execute as an open file (passed_program.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "common/status.h"
#include "las/passed_program.h"
#include "net/http.h"
#include "platform/enclave_identity.h"
#include "platform/platform.h"

namespace scone::las {

class ProcessDir;  // a process's /proc directory (las_service.cc)

struct LasOptions {
  // TESTING ONLY (`las --only_for_testing-tcp`): a caller that is not on the Unix socket may
  // name the program to quote. Its quotes always carry the DEBUG attribute, whatever the
  // program's signature file says. Without it, quotes are only for measured callers.
  bool only_for_testing_named_programs = false;
  // The runtime (`scone-run`) whose callers may have a program they pass measured and
  // quoted (/v1/program-quote): a caller is served only if its MRENCLAVE is the one of the
  // file at this path. Empty: no runtime is trusted (such requests are refused).
  std::string runtime_path;
};

class LasService {
 public:
  LasService(std::shared_ptr<const platform::Platform> platform, std::function<int64_t()> clock,
             LasOptions options = {})
      : platform_(std::move(platform)),
        clock_(std::move(clock)),
        options_(std::move(options)),
        runtime_(options_.runtime_path) {}

  // Thread-safe; never throws.
  net::HttpResponse Handle(const net::HttpRequest& request, const net::PeerInfo& peer) const;

 private:
  Result<net::HttpResponse> Dispatch(const net::HttpRequest& request,
                                     const net::PeerInfo& peer) const;
  Result<net::HttpResponse> Quote(const net::HttpRequest& request, const net::PeerInfo& peer) const;
  Result<net::HttpResponse> ProgramQuote(const net::HttpRequest& request,
                                         const net::PeerInfo& peer) const;
  Result<net::HttpResponse> SealKey(const net::HttpRequest& request,
                                    const net::PeerInfo& peer) const;

  // MeasureProcess with caches: hashing an executable is the expensive part of a quote,
  // so the identity is reused while the running file, the file at its path and its
  // signature file are all unchanged (device, inode, size, mtime, ctime); and a caller's
  // /proc directory, with its pid namespace checked, is kept while the process lives.
  // `process` (if given) receives the caller's /proc directory the measurement used.
  Result<platform::EnclaveIdentity> MeasureCaller(
      pid_t pid, std::shared_ptr<const ProcessDir>* process = nullptr) const;
  // The /proc directory of `pid` with its pid namespace checked: the remembered one unless
  // `fresh`, else opened and checked now (and remembered).
  Result<std::shared_ptr<const ProcessDir>> Process(pid_t pid, bool fresh) const;

  std::shared_ptr<const platform::Platform> platform_;
  std::function<int64_t()> clock_;
  LasOptions options_;
  TrustedRuntime runtime_;

  using FileStamps = std::vector<std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t>>;
  struct CachedMeasurement {
    FileStamps stamps;
    platform::EnclaveIdentity identity;
  };
  mutable std::mutex cache_mu_;
  mutable std::map<std::string, CachedMeasurement> cache_;  // by executable path
  mutable std::map<pid_t, std::shared_ptr<const ProcessDir>> processes_;
};

// The identity of the process `pid` as the simulated CPU sees it: the executable it runs
// (/proc/PID/exe) measured, with the signature file beside its path. Everything is read
// through one open /proc/PID directory, so a process that exits (and whose pid is reused)
// meanwhile fails the measurement. Fails too if the process exec'ed another executable
// while being measured, or if the file on disk no longer is the one the process runs.
Result<platform::EnclaveIdentity> MeasureProcess(pid_t pid);

}  // namespace scone::las
