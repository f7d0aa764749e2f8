#include "runtime/apply_config.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/file_util.h"

namespace scone::runtime {
namespace {

SecretBytes CString(ByteView text) {
  SecretBytes out(text.size() + 1);
  std::copy(text.begin(), text.end(), out.RevealMutable());
  return out;  // the last byte is already NUL
}

// N if `arg` is exactly "@@N" with N >= 1 decimal digits, else 0.
size_t HostArgumentIndex(ByteView arg) {
  if (arg.size() < 3 || arg.size() > 12 || arg[0] != '@' || arg[1] != '@') return 0;
  size_t n = 0;
  for (size_t i = 2; i < arg.size(); ++i) {
    if (arg[i] < '0' || arg[i] > '9') return 0;
    n = n * 10 + static_cast<size_t>(arg[i] - '0');
  }
  return n;
}

char* Chars(SecretBytes& s) { return reinterpret_cast<char*>(s.RevealMutable()); }

}  // namespace

Result<ExecPlan> BuildExecPlan(const Configuration& config,
                               std::span<const std::string> host_args) {
  ExecPlan plan;
  if (config.command.has_value()) {
    for (const SecretBytes& arg : *config.command) {
      size_t n = HostArgumentIndex(arg.Reveal());
      if (n == 0) {
        plan.argv_storage.push_back(CString(arg.Reveal()));
        continue;
      }
      if (n >= host_args.size()) {
        return InvalidArgument("the policy's command uses @@" + std::to_string(n) +
                               ", but scone-run was given " +
                               std::to_string(host_args.empty() ? 0 : host_args.size() - 1) +
                               " arguments after the program");
      }
      plan.argv_storage.push_back(CString(AsBytes(host_args[n])));
    }
  } else {
    for (const std::string& arg : host_args) plan.argv_storage.push_back(CString(AsBytes(arg)));
  }
  for (const auto& [name, value] : config.environment) {
    SecretBytes entry(name.size() + 1 + value.size() + 1);
    uint8_t* p = entry.RevealMutable();
    std::copy(name.begin(), name.end(), p);
    p[name.size()] = '=';
    std::copy(value.Reveal().begin(), value.Reveal().end(), p + name.size() + 1);
    plan.env_storage.push_back(std::move(entry));
  }
  for (SecretBytes& s : plan.argv_storage) plan.argv.push_back(Chars(s));
  plan.argv.push_back(nullptr);
  for (SecretBytes& s : plan.env_storage) plan.envp.push_back(Chars(s));
  plan.envp.push_back(nullptr);
  plan.pwd = config.pwd;
  return plan;
}

Status WriteInjectionFiles(const Configuration& config) {
  for (const InjectedFile& file : config.injection_files) {
    std::filesystem::path path(file.path);
    if (!path.is_absolute() || !path.has_filename()) {
      return InvalidArgument("injection file " + file.path + ": not an absolute file path");
    }
    SCONE_RETURN_IF_ERROR(EnsureDirectory(path.parent_path(), 0700));
    Status s = WriteFileAtomic(path, file.content.Reveal(), static_cast<mode_t>(file.mode & 07777));
    if (!s.ok()) return s.WithContext("injection file " + file.path);
  }
  return Status::Ok();
}

Result<ExecPlan> ApplyConfiguration(const Configuration& config,
                                    std::span<const std::string> host_args) {
  SCONE_ASSIGN_OR_RETURN(ExecPlan plan, BuildExecPlan(config, host_args));
  SCONE_RETURN_IF_ERROR(WriteInjectionFiles(config));
  if (plan.pwd.has_value() && ::chdir(plan.pwd->c_str()) != 0) {
    int err = errno;
    return Status(Code::kFailedPrecondition,
                  "cannot change to the policy's pwd " + *plan.pwd + ": " + ErrnoText(err));
  }
  return plan;
}

}  // namespace scone::runtime
