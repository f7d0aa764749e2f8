// What a session version shares and takes from other sessions on this CAS (docs/cas.md
// "Secrets"): the `export`, `export_public` and `import` entries of its secrets section,
// kept with the version when it is stored, so that resolving an import later (at upload
// of the importer, at every delivery to an enclave, at GET /v1/values) reads two small
// records instead of parsing the exporter's YAML.
//
// No secret material here: names, hashes, kinds.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sdl/model.h"

namespace scone::cas {

// One receiver of an export: a session (optionally only its version `session_hash`), or
// every session inside a namespace (`NS/...`, any depth).
struct ExportTarget {
  std::string name;
  bool is_namespace = false;
  std::optional<std::string> session_hash;  // lower-case hex; sessions only
};

struct SecretExport {
  std::string secret;            // the exporter's name for it
  std::vector<ExportTarget> to;  // receivers on this CAS (remote exports are not kept)
  bool is_public = false;        // export_public: readable at /v1/values
};

struct SecretImport {
  std::string secret;                       // the importer's name for it
  std::string session;                      // the exporting session
  std::string exported_secret;              // its name there
  std::optional<std::string> session_hash;  // pins the exporter's active version
  std::optional<sdl::SecretKind> kind;      // the importer's stated kind, if any
};

struct SecretSharing {
  std::vector<SecretExport> exports;  // secrets with an export or export_public only
  std::vector<SecretImport> imports;
};

// The sharing entries of a validated session. kInvalidArgument (naming the secret) for an
// import from another CAS (`cas_url`): CAS imports only from sessions it holds itself.
Result<SecretSharing> SharingOf(const sdl::Session& session);

// The stored form (a member of the version record, session_store.cc) and back; strict.
nlohmann::json SharingToJson(const SecretSharing& sharing);
Result<SecretSharing> SharingFromJson(const nlohmann::json& j);

// True if `target` names `importer` (or its version `importer_hash`).
bool ExportReaches(const ExportTarget& target, std::string_view importer,
                   std::string_view importer_hash);

}  // namespace scone::cas
