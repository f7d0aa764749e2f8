#include "las/las_service.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <utility>

#include "common/hex.h"
#include "common/log.h"
#include "las/las_protocol.h"
#include "las/named_program.h"

namespace scone::las {
using StampList = std::vector<std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t>>;

namespace {

// LAS's own pid and user namespaces (device and inode of their nsfs files).
struct Namespaces {
  bool ok = false;
  dev_t pid_dev = 0;
  ino_t pid_ino = 0;
  dev_t user_dev = 0;
  ino_t user_ino = 0;
};

Namespaces OwnNamespaces() {
  Namespaces n;
  struct stat pid {};
  struct stat user {};
  if (::stat("/proc/self/ns/pid", &pid) == 0 && ::stat("/proc/self/ns/user", &user) == 0) {
    n = {true, pid.st_dev, pid.st_ino, user.st_dev, user.st_ino};
  }
  return n;
}

}  // namespace

// A process's /proc directory, opened once: whatever is read through it is about that one
// process. If the process exits meanwhile, reads fail, even if its pid is reused.
class ProcessDir {
 public:
  static Result<ProcessDir> Open(pid_t pid) {
    if (pid <= 0) return PermissionDenied("the caller's process id is unknown");
    std::string path = "/proc/" + std::to_string(pid);
    int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return NotFound("process " + std::to_string(pid) + " is gone");
    return ProcessDir(pid, fd);
  }
  ProcessDir(ProcessDir&& other) noexcept : pid_(other.pid_), fd_(std::exchange(other.fd_, -1)) {}
  ProcessDir(const ProcessDir&) = delete;
  ProcessDir& operator=(const ProcessDir&) = delete;
  ProcessDir& operator=(ProcessDir&&) = delete;
  ~ProcessDir() {
    if (fd_ >= 0) ::close(fd_);
  }

  // The path of the executable the process runs now.
  Result<std::string> ExePath() const {
    char buf[4096];
    ssize_t n = ::readlinkat(fd_, "exe", buf, sizeof(buf) - 1);
    if (n <= 0) {
      return PermissionDenied("cannot see the executable of process " + std::to_string(pid_));
    }
    std::string path(buf, static_cast<size_t>(n));
    if (path.size() > 10 && path.compare(path.size() - 10, 10, " (deleted)") == 0) {
      return FailedPrecondition("the caller's executable " + path.substr(0, path.size() - 10) +
                                " was deleted or replaced after it started; restart it");
    }
    return path;
  }

  // Fails unless the process's pid namespace is LAS's own or is owned by LAS's user
  // namespace. The kernel lets a sender put any pid of its pid namespace in its credentials
  // if it holds CAP_SYS_ADMIN in the user namespace that owns that pid namespace, and any
  // user can create one (`unshare -Urpf`): there it could start a program and speak with that
  // program's pid. Callers in such namespaces (rootless containers) are therefore refused;
  // the host's and rootful containers' pid namespaces can only be forged for by root.
  Status CheckPidNamespace() const {
    const std::string who = "process " + std::to_string(pid_);
    struct stat st {};
    if (::fstatat(fd_, "ns/pid", &st, 0) != 0) {
      return PermissionDenied("cannot see the pid namespace of " + who);
    }
    static const Namespaces kOwn = OwnNamespaces();
    if (kOwn.ok && st.st_dev == kOwn.pid_dev && st.st_ino == kOwn.pid_ino) return Status::Ok();
    int ns = ::openat(fd_, "ns/pid", O_RDONLY | O_CLOEXEC);
    int owner = ns < 0 ? -1 : ::ioctl(ns, NS_GET_USERNS);
    bool same_owner = false;
    if (owner >= 0 && ::fstat(owner, &st) == 0) {
      same_owner = kOwn.ok && st.st_dev == kOwn.user_dev && st.st_ino == kOwn.user_ino;
    }
    if (owner >= 0) ::close(owner);
    if (ns >= 0) ::close(ns);
    if (owner < 0) return PermissionDenied("cannot see the namespaces of " + who);
    if (!same_owner) {
      return PermissionDenied(
          who +
          " runs in a pid namespace owned by another user namespace (a rootless "
          "container?), where credentials can be forged; run it in LAS's namespaces");
    }
    return Status::Ok();
  }

  // A path that opens the file the process runs (even if its path now names another file).
  std::string RunningExecutable() const { return "/proc/self/fd/" + std::to_string(fd_) + "/exe"; }
  int fd() const { return fd_; }

 private:
  ProcessDir(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_;
  int fd_;
};

namespace {

// Identity of the files a measurement depends on -- the file the process runs, the file at
// its path, and the signature file beside that -- with (0,...) for a file that is missing.
StampList Stamps(const ProcessDir& process, const std::string& path) {
  StampList out;
  auto add = [&out](int stat_result, const struct stat& st) {
    if (stat_result != 0) {
      out.emplace_back(0, 0, 0, 0, 0);
      return;
    }
    out.emplace_back(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                     static_cast<int64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                     static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec);
  };
  struct stat st {};
  add(::fstatat(process.fd(), "exe", &st, 0), st);
  add(::stat(path.c_str(), &st), st);
  add(::stat(platform::SignatureFilePath(path).c_str(), &st), st);
  return out;
}

// Measures the file `process` runs and reads the signature beside `path`, its path.
Result<platform::EnclaveIdentity> Measure(const ProcessDir& process, const std::string& path) {
  auto running = platform::MeasureProgram(process.RunningExecutable());
  if (!running.ok()) return running.status().WithContext("measuring the caller");
  auto id = platform::ReadEnclaveIdentity(path);
  if (!id.ok()) return id.status().WithContext("measuring the caller");
  if (id->mrenclave != *running) {
    return FailedPrecondition("the file " + path +
                              " is no longer the program the caller runs; restart it");
  }
  return id;
}

// Fails if `process` no longer runs the executable at `path` (it exec'ed meanwhile).
Status CheckStillRuns(const ProcessDir& process, const std::string& path) {
  SCONE_ASSIGN_OR_RETURN(std::string now, process.ExePath());
  if (now != path) return PermissionDenied("the caller changed its program while it was measured");
  return Status::Ok();
}

// A JSON answer from a protocol type's text.
net::HttpResponse JsonResponse(std::string body) {
  net::HttpResponse r;
  r.body = std::move(body);
  return r;
}

}  // namespace

Result<platform::EnclaveIdentity> MeasureProcess(pid_t pid) {
  SCONE_ASSIGN_OR_RETURN(ProcessDir process, ProcessDir::Open(pid));
  SCONE_RETURN_IF_ERROR(process.CheckPidNamespace());
  SCONE_ASSIGN_OR_RETURN(std::string path, process.ExePath());
  SCONE_ASSIGN_OR_RETURN(platform::EnclaveIdentity id, Measure(process, path));
  SCONE_RETURN_IF_ERROR(CheckStillRuns(process, path));
  return id;
}

Result<std::shared_ptr<const ProcessDir>> LasService::Process(pid_t pid, bool fresh) const {
  if (!fresh) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (auto it = processes_.find(pid); it != processes_.end()) return it->second;
  }
  SCONE_ASSIGN_OR_RETURN(ProcessDir dir, ProcessDir::Open(pid));
  SCONE_RETURN_IF_ERROR(dir.CheckPidNamespace());
  auto process = std::make_shared<const ProcessDir>(std::move(dir));
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (processes_.size() >= 256) processes_.clear();  // each holds a descriptor
  processes_[pid] = process;
  return process;
}

Result<platform::EnclaveIdentity> LasService::MeasureCaller(
    pid_t pid, std::shared_ptr<const ProcessDir>* process_out) const {
  SCONE_ASSIGN_OR_RETURN(std::shared_ptr<const ProcessDir> process, Process(pid, false));
  auto exe = process->ExePath();
  if (!exe.ok()) {
    // A remembered directory stops answering when its process has ended; the pid may
    // belong to another process now, which is looked at afresh.
    SCONE_ASSIGN_OR_RETURN(process, Process(pid, true));
    exe = process->ExePath();
  }
  SCONE_ASSIGN_OR_RETURN(std::string path, std::move(exe));
  FileStamps stamps = Stamps(*process, path);
  {
    // A hit means that, when its stamps were taken, the process ran the very file whose
    // measurement is remembered (an exec in between changes the running file's stamp).
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(path);
    if (it != cache_.end() && it->second.stamps == stamps) {
      if (process_out != nullptr) *process_out = process;
      return it->second.identity;
    }
  }
  SCONE_ASSIGN_OR_RETURN(platform::EnclaveIdentity id, Measure(*process, path));
  // Only remember a measurement if no file changed while it was taken.
  if (Stamps(*process, path) == stamps) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (cache_.size() >= 1024) cache_.clear();
    cache_[path] = {stamps, id};
  }
  SCONE_RETURN_IF_ERROR(CheckStillRuns(*process, path));
  if (process_out != nullptr) *process_out = std::move(process);
  return id;
}

net::HttpResponse LasService::Handle(const net::HttpRequest& request,
                                     const net::PeerInfo& peer) const {
  auto r = Dispatch(request, peer);
  if (r.ok()) return std::move(*r);
  spdlog::warn("{} {} refused: {}", request.method, request.target, r.status().message());
  return net::ErrorResponse(net::HttpStatusFor(r.status().code()), r.status().message());
}

Result<net::HttpResponse> LasService::Dispatch(const net::HttpRequest& request,
                                               const net::PeerInfo& peer) const {
  const std::string& t = request.target;
  const std::string& m = request.method;
  if (t == kCollateralPath && m == "GET") {
    SCONE_ASSIGN_OR_RETURN(auto c, platform_->CollateralAt(clock_()));
    return JsonResponse(CollateralResponse{std::move(c)}.ToJson().dump());
  }
  if (t == kQuotePath && m == "POST") return Quote(request, peer);
  if (t == kProgramQuotePath && m == "POST") return ProgramQuote(request, peer);
  if (t == kSealKeyPath && m == "POST") return SealKey(request, peer);
  if (t == kSimRootCaPath && m == "GET") {
    net::HttpResponse r;
    r.content_type = "application/x-pem-file";
    r.body = platform_->sim_root_pem();
    return r;
  }
  if (t == kCollateralPath || t == kQuotePath || t == kProgramQuotePath || t == kSealKeyPath ||
      t == kSimRootCaPath) {
    return Status(Code::kInvalidArgument, "method " + m + " is not allowed for " + t);
  }
  return NotFound("no such endpoint: " + t);
}

Result<net::HttpResponse> LasService::Quote(const net::HttpRequest& request,
                                            const net::PeerInfo& peer) const {
  SCONE_ASSIGN_OR_RETURN(QuoteRequest body, ParseBody<QuoteRequest>(request.body));
  platform::EnclaveIdentity id;
  std::string who;
  if (peer.is_unix) {
    if (body.program.has_value()) {
      return InvalidArgument(
          "\"program\" is not accepted on the Unix socket: LAS measures the calling process "
          "itself and quotes only the program it runs");
    }
    SCONE_ASSIGN_OR_RETURN(id, MeasureCaller(peer.pid));
    who = "pid " + std::to_string(peer.pid);
  } else {
    // A caller that is not measured could ask for any identity: only the testing mode
    // serves it, and marks every such quote as DEBUG.
    if (!options_.only_for_testing_named_programs) {
      return PermissionDenied(
          "this las quotes only callers it measures, on its Unix socket; quotes for a named "
          "program (always DEBUG) need a las started with --only_for_testing-tcp ADDR:PORT");
    }
    if (!body.program.has_value() || body.program->empty()) {
      return InvalidArgument("\"program\" (the path of the program to quote) is required on TCP");
    }
    const std::string& path = *body.program;
    SCONE_ASSIGN_OR_RETURN(id, MeasureNamedProgram(path));
    id.attributes_flags |= platform::kAttrDebug;
    who = peer.address + " naming " + path + " (testing: DEBUG forced)";
  }
  QuoteResponse answer;
  SCONE_ASSIGN_OR_RETURN(answer.quote, platform_->Quote(id, body.report_data));
  spdlog::info("quote for MRENCLAVE {} (MRSIGNER {}, ISVPRODID {}, ISVSVN {}) to {}",
               HexEncode(id.mrenclave), HexEncode(id.mrsigner), id.isvprodid, id.isvsvn, who);
  answer.enclave = QuoteResponse::DescribeEnclave(id);
  if (body.collateral) {
    SCONE_ASSIGN_OR_RETURN(answer.collateral, platform_->CollateralAt(clock_()));
  }
  return JsonResponse(answer.ToBody());
}

Result<net::HttpResponse> LasService::ProgramQuote(const net::HttpRequest& request,
                                                   const net::PeerInfo& peer) const {
  if (!peer.is_unix) {
    return PermissionDenied(
        "quotes for a passed program are only served on the Unix socket, to the runtime");
  }
  SCONE_ASSIGN_OR_RETURN(ProgramQuoteRequest body, ParseBody<ProgramQuoteRequest>(request.body));
  // The caller first: nothing it names is looked at unless it is the trusted runtime.
  std::shared_ptr<const ProcessDir> process;
  SCONE_ASSIGN_OR_RETURN(platform::EnclaveIdentity caller, MeasureCaller(peer.pid, &process));
  SCONE_ASSIGN_OR_RETURN(ByteArray<32> runtime, runtime_.Measurement());
  SCONE_ASSIGN_OR_RETURN(std::string caller_path, process->ExePath());
  if (caller.mrenclave != runtime) {
    return PermissionDenied("pid " + std::to_string(peer.pid) + " runs " + caller_path +
                            " (MRENCLAVE " + HexEncode(caller.mrenclave) +
                            "), which is not the runtime las trusts (" + runtime_.path() +
                            ", MRENCLAVE " + HexEncode(runtime) +
                            "): only the runtime may have a program it passes quoted; a "
                            "program asks for its own quote at " +
                            kQuotePath);
  }
  SCONE_ASSIGN_OR_RETURN(platform::EnclaveIdentity id,
                         MeasurePassedProgram(process->fd(), body.program_fd, body.signature_fd));
  // The descriptors were the runtime's: it did not exec another program meanwhile.
  SCONE_RETURN_IF_ERROR(CheckStillRuns(*process, caller_path));
  QuoteResponse answer;
  SCONE_ASSIGN_OR_RETURN(answer.quote, platform_->Quote(id, body.report_data));
  spdlog::info(
      "quote for MRENCLAVE {} (MRSIGNER {}, ISVPRODID {}, ISVSVN {}, debug {}) to the runtime "
      "pid {} for the program it passed as descriptor {}",
      HexEncode(id.mrenclave), HexEncode(id.mrsigner), id.isvprodid, id.isvsvn, id.debug(),
      peer.pid, body.program_fd);
  answer.enclave = QuoteResponse::DescribeEnclave(id);
  if (body.collateral) {
    SCONE_ASSIGN_OR_RETURN(answer.collateral, platform_->CollateralAt(clock_()));
  }
  return JsonResponse(answer.ToBody());
}

Result<net::HttpResponse> LasService::SealKey(const net::HttpRequest& request,
                                              const net::PeerInfo& peer) const {
  if (!peer.is_unix) {
    return PermissionDenied("seal keys are only served on the Unix socket, to measured callers");
  }
  SCONE_ASSIGN_OR_RETURN(SealKeyRequest body, ParseBody<SealKeyRequest>(request.body));
  SCONE_ASSIGN_OR_RETURN(auto id, MeasureCaller(peer.pid));
  uint16_t key_isvsvn = body.key_isvsvn.value_or(id.isvsvn);
  SealKeyResponse answer;
  SCONE_ASSIGN_OR_RETURN(answer.key, platform_->SealKey(body.policy, id, key_isvsvn));
  spdlog::info("seal key ({} policy, ISVSVN {}) for MRENCLAVE {} to pid {}",
               body.policy == platform::SealPolicy::kMrEnclave ? "mrenclave" : "mrsigner",
               key_isvsvn, HexEncode(id.mrenclave), peer.pid);
  return answer.ToHttpResponse();
}

}  // namespace scone::las
