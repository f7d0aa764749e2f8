#include "cli/cas_db.h"

#include <algorithm>

#include "cli/context.h"

namespace scone::cli {
namespace {
using nlohmann::json;

std::string KnownCas(const CliConfig& config) {
  auto names = CasNames(config);
  if (names.empty()) return "no CAS is attested yet; attest one with \"scone cas attest ADDRESS\"";
  std::string out = "attested CAS: ";
  for (size_t i = 0; i < names.size(); ++i) out += (i > 0 ? ", " : "") + names[i];
  return out;
}

}  // namespace

json CasEntry::ToJson() const {
  return {{"address", address},
          {"api_url", api_url},
          {"evidence", evidence.ToJson()},
          {"attested_at", attested_at}};
}

Result<CasEntry> CasEntry::FromJson(std::string_view name, const json& j) {
  const std::string where = "cas_db entry \"" + std::string(name) + "\"";
  if (!j.is_object()) return InvalidArgument(where + " is not an object");
  CasEntry e;
  for (const char* member : {"address", "api_url"}) {
    if (!j.contains(member) || !j[member].is_string()) {
      return InvalidArgument(where + ": missing string \"" + member + "\"");
    }
  }
  e.address = j["address"].get<std::string>();
  e.api_url = j["api_url"].get<std::string>();
  if (e.address != name) {
    return InvalidArgument(where + " has the address \"" + e.address + "\"");
  }
  if (!j.contains("attested_at") || !j["attested_at"].is_number_integer()) {
    return InvalidArgument(where + ": \"attested_at\" is not a number");
  }
  e.attested_at = j["attested_at"].get<int64_t>();
  if (!j.contains("evidence")) return InvalidArgument(where + ": missing \"evidence\"");
  auto evidence = cas::CasEvidence::FromJson(j["evidence"]);
  if (!evidence.ok()) return evidence.status().WithContext(where);
  e.evidence = std::move(*evidence);
  return e;
}

bool PutCas(CliConfig& config, const CasEntry& entry) {
  if (!config.cas_db.is_object()) config.cas_db = json::object();
  config.cas_db[entry.address] = entry.ToJson();
  if (!config.default_cas.has_value()) config.default_cas = entry.address;
  return config.default_cas == entry.address;
}

std::vector<std::string> CasNames(const CliConfig& config) {
  std::vector<std::string> names;
  if (!config.cas_db.is_object()) return names;
  for (const auto& item : config.cas_db.items()) names.push_back(item.key());
  std::sort(names.begin(), names.end());
  return names;
}

Result<CasEntry> FindCas(const CliConfig& config, std::string_view name) {
  std::string chosen(name);
  if (chosen.empty()) {
    if (!config.default_cas.has_value()) {
      return FailedPrecondition("no CAS named and no default CAS: " + KnownCas(config));
    }
    chosen = *config.default_cas;
  }
  if (!config.cas_db.is_object() || !config.cas_db.contains(chosen)) {
    if (name.empty()) {
      return FailedPrecondition("the default CAS \"" + chosen +
                                "\" is not in the CLI state; choose one with \"scone cas "
                                "set-default CAS\" (" +
                                KnownCas(config) + ")");
    }
    return NotFound("unknown CAS \"" + chosen + "\": " + KnownCas(config));
  }
  return CasEntry::FromJson(chosen, config.cas_db[chosen]);
}

std::string FormatCasList(const CliConfig& config) {
  std::string out;
  for (const auto& name : CasNames(config)) {
    const json& entry = config.cas_db[name];
    std::string url = entry.is_object() && entry.contains("api_url") && entry["api_url"].is_string()
                          ? entry["api_url"].get<std::string>()
                          : "?";
    out += (config.default_cas == name ? "* " : "  ") + name + ": " + url + "\n";
  }
  return out;
}

json CasListJson(const CliConfig& config) {
  json out = json::array();
  for (const auto& name : CasNames(config)) {
    const json& entry = config.cas_db[name];
    auto text = [&entry](const char* member) -> json {
      if (entry.is_object() && entry.contains(member) && entry[member].is_string()) {
        return entry[member];
      }
      return nullptr;
    };
    json key_hash = nullptr;
    if (entry.is_object() && entry.contains("evidence") && entry["evidence"].is_object() &&
        entry["evidence"].contains("cas_key_hash")) {
      key_hash = entry["evidence"]["cas_key_hash"];
    }
    out.push_back({{"address", name},
                   {"api_url", text("api_url")},
                   {"cas_key_hash", key_hash},
                   {"default", config.default_cas == name}});
  }
  return out;
}

Result<bool> StoreCas(const Context& ctx, const CasEntry& entry) {
  SCONE_ASSIGN_OR_RETURN(ConfigStore store, ctx.Store());
  bool became_default = false;
  SCONE_RETURN_IF_ERROR(store.Update(ctx.Now(), [&](CliConfig& config) {
    bool had_default = config.default_cas.has_value();
    PutCas(config, entry);
    became_default = !had_default;
    return Status::Ok();
  }));
  return became_default;
}

Result<CasEntry> StoredCas(const Context& ctx, std::string_view name) {
  SCONE_ASSIGN_OR_RETURN(ConfigStore store, ctx.Store());
  SCONE_ASSIGN_OR_RETURN(CliConfig config, store.LoadOrCreate(ctx.Now()));
  auto entry = FindCas(config, name);
  if (!entry.ok() && entry.status().code() == Code::kInvalidArgument) {
    return entry.status().WithContext("the CLI state " + store.path().string() +
                                      " is damaged; attest the CAS again");
  }
  return entry;
}

}  // namespace scone::cli
