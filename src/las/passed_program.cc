#include "las/passed_program.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "common/file_util.h"
#include "las/named_program.h"

namespace scone::las {
namespace {

using Stamp = std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t>;

Stamp StampOf(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
          static_cast<int64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// The open flags of the caller's descriptor `n`, from /proc/PID/fdinfo/N ("flags:\t0100000").
Result<unsigned long> DescriptorFlags(int proc_dir, int n, const std::string& who) {
  std::string name = "fdinfo/" + std::to_string(n);
  int fd = ::openat(proc_dir, name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno == ENOENT ? NotFound("the caller has no open file descriptor " + who)
                           : PermissionDenied("las cannot look at the caller's descriptor " + who +
                                              ": " + ErrnoText(errno));
  }
  Fd info(fd);
  char buf[512];
  ssize_t got = ::read(info.get(), buf, sizeof(buf) - 1);
  if (got <= 0) return PermissionDenied("las cannot read the caller's descriptor " + who);
  buf[got] = '\0';
  std::string text(buf, static_cast<size_t>(got));
  size_t at = text.find("flags:");
  if (at == std::string::npos) return PermissionDenied("no flags for descriptor " + who);
  return std::strtoul(text.c_str() + at + 6, nullptr, 8);
}

// Opens the file the caller holds as descriptor `n`, for reading, as a new open file
// description of the same file. Only regular files: a device or FIFO is never opened.
Result<std::pair<Fd, struct stat>> OpenDescriptor(int proc_dir, int n, const std::string& what) {
  const std::string who = std::to_string(n) + " (" + what + ")";
  SCONE_ASSIGN_OR_RETURN(unsigned long flags, DescriptorFlags(proc_dir, n, who));
  if ((flags & O_PATH) != 0 || (flags & O_ACCMODE) == O_WRONLY) {
    return PermissionDenied("the caller's descriptor " + who +
                            " is not open for reading; las measures only files the caller "
                            "could read itself");
  }
  const std::string link = "fd/" + std::to_string(n);
  struct stat before {};
  if (::fstatat(proc_dir, link.c_str(), &before, 0) != 0) {
    return errno == ENOENT ? NotFound("the caller has no open file descriptor " + who)
                           : PermissionDenied("las cannot look at the caller's descriptor " + who +
                                              ": " + ErrnoText(errno));
  }
  if (!S_ISREG(before.st_mode)) {
    return PermissionDenied("the caller's descriptor " + who + " is not a regular file");
  }
  int fd = ::openat(proc_dir, link.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return PermissionDenied("las cannot open the caller's descriptor " + who + ": " +
                            ErrnoText(errno));
  }
  Fd file(fd);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != before.st_dev ||
      st.st_ino != before.st_ino) {
    return FailedPrecondition("the caller's descriptor " + who + " changed while las opened it");
  }
  return std::make_pair(std::move(file), st);
}

// The path the caller's descriptor `n` names now (for messages only).
std::string ShownName(int proc_dir, int n) {
  char buf[4096];
  std::string link = "fd/" + std::to_string(n);
  ssize_t got = ::readlinkat(proc_dir, link.c_str(), buf, sizeof(buf) - 1);
  if (got <= 0) return "descriptor " + std::to_string(n);
  return std::string(buf, static_cast<size_t>(got));
}

}  // namespace

std::string DefaultRuntimePath() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (self.parent_path() / "scone-run").string();
}

Result<ByteArray<32>> TrustedRuntime::Measurement() const {
  const std::string hint =
      "; install scone-run beside las or name the runtime with `las --runtime PATH`";
  if (path_.empty()) return FailedPrecondition("las trusts no runtime" + hint);
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    return FailedPrecondition("the runtime las trusts, " + path_ + ", is missing (" +
                              ErrnoText(errno) + ")" + hint);
  }
  Stamp stamp = StampOf(st);
  std::lock_guard<std::mutex> lock(mu_);
  if (cached_.has_value() && cached_->first == stamp) return cached_->second;
  auto measured = platform::MeasureProgram(path_);
  if (!measured.ok()) {
    return FailedPrecondition("cannot measure the runtime las trusts, " + path_ + ": " +
                              measured.status().message() + hint);
  }
  // Remembered only if the file did not change while it was measured.
  if (::stat(path_.c_str(), &st) == 0 && StampOf(st) == stamp) cached_.emplace(stamp, *measured);
  return measured;
}

Result<platform::EnclaveIdentity> MeasurePassedProgram(int proc_dir, int program_fd,
                                                       std::optional<int> signature_fd) {
  SCONE_ASSIGN_OR_RETURN(auto program, OpenDescriptor(proc_dir, program_fd, "the program"));
  const std::string shown = ShownName(proc_dir, program_fd);
  SCONE_ASSIGN_OR_RETURN(ByteArray<32> mrenclave,
                         platform::MeasureOpenProgram(program.first.get(), shown));
  // A write to the file while it was hashed changes its mtime and ctime (ctime cannot be set
  // back by anyone): such a measurement is of no particular bytes.
  struct stat after {};
  if (::fstat(program.first.get(), &after) != 0 || StampOf(after) != StampOf(program.second)) {
    return FailedPrecondition(shown + " changed while las measured it");
  }
  std::optional<std::string> signature;
  std::string sig_shown = shown + ".sig";
  if (signature_fd.has_value()) {
    SCONE_ASSIGN_OR_RETURN(auto sig, OpenDescriptor(proc_dir, *signature_fd, "the signature"));
    sig_shown = ShownName(proc_dir, *signature_fd);
    SCONE_ASSIGN_OR_RETURN(signature, ReadSignatureFile(sig.first.get(), sig_shown));
  }
  return platform::IdentityOfMeasuredProgram(mrenclave, signature, shown, sig_shown);
}

}  // namespace scone::las
