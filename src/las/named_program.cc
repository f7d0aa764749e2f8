#include "las/named_program.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "common/file_util.h"

namespace scone::las {
namespace {

// Signature files are small (a key and a signature); more is not read.
constexpr size_t kMaxSignatureFileSize = 64 << 10;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string ModeText(mode_t mode) {
  char text[8];
  (void)std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Opens `name` in `dir` without following a link and without reading it (O_PATH: no
// device is opened, no FIFO waited on), and stats what was opened.
Result<std::pair<Fd, struct stat>> OpenEntry(int dir, const std::string& name,
                                             const std::string& shown) {
  int fd = ::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound(shown + " does not exist");
    if (err == ENOTDIR) return NotFound(shown + " does not exist (a component is no directory)");
    return PermissionDenied("las cannot open " + shown + ": " + ErrnoText(err));
  }
  Fd entry(fd);
  struct stat st {};
  if (::fstat(entry.get(), &st) != 0) {
    return PermissionDenied("las cannot look at " + shown + ": " + ErrnoText(errno));
  }
  return std::make_pair(std::move(entry), st);
}

// Opens for reading the very file that `entry` (an O_PATH descriptor of a checked regular
// file) refers to, whatever its path names by now.
Result<Fd> ReopenForReading(const Fd& entry, const std::string& shown) {
  std::string self = "/proc/self/fd/" + std::to_string(entry.get());
  int fd = ::open(self.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return PermissionDenied("las cannot read " + shown + ": " + ErrnoText(errno));
  return Fd(fd);
}

const char kRule[] = "las measures only files that every user may measure (docs/las.md)";

}  // namespace

Result<std::string> ReadSignatureFile(int fd, const std::string& shown) {
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read " + shown + ": " + ErrnoText(errno));
    if (n == 0) return out;
    if (out.size() + static_cast<size_t>(n) > kMaxSignatureFileSize) {
      return InvalidArgument(shown + " is larger than " + std::to_string(kMaxSignatureFileSize) +
                             " bytes; it is no signature file");
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

Result<platform::EnclaveIdentity> MeasureNamedProgram(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return InvalidArgument("name the program by its absolute path, not \"" + path + "\"");
  }
  if (path.size() > 4096) return InvalidArgument("the program's path is too long");
  std::vector<std::string> components;
  for (size_t begin = 0; begin <= path.size();) {
    size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(begin, end - begin);
    if (part == "..") {
      return InvalidArgument("name the program by a path without \"..\", not \"" + path + "\"");
    }
    if (!part.empty() && part != ".") components.push_back(std::move(part));
    begin = end + 1;
  }
  if (components.empty()) return PermissionDenied("/ is a directory, not a program");

  int root_fd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return PermissionDenied("las cannot open /: " + ErrnoText(errno));
  Fd dir(root_fd);
  std::string shown = "/";
  for (size_t i = 0;; ++i) {
    struct stat st {};
    if (::fstat(dir.get(), &st) != 0) {
      return PermissionDenied("las cannot look at " + shown + ": " + ErrnoText(errno));
    }
    if ((st.st_mode & S_IXOTH) == 0) {
      return PermissionDenied("the directory " + shown + " (mode " + ModeText(st.st_mode) +
                              ") may not be searched by every user; " + kRule);
    }
    const std::string& name = components[i];
    shown = (shown == "/" ? "/" : shown + "/") + name;
    SCONE_ASSIGN_OR_RETURN(auto entry, OpenEntry(dir.get(), name, shown));
    if (S_ISLNK(entry.second.st_mode)) {
      return PermissionDenied(shown + " is a symbolic link; name the program by its real path");
    }
    if (i + 1 == components.size()) {
      const struct stat& file = entry.second;
      if (S_ISDIR(file.st_mode)) return PermissionDenied(shown + " is a directory, not a program");
      if (!S_ISREG(file.st_mode)) {
        return PermissionDenied(shown + " is not a regular file (a device, FIFO or socket)");
      }
      if ((file.st_mode & (S_ISUID | S_ISGID)) != 0) {
        return PermissionDenied(shown + " is setuid or setgid (mode " + ModeText(file.st_mode) +
                                "); las does not measure such programs");
      }
      if ((file.st_mode & (S_IROTH | S_IXOTH)) != (S_IROTH | S_IXOTH)) {
        return PermissionDenied(shown + " (mode " + ModeText(file.st_mode) +
                                ") may not be read and executed by every user; " + kRule);
      }
      SCONE_ASSIGN_OR_RETURN(Fd program, ReopenForReading(entry.first, shown));
      SCONE_ASSIGN_OR_RETURN(ByteArray<32> mrenclave,
                             platform::MeasureOpenProgram(program.get(), shown));

      const std::string sig_name = name + ".sig";
      const std::string sig_shown = shown + ".sig";
      std::optional<std::string> signature;
      auto sig = OpenEntry(dir.get(), sig_name, sig_shown);
      if (sig.ok()) {
        const struct stat& s = sig->second;
        if (!S_ISREG(s.st_mode)) {
          return PermissionDenied(sig_shown + " is not a regular file (a link, device or FIFO)");
        }
        if ((s.st_mode & S_IROTH) == 0) {
          return PermissionDenied(sig_shown + " (mode " + ModeText(s.st_mode) +
                                  ") may not be read by every user; " + kRule);
        }
        SCONE_ASSIGN_OR_RETURN(Fd sig_file, ReopenForReading(sig->first, sig_shown));
        SCONE_ASSIGN_OR_RETURN(signature, ReadSignatureFile(sig_file.get(), sig_shown));
      } else if (sig.status().code() != Code::kNotFound) {
        return sig.status();
      }
      return platform::IdentityOfMeasuredProgram(mrenclave, signature, shown, sig_shown);
    }
    if (!S_ISDIR(entry.second.st_mode)) return NotFound(shown + " is not a directory");
    dir = std::move(entry.first);
  }
}

}  // namespace scone::las
