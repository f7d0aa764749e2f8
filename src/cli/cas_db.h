// The attested CAS instances of the CLI state (CliConfig::cas_db, docs/cli-state.md): one
// entry per CAS name, written by `scone cas attest` and `scone cas provision`, read by every
// command that talks to a stored CAS.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cas/protocol.h"
#include "cli/config_store.h"
#include "common/status.h"

namespace scone::cli {

class Context;

struct CasEntry {
  std::string address;  // the name, as the user typed it (also the key in cas_db)
  std::string api_url;  // "https://HOST:PORT/"
  cas::CasEvidence evidence;
  int64_t attested_at = 0;  // Unix seconds (the clock, not --verification-time)

  // {"address", "api_url", "evidence": CasEvidence::ToJson(), "attested_at"}.
  nlohmann::json ToJson() const;
  // Strict, and the entry must be stored under its own address; kInvalidArgument naming the
  // entry and the member.
  static Result<CasEntry> FromJson(std::string_view name, const nlohmann::json& json);
};

// Stores `entry` under its address, replacing an earlier one; the first CAS becomes the
// default. Returns whether `entry` is now the default CAS.
bool PutCas(CliConfig& config, const CasEntry& entry);

// The names in cas_db, sorted.
std::vector<std::string> CasNames(const CliConfig& config);

// The entry called `name`, or the default CAS's if `name` is empty. kNotFound for an unknown
// name (listing the known ones); kFailedPrecondition if no CAS is named and there is no
// default.
Result<CasEntry> FindCas(const CliConfig& config, std::string_view name);

// Reading and writing the entries in the CLI state file of `ctx` (ConfigStore: locked, atomic).

// Stores `entry` (PutCas). Returns whether it became the default CAS just now.
Result<bool> StoreCas(const Context& ctx, const CasEntry& entry);

// FindCas in the stored state; a damaged entry is kInvalidArgument naming the state file and
// saying to attest the CAS again.
Result<CasEntry> StoredCas(const Context& ctx, std::string_view name);

// `scone cas list`: one line per CAS, "  NAME: URL", the default as "* NAME: URL". Empty if
// there is none.
std::string FormatCasList(const CliConfig& config);
// [{"address", "api_url", "cas_key_hash", "default"}].
nlohmann::json CasListJson(const CliConfig& config);

}  // namespace scone::cli
