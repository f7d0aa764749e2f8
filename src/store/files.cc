#include "store/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/file_util.h"

namespace scone::store {
namespace fs = std::filesystem;
namespace {

Status ErrnoStatus(int err, const std::string& what, const fs::path& path) {
  std::string m = what + " " + path.string() + ": " + ErrnoText(err);
  if (err == EACCES || err == EPERM) return PermissionDenied(std::move(m));
  return IoError(std::move(m));
}

void SyncFolderOf(const fs::path& path) {
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);  // best effort: some file systems refuse fsync on folders
    ::close(fd);
  }
}

}  // namespace

Result<bool> EntryExists(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return ErrnoStatus(errno, "cannot inspect", path);
}

Status RenameDurably(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoStatus(errno, "cannot rename " + from.string() + " to", to);
  }
  SyncFolderOf(to);
  return Status::Ok();
}

Status RemoveDurably(const fs::path& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus(errno, "cannot remove", path);
  }
  SyncFolderOf(path);
  return Status::Ok();
}

Result<std::unique_ptr<WalSync>> WalSync::Open(const fs::path& wal) {
  int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open the write-ahead log", wal);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = ErrnoStatus(errno, "cannot inspect the write-ahead log", wal);
    ::close(fd);
    return s;
  }
  if (::fdatasync(fd) != 0) {
    Status s = ErrnoStatus(errno, "cannot sync the write-ahead log", wal);
    ::close(fd);
    return s;
  }
  SyncFolderOf(wal);
  return std::unique_ptr<WalSync>(new WalSync(wal, fd, st.st_dev, st.st_ino));
}

WalSync::~WalSync() { ::close(fd_); }

Result<uint64_t> WalSync::SyncAtLeast(uint64_t seq, const std::atomic<uint64_t>& committed) {
  std::lock_guard<std::mutex> guard(mu_);
  if (durable_ >= seq) return durable_;
  // Every commit counted here has written its frames: the sync below covers them.
  uint64_t target = committed.load(std::memory_order_acquire);
  if (target < seq) return Internal("store: asked to sync a commit that has not happened");
  // SQLite keeps the log while the connection is open; a replaced file would make the sync
  // below cover nothing, so that is checked rather than assumed. Only the inode number is
  // asked for: on kernels with fine-grained timestamps (Linux 6.13 and later), a query of
  // the file's times makes its next write update them, and fdatasync then writes the inode
  // as well, one more disk write per commit (docs/store.md "Durability").
  struct statx stx {};
  if (::statx(AT_FDCWD, path_.c_str(), 0, STATX_INO, &stx) != 0 ||
      (stx.stx_mask & STATX_INO) == 0 || makedev(stx.stx_dev_major, stx.stx_dev_minor) != dev_ ||
      stx.stx_ino != ino_) {
    return IoError("the write-ahead log " + path_.string() +
                   " was removed or replaced while the database was open");
  }
  if (::fdatasync(fd_) != 0) {
    return ErrnoStatus(errno, "cannot sync the write-ahead log", path_);
  }
  durable_ = target;  // durable_ < seq <= target
  return durable_;
}

}  // namespace scone::store
