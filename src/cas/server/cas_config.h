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

}  // namespace scone::cas
