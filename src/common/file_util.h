// Files: bounded reads, crash-safe atomic replacement, and advisory locks.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"

namespace scone {

// Reads a whole file. Fails with kNotFound if it does not exist, kInvalidArgument if it is
// larger than `max_size` (so a hostile or mistaken path cannot exhaust memory), and
// kIoError otherwise.
Result<std::string> ReadFile(const std::filesystem::path& path, size_t max_size = 16 << 20);

// Whether a function follows a symbolic link in the last component of a path.
enum class Symlinks {
  kFollow,
  // The path itself must not be a link (O_NOFOLLOW): kFailedPrecondition saying so, also
  // for a dangling link. Links in the folders above are still followed.
  kRefuse,
};

// Reads a file that holds secrets (private keys, sealing secrets). Like ReadFile, and the
// checks are made on the opened file itself: it must be a regular file owned by the
// effective user with no group or other permission bits (kPermissionDenied otherwise, with
// the `chmod 600` to run). The content is returned in wiping memory.
Result<SecretBytes> ReadPrivateFile(const std::filesystem::path& path, size_t max_size,
                                    Symlinks symlinks = Symlinks::kFollow);

// Replaces `path` with `content` so that a reader (or a crash) sees either the old or the
// new file, never a mix: writes a temporary file in the same folder with `mode`, fsyncs it,
// renames it over `path` and fsyncs the folder. The temporary file is removed on failure.
Status WriteFileAtomic(const std::filesystem::path& path, ByteView content, mode_t mode);

// Creates `dir` (and its parents) if missing; a folder it creates gets `mode`.
Status EnsureDirectory(const std::filesystem::path& dir, mode_t mode);

// An exclusive advisory lock (flock) on a lock file, held until destruction. Locks on one
// file serialise cooperating processes; they do not stop a process that ignores them.
class FileLock {
 public:
  // Blocks until the lock is held. Creates the lock file with mode 0600 if needed. The lock
  // file must not be a symbolic link (kFailedPrecondition, also for a dangling one): a link
  // planted there would make us create or lock a file of someone else's choosing.
  static Result<FileLock> Acquire(const std::filesystem::path& lock_path);
  // Takes the lock without waiting: nullopt if another holder has it. flock locks belong to
  // the open file description, so a second TryAcquire on the same file fails even within
  // one process. The lock file is created and checked as by Acquire.
  static Result<std::optional<FileLock>> TryAcquire(const std::filesystem::path& lock_path);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// strerror text for an errno value.
std::string ErrnoText(int err);

}  // namespace scone
