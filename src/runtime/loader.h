// The loader half of `scone-run` (docs/runtime.md, "Loader"): a program opened once, whose
// open file is measured, quoted by las and finally executed, so that nothing can be swapped
// in between.
//
// Why an open file: a path can name another file by the time it is used (rename, symlink
// swap). The descriptor keeps the one file the loader opened; las measures exactly that file
// (passed as this process's descriptor, docs/las.md) and fexecve executes it, whatever the
// path names by then. What an open file does not stop is a write into the same file by
// someone allowed to write it; CheckUnchanged catches one made before it is called (the
// write changes the file's ctime, which no one can set back), and once the program runs the
// kernel refuses writes to it (ETXTBSY). docs/runtime.md states the remaining window.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace scone::runtime {

class OpenProgram {
 public:
  // Opens `program` for reading (close-on-exec). A name without '/' is looked up in
  // `search_path` (a $PATH value; empty or nullopt: "/usr/local/bin:/usr/bin:/bin"), as a
  // shell does: the first regular file with execute permission. Also opens `FILE.sig` beside
  // the file if it exists (the simulated SIGSTRUCT, docs/platform.md).
  //
  // Errors: kNotFound if there is no such program (or it is not on the search path),
  // kInvalidArgument if it is no regular file, kIoError/kPermissionDenied if it cannot be
  // opened (the signature file alike).
  static Result<OpenProgram> Open(const std::string& program,
                                  const std::optional<std::string>& search_path);

  OpenProgram(OpenProgram&& other) noexcept;
  OpenProgram& operator=(OpenProgram&&) = delete;
  OpenProgram(const OpenProgram&) = delete;
  OpenProgram& operator=(const OpenProgram&) = delete;
  ~OpenProgram();

  // The file as it was opened (after the search), for messages.
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }
  std::optional<int> signature_fd() const {
    return signature_fd_ >= 0 ? std::optional<int>(signature_fd_) : std::nullopt;
  }

  // MRENCLAVE of the open file (SHA-256 of its bytes, as `scone signer info` and las
  // compute it), read from its start.
  Result<ByteArray<32>> Measure() const;

  // kFailedPrecondition if the open file was written to (size, mtime or ctime changed) since
  // Open: what las measured may then not be what would run. Only ctime reveals a write
  // whose mtime was set back, and ctime also changes with chmod, a new link or an unlink
  // (another file renamed over the path): those are refused too, and a new start runs the
  // file the path names then.
  Status CheckUnchanged() const;

  // Executes the open file with `argv` and `envp` (fexecve). Returns only if that failed,
  // with a message that says why (a script, whose interpreter would have to reopen it by
  // path, is refused: kInvalidArgument).
  Status Exec(const std::vector<std::string>& argv, const std::vector<std::string>& envp) const;
  // The same with nullptr-terminated arrays (apply_config.h's ExecPlan, whose strings may
  // hold secrets and are never copied into std::string).
  Status Exec(char* const argv[], char* const envp[]) const;

 private:
  using Stamp = std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t>;
  OpenProgram(std::string path, int fd, int signature_fd, Stamp stamp)
      : path_(std::move(path)), fd_(fd), signature_fd_(signature_fd), stamp_(stamp) {}

  std::string path_;
  int fd_ = -1;
  int signature_fd_ = -1;
  Stamp stamp_;
};

}  // namespace scone::runtime
