#include "runtime/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "common/file_util.h"
#include "platform/enclave_identity.h"

namespace scone::runtime {
namespace {

constexpr char kDefaultSearchPath[] = "/usr/local/bin:/usr/bin:/bin";

std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t> StampOf(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
          static_cast<int64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
}

// The file `program` names: itself if it holds a '/', else the first executable regular
// file of that name on the search path.
Result<std::string> Locate(const std::string& program,
                           const std::optional<std::string>& search_path) {
  if (program.empty()) return InvalidArgument("the program's name is empty");
  if (program.find('/') != std::string::npos) return program;
  std::string dirs = search_path.value_or("");
  if (dirs.empty()) dirs = kDefaultSearchPath;
  for (size_t begin = 0; begin <= dirs.size();) {
    size_t end = dirs.find(':', begin);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(begin, end - begin);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    begin = end + 1;
  }
  return NotFound("there is no program " + program + " on the search path ($PATH)");
}

Status OpenError(const std::string& what, int err) {
  std::string m = "cannot open " + what + ": " + ErrnoText(err);
  if (err == ENOENT) return NotFound(std::move(m));
  if (err == EACCES || err == EPERM) return PermissionDenied(std::move(m));
  return IoError(std::move(m));
}

}  // namespace

Result<OpenProgram> OpenProgram::Open(const std::string& program,
                                      const std::optional<std::string>& search_path) {
  SCONE_ASSIGN_OR_RETURN(std::string path, Locate(program, search_path));
  // O_NONBLOCK: a FIFO in its place must not hang the loader; it is refused below.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return OpenError("the program " + path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path + " is not a regular file, so it is no program");
  }
  // Back to blocking reads (the open file description is shared with las's reads only
  // through its own open, so this concerns our reads alone).
  (void)::fcntl(fd, F_SETFL, 0);
  std::string sig_path = platform::SignatureFilePath(path).string();
  int sig = ::open(sig_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (sig < 0 && errno != ENOENT) {
    int err = errno;
    ::close(fd);
    return OpenError("the signature file " + sig_path, err);
  }
  struct stat sig_st {};
  if (sig >= 0 && (::fstat(sig, &sig_st) != 0 || !S_ISREG(sig_st.st_mode))) {
    ::close(sig);
    ::close(fd);
    return InvalidArgument(sig_path + " is not a regular file, so it is no signature file");
  }
  return OpenProgram(std::move(path), fd, sig, StampOf(st));
}

OpenProgram::OpenProgram(OpenProgram&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      signature_fd_(std::exchange(other.signature_fd_, -1)),
      stamp_(std::move(other.stamp_)) {}

OpenProgram::~OpenProgram() {
  if (fd_ >= 0) ::close(fd_);
  if (signature_fd_ >= 0) ::close(signature_fd_);
}

Result<ByteArray<32>> OpenProgram::Measure() const {
  if (::lseek(fd_, 0, SEEK_SET) != 0) {
    return IoError("cannot read the program " + path_ + ": " + ErrnoText(errno));
  }
  return platform::MeasureOpenProgram(fd_, path_);
}

Status OpenProgram::CheckUnchanged() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || StampOf(st) != stamp_) {
    return FailedPrecondition("the program " + path_ +
                              " was written to after scone-run opened it; its measurement no "
                              "longer says what would run: start it again");
  }
  return Status::Ok();
}

Status OpenProgram::Exec(const std::vector<std::string>& argv,
                         const std::vector<std::string>& envp) const {
  std::vector<char*> args;
  std::vector<char*> env;
  args.reserve(argv.size() + 1);
  env.reserve(envp.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));  // NOLINT
  for (const auto& e : envp) env.push_back(const_cast<char*>(e.c_str()));   // NOLINT
  args.push_back(nullptr);
  env.push_back(nullptr);
  return Exec(args.data(), env.data());
}

Status OpenProgram::Exec(char* const argv[], char* const envp[]) const {
  ::fexecve(fd_, argv, envp);
  int err = errno;
  char head[2] = {};
  if (err == ENOENT && ::pread(fd_, head, 2, 0) == 2 && head[0] == '#' && head[1] == '!') {
    // The kernel hands a script's interpreter a path to reopen (/dev/fd/N), which a
    // close-on-exec descriptor no longer has: and the measured bytes would not be the code
    // that runs, the interpreter would be.
    return InvalidArgument(path_ +
                           " is a script; scone-run runs programs (ELF executables): run the "
                           "interpreter as the program and the script as its argument");
  }
  if (err == EACCES) {
    return PermissionDenied("cannot execute " + path_ + ": " + ErrnoText(err) +
                            " (is it executable, on a file system mounted without noexec?)");
  }
  return IoError("cannot execute " + path_ + ": " + ErrnoText(err));
}

}  // namespace scone::runtime
