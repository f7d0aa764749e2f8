// The operator's configuration of a CAS process: `cas -c cas.toml` (docs/cas.md,
// "Starting CAS"). Not to be confused with the owner configuration (owner_config.h), which
// the CAS owner uploads through the API.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"
#include "net/http.h"

namespace scone::cas {

struct CasConfig {
  std::filesystem::path db_path;  // relative paths are taken relative to cas.toml's folder
  net::Endpoint api_listen;       // default 0.0.0.0:8081
  net::Endpoint enclave_listen;   // default 0.0.0.0:18765
  net::Endpoint las;              // las's Unix socket
};

// Where the LAS address comes from when cas.toml has none.
struct CasConfigDefaults {
  std::optional<std::string> las_addr_env;  // $SCONE_LAS_ADDR
  std::string default_platform_dir;         // $SCONE_PLATFORM_DIR or the las default
};

// Parses the TOML text of `path`. Unknown sections and keys are errors (a misspelt key must
// not silently fall back to a default); errors read "PATH:LINE:COLUMN: ..." where a line is
// known. A relative database path is taken relative to the folder of `path`.
Result<CasConfig> ParseCasConfig(std::string_view text, const std::filesystem::path& path,
                                 const CasConfigDefaults& defaults);

// Reads and parses the file.
Result<CasConfig> LoadCasConfig(const std::filesystem::path& path,
                                const CasConfigDefaults& defaults);

// What can be checked before CAS creates any state (docs/cas.md "Starting CAS"): the
// database files (CheckDatabaseFiles) and that both listen addresses can be bound
// (CheckListenAddress). kInvalidArgument or kPermissionDenied saying what to change.
Status CheckCasConfig(const CasConfig& config);

// `endpoint` is a TCP address of this machine that can be listened on now (a trial bind);
// `what` names the setting ("api_listen").
Status CheckListenAddress(const net::Endpoint& endpoint, const std::string& what);

// The database path is not a directory, and none of the database's files (the database,
// its key-store, -wal and -shm) is readable or writable by group or others; the refusal
// names the `chmod` to run. Missing files are fine (CAS creates them with mode 0600).
Status CheckDatabaseFiles(const std::filesystem::path& db_path);

}  // namespace scone::cas
