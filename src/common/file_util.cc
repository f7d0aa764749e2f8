#include "common/file_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "common/hex.h"

namespace scone {
namespace fs = std::filesystem;

std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r returns a pointer that may or may not be buf.
  const char* text = strerror_r(err, buf, sizeof(buf));
  return text;
}

namespace {

Status ErrnoStatus(int err, const std::string& what, const fs::path& path) {
  std::string m = what + " " + path.string() + ": " + ErrnoText(err);
  if (err == ENOENT) return NotFound(std::move(m));
  if (err == EACCES || err == EPERM) return PermissionDenied(std::move(m));
  return IoError(std::move(m));
}

// open(O_NOFOLLOW) fails with ELOOP when the last component is a symbolic link.
Status SymlinkRefused(const fs::path& path) {
  return FailedPrecondition(path.string() +
                            " is a symbolic link, which is not followed for this file; "
                            "remove the link, or replace it with the file it points to");
}

// Opens (creating with 0600 if needed) a lock file that must not be a symbolic link.
Result<int> OpenLockFile(const fs::path& lock_path) {
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0 && errno == ELOOP) return SymlinkRefused(lock_path);
  if (fd < 0) return ErrnoStatus(errno, "cannot open lock file", lock_path);
  return fd;
}

// Closes fd on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports failure (close can report a delayed write error).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

bool WriteAll(int fd, ByteView data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Result<std::string> ReadFile(const fs::path& path, size_t max_size) {
  // O_NONBLOCK: opening a FIFO must not block; only regular files are read.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (S_ISDIR(st.st_mode)) return InvalidArgument(path.string() + " is a directory, not a file");
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path.string() + " is not a regular file");
  if (static_cast<size_t>(st.st_size) > max_size) {
    return InvalidArgument(path.string() + " is larger than the limit of " +
                           std::to_string(max_size) + " bytes");
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size) {
      return InvalidArgument(path.string() + " is larger than the limit of " +
                             std::to_string(max_size) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<SecretBytes> ReadPrivateFile(const fs::path& path, size_t max_size, Symlinks symlinks) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  if (symlinks == Symlinks::kRefuse) flags |= O_NOFOLLOW;
  int fd = ::open(path.c_str(), flags);
  if (fd < 0 && errno == ELOOP && symlinks == Symlinks::kRefuse) return SymlinkRefused(path);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path.string() + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    (void)std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return PermissionDenied(path.string() + " is accessible by other users (mode " + mode +
                            ") but holds secret key material: restrict it with `chmod 600 " +
                            path.string() + "`, and if others may have read it, replace it");
  }
  if (st.st_uid != ::geteuid()) {
    return PermissionDenied(path.string() + " belongs to another user (uid " +
                            std::to_string(st.st_uid) + ")");
  }
  if (static_cast<size_t>(st.st_size) > max_size) {
    return InvalidArgument(path.string() + " is larger than the limit of " +
                           std::to_string(max_size) + " bytes");
  }
  SecretBytes out(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.RevealMutable() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot read", path);
    if (n == 0) return IoError(path.string() + " shrank while it was read; try again");
    done += static_cast<size_t>(n);
  }
  return out;
}

Status WriteFileAtomic(const fs::path& path, ByteView content, mode_t mode) {
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  uint8_t rnd[8];
  std::random_device rd;
  for (auto& b : rnd) b = static_cast<uint8_t>(rd());
  fs::path tmp = dir / ("." + path.filename().string() + ".tmp-" + HexEncode(rnd));

  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus(errno, "cannot create", tmp);
  FdCloser closer(fd);
  auto fail = [&](int err, const std::string& what) {
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, what, tmp);
  };
  // The umask may have narrowed `mode`; set it exactly.
  if (::fchmod(fd, mode) != 0) return fail(errno, "cannot set the mode of");
  if (!WriteAll(fd, content)) return fail(errno, "cannot write");
  if (::fsync(fd) != 0) return fail(errno, "cannot sync");
  if (closer.Close() != 0) return fail(errno, "cannot close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(errno, "cannot rename onto");

  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // best effort: some file systems refuse fsync on folders
    ::close(dfd);
  }
  return Status::Ok();
}

Status EnsureDirectory(const fs::path& dir, mode_t mode) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  if (!dir.parent_path().empty() && dir.parent_path() != dir) {
    SCONE_RETURN_IF_ERROR(EnsureDirectory(dir.parent_path(), mode));
  }
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "cannot create folder", dir);
  }
  return Status::Ok();
}

Result<FileLock> FileLock::Acquire(const fs::path& lock_path) {
  SCONE_ASSIGN_OR_RETURN(int fd, OpenLockFile(lock_path));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "cannot lock", lock_path);
  }
  return FileLock(fd);
}

Result<std::optional<FileLock>> FileLock::TryAcquire(const fs::path& lock_path) {
  SCONE_ASSIGN_OR_RETURN(int fd, OpenLockFile(lock_path));
  FileLock lock(fd);  // closes fd on every return below
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return std::optional<FileLock>(std::move(lock));
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return std::optional<FileLock>();
    return ErrnoStatus(errno, "cannot lock", lock_path);
  }
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace scone
