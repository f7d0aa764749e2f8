// Applying a delivered configuration (docs/runtime.md "Delivery") before the program starts:
// injection files written, working directory changed, argv and envp built.
//
//   argv  the policy's command, each argument that is exactly `@@N` (N >= 1) replaced by host
//         argument N; without a command in the policy, the host's arguments as given. The
//         program run is always the one scone-run opened and las measured: argv[0] is only
//         what the program sees as its name.
//   envp  the policy's environment only (no variable of the host reaches the program).
//   files every injection file, before the program starts: missing parent folders are made
//         with mode 0700; the file is written to a new temporary file in its folder (O_EXCL,
//         the file's mode), synced and renamed over the path, so a symbolic link at the path
//         is replaced, never followed, and a reader sees the old or the new file, never a part.
//   pwd   chdir to it (it must exist).
//
// Strings that may hold secrets stay in SecretBytes (wiped when freed) up to execve.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/secret.h"
#include "common/status.h"
#include "runtime/enclave_client.h"

namespace scone::runtime {

// What execve needs. The pointer arrays point into the storage and end in nullptr; an
// ExecPlan must not be copied (the pointers would dangle), only moved.
struct ExecPlan {
  std::vector<SecretBytes> argv_storage;  // each NUL-terminated
  std::vector<SecretBytes> env_storage;   // "NAME=VALUE", NUL-terminated
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::optional<std::string> pwd;

  ExecPlan() = default;
  ExecPlan(const ExecPlan&) = delete;
  ExecPlan& operator=(const ExecPlan&) = delete;
  ExecPlan(ExecPlan&&) noexcept = default;
  ExecPlan& operator=(ExecPlan&&) noexcept = default;
};

// argv and envp from `config`; `host_args` are the program's arguments as scone-run got them,
// host_args[0] being the program's name (so `@@1` is host_args[1]). kInvalidArgument for `@@N`
// beyond the host arguments. Touches nothing.
Result<ExecPlan> BuildExecPlan(const Configuration& config, std::span<const std::string> host_args);

// Writes every injection file as described above; stops at the first error, naming the path.
Status WriteInjectionFiles(const Configuration& config);

// WriteInjectionFiles, BuildExecPlan, then chdir to the policy's pwd.
Result<ExecPlan> ApplyConfiguration(const Configuration& config,
                                    std::span<const std::string> host_args);

}  // namespace scone::runtime
