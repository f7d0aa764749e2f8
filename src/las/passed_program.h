// Quotes for a program that the runtime passes (docs/las.md, "Quotes for a passed program").
//
// `scone-run`, the simulated enclave loader, opens a program once, has las measure that open
// file and finally executes the same open file (fexecve), so that nothing can be swapped in
// between. It names the program by its own descriptor number; las opens `fd/N` of the
// caller's /proc directory, the one it measured the caller through, which reaches the very
// file the caller holds open whatever its path names by now. The signature file is passed
// the same way (the runtime opens `PROGRAM.sig` beside the path it opened).
//
// This hands a caller a quote for an identity it does not run itself, so las serves it only
// to the runtime it trusts (TrustedRuntime): the caller is measured as for every quote and
// its MRENCLAVE must be the trusted runtime's. The runtime only passes files its user could
// open for reading, and las checks that the descriptor is open for reading (not O_PATH), so
// las, which may run as root, reveals no file its caller could not read itself.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "common/bytes.h"
#include "common/status.h"
#include "platform/enclave_identity.h"

namespace scone::las {

// The runtime las trusts, by path (default: `scone-run` beside the `las` binary; `las
// --runtime PATH` names another). Its MRENCLAVE is measured when first needed and again
// whenever the file at the path changes (device, inode, size, mtime, ctime), so an updated
// runtime is trusted without restarting las. Thread-safe.
class TrustedRuntime {
 public:
  explicit TrustedRuntime(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  // MRENCLAVE of the file at path(): kFailedPrecondition naming the path and `--runtime` if
  // there is none (or it cannot be measured).
  Result<ByteArray<32>> Measurement() const;

 private:
  using Stamp = std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t>;
  std::string path_;
  mutable std::mutex mu_;
  mutable std::optional<std::pair<Stamp, ByteArray<32>>> cached_;
};

// `scone-run` in the folder of the running program (/proc/self/exe): las's default runtime.
std::string DefaultRuntimePath();

// The identity of the program the caller holds open as descriptor `program_fd`, with the
// signature file it holds open as `signature_fd` (none: the built-in debug signer), read
// through `proc_dir`, an open /proc/PID directory of the caller. The DEBUG attribute is as
// the signature file says.
//
// Errors: kNotFound if the caller has no such descriptor; kPermissionDenied if it is not
// open for reading (O_PATH or write-only) or is not a regular file; kFailedPrecondition if
// the file changed while it was measured; and the errors of
// platform::IdentityOfMeasuredProgram (a signature that does not verify or was made for
// other bytes).
Result<platform::EnclaveIdentity> MeasurePassedProgram(int proc_dir, int program_fd,
                                                       std::optional<int> signature_fd);

}  // namespace scone::las
