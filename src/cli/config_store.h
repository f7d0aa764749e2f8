// The CLI's state file (DESIGN.md §4, docs/cli-state.md): the user's identity, the attested
// CAS instances and the default CAS, as JSON.
//
// Location: --config FILE, else $SCONE_CLI_CONFIG, else ~/.cas/config.json.
// Safety rules, each enforced here:
//  - the file is created with mode 0600 (a folder created for it with 0700);
//  - every write replaces the file atomically (temp file + fsync + rename) while holding an
//    exclusive lock on "<file>.lock", so concurrent `scone` runs never corrupt it and
//    parallel first runs end with one identity;
//  - a file that is corrupt, of an unknown version, holds an invalid identity, or is
//    accessible by other users is an error and is never overwritten: the user's identity
//    must not be lost;
//  - neither the file nor its lock file may be a symbolic link (also a dangling one): both
//    are refused, for reading and writing alike, and left as they are.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/identity.h"
#include "common/status.h"

namespace scone::cli {

inline constexpr int kConfigVersion = 1;

struct CliConfig {
  Identity identity;
  // Attested CAS instances by name (filled by `scone cas attest`); kept as JSON so that this
  // layer round-trips entries it does not interpret.
  nlohmann::json cas_db = nlohmann::json::object();
  std::optional<std::string> default_cas;
};

class ConfigStore {
 public:
  // The path to use: `explicit_path` if given, else $SCONE_CLI_CONFIG, else
  // $HOME/.cas/config.json. Fails if none can be determined.
  static Result<std::filesystem::path> ResolvePath(
      const std::optional<std::filesystem::path>& explicit_path);

  explicit ConfigStore(std::filesystem::path path) : path_(std::move(path)) {}

  const std::filesystem::path& path() const { return path_; }

  // Reads the configuration; creates it with a fresh identity (made at time `now`) if the
  // file does not exist yet.
  Result<CliConfig> LoadOrCreate(int64_t now) const;

  // Reads the configuration under the lock, lets `change` modify it and writes it back
  // atomically if `change` succeeds. Creates the file first if needed.
  Status Update(int64_t now, const std::function<Status(CliConfig&)>& change) const;

  // Serialization, exposed for tests. Parse errors name the field that is wrong.
  static Result<CliConfig> Parse(std::string_view text);
  static SecretBytes Serialize(const CliConfig& config);

 private:
  // Reads and parses the file; kNotFound if it does not exist.
  Result<CliConfig> Read() const;
  Status Write(const CliConfig& config) const;
  Result<CliConfig> CreateLocked(int64_t now) const;

  std::filesystem::path path_;
};

}  // namespace scone::cli
