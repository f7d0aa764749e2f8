// File operations the store needs beyond common/file_util.h: renames and removals that are
// durable (the folder is synced afterwards).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

#include "common/status.h"

namespace scone::store {

// Whether a directory entry exists at `path` (a dangling symbolic link counts: it is not
// ours to replace). kIoError if that cannot be determined.
Result<bool> EntryExists(const std::filesystem::path& path);

// rename(2) followed by an fsync of the folder, so the rename survives a crash.
Status RenameDurably(const std::filesystem::path& from, const std::filesystem::path& to);

// Removes `path` if it exists, then syncs the folder.
Status RemoveDurably(const std::filesystem::path& path);

// The write-ahead log of an open database, made durable by the store itself (docs/store.md
// "Durability"): SQLite commits with synchronous=NORMAL (it writes the log but does not sync
// it), and the store syncs the log before it acknowledges, without holding its mutex, so
// that the next group is written while this one reaches the disk.
class WalSync {
 public:
  // Opens `wal` (the database's "-wal" file, which SQLite keeps while the connection is
  // open) and syncs its folder once, so that the log itself survives a crash.
  static Result<std::unique_ptr<WalSync>> Open(const std::filesystem::path& wal);
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // Makes commit number `seq` durable: unless an earlier call already covered it, reads
  // `committed` (the number of commits whose COMMIT returned) and fdatasyncs the log, which
  // covers all of them. Returns the number of commits now known to be durable (>= seq).
  // One sync at a time; callers that arrive meanwhile usually find their commit covered.
  // kIoError if the sync fails or the file at the path is no longer the one opened (then
  // nothing written since the last good sync is known to be on disk: retire the store).
  Result<uint64_t> SyncAtLeast(uint64_t seq, const std::atomic<uint64_t>& committed);

 private:
  WalSync(std::filesystem::path path, int fd, dev_t dev, ino_t ino)
      : path_(std::move(path)), fd_(fd), dev_(dev), ino_(ino) {}

  std::filesystem::path path_;
  int fd_;
  dev_t dev_;
  ino_t ino_;
  std::mutex mu_;
  uint64_t durable_ = 0;  // guarded by mu_
};

}  // namespace scone::store
