// File operations the store needs beyond common/file_util.h: a lock taken without waiting,
// and renames and removals that are durable (the folder is synced afterwards).
#pragma once

#include <filesystem>
#include <optional>

#include "common/status.h"

namespace scone::store {

// An exclusive flock on a lock file, taken without blocking and held until destruction.
// flock locks belong to the open file description, so a second TryAcquire on the same file
// fails even within one process. The lock file is never removed (removing it would let two
// processes lock two different files of the same name).
class ExclusiveFileLock {
 public:
  // The lock, or nullopt if another holder has it. Creates the lock file with mode 0600 if
  // needed; kIoError (or kPermissionDenied) if it cannot be opened or locked.
  static Result<std::optional<ExclusiveFileLock>> TryAcquire(const std::filesystem::path& path);

  ExclusiveFileLock(ExclusiveFileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ExclusiveFileLock& operator=(ExclusiveFileLock&& other) noexcept;
  ExclusiveFileLock(const ExclusiveFileLock&) = delete;
  ExclusiveFileLock& operator=(const ExclusiveFileLock&) = delete;
  ~ExclusiveFileLock();

 private:
  explicit ExclusiveFileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Whether a directory entry exists at `path` (a dangling symbolic link counts: it is not
// ours to replace). kIoError if that cannot be determined.
Result<bool> EntryExists(const std::filesystem::path& path);

// rename(2) followed by an fsync of the folder, so the rename survives a crash.
Status RenameDurably(const std::filesystem::path& from, const std::filesystem::path& to);

// Removes `path` if it exists, then syncs the folder.
Status RemoveDurably(const std::filesystem::path& path);

}  // namespace scone::store
