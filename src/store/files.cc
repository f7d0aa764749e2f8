#include "store/files.h"

#include <fcntl.h>
#include <sys/stat.h>
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

}  // namespace scone::store
