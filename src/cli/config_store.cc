#include "cli/config_store.h"

#include <cstdlib>
#include <string>

#include "common/file_util.h"

namespace scone::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t kMaxConfigSize = 64 << 20;

// Overwrites a std::string's characters before it is freed (json strings holding keys).
void WipeString(std::string& s) {
  WipeMemory(s.data(), s.size());
  s.clear();
}

}  // namespace

Result<fs::path> ConfigStore::ResolvePath(const std::optional<fs::path>& explicit_path) {
  if (explicit_path && !explicit_path->empty()) return *explicit_path;
  if (const char* env = std::getenv("SCONE_CLI_CONFIG"); env != nullptr && *env != '\0') {
    return fs::path(env);
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    return FailedPrecondition(
        "cannot locate the CLI config: HOME is not set; set SCONE_CLI_CONFIG or pass "
        "--config FILE");
  }
  return fs::path(home) / ".cas" / "config.json";
}

Result<CliConfig> ConfigStore::Parse(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // Only the position: nlohmann's message quotes the text read so far, which may be the
    // private key.
    return DataLoss("not valid JSON (syntax error at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception&) {
    // out_of_range.406 (a number beyond a double) and the like; no text, as above.
    return DataLoss("not valid JSON (a number out of range)");
  }
  if (!doc.is_object()) return DataLoss("the top level is not a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer()) {
    return DataLoss("\"version\" is missing or not an integer");
  }
  if (*version != kConfigVersion) {
    return FailedPrecondition("config version " + version->dump() + " is not supported (this " +
                              "scone understands version " + std::to_string(kConfigVersion) +
                              "); use a matching scone release");
  }
  auto identity = doc.find("identity");
  if (identity == doc.end() || !identity->is_object()) {
    return DataLoss("\"identity\" is missing or not an object");
  }
  auto key = identity->find("private_key");
  auto cert = identity->find("certificate");
  if (key == identity->end() || !key->is_string() || cert == identity->end() ||
      !cert->is_string()) {
    return DataLoss("\"identity\" needs the strings \"private_key\" and \"certificate\"");
  }
  auto& key_text = key->get_ref<std::string&>();
  SecretBytes key_pem = SecretBytes::CopyFrom(AsBytes(key_text));
  WipeString(key_text);
  auto id = IdentityFromPem(key_pem, cert->get_ref<const std::string&>());
  if (!id.ok()) return DataLoss(id.status().message());

  CliConfig config;
  config.identity = std::move(id).value();
  if (auto cas_db = doc.find("cas_db"); cas_db != doc.end()) {
    if (!cas_db->is_object()) return DataLoss("\"cas_db\" is not an object");
    config.cas_db = *cas_db;
  }
  if (auto def = doc.find("default_cas"); def != doc.end() && !def->is_null()) {
    if (!def->is_string()) return DataLoss("\"default_cas\" is not a string");
    config.default_cas = def->get<std::string>();
  }
  return config;
}

SecretBytes ConfigStore::Serialize(const CliConfig& config) {
  json doc = json::object();
  doc["version"] = kConfigVersion;
  json& identity = doc["identity"];
  identity["certificate"] = config.identity.certificate_pem;
  identity["key_hash"] = config.identity.key_hash;
  // Moved into the document (no extra copy); wiped below after the dump.
  identity["private_key"] = std::string(AsChars(config.identity.private_key_pem.Reveal()));
  doc["cas_db"] = config.cas_db;
  doc["default_cas"] = config.default_cas ? json(*config.default_cas) : json(nullptr);
  std::string text = doc.dump(2) + "\n";
  SecretBytes out = SecretBytes::CopyFrom(AsBytes(text));
  WipeString(text);
  WipeString(doc["identity"]["private_key"].get_ref<std::string&>());
  return out;
}

Result<CliConfig> ConfigStore::Read() const {
  // A symbolic link is refused (docs/cli-state.md): the file holds the private key, and a
  // write would replace the link with a file anyway, so reads and writes could not agree.
  auto text = ReadPrivateFile(path_, kMaxConfigSize, Symlinks::kRefuse);
  if (!text.ok() && text.status().code() == Code::kFailedPrecondition) {
    return Status(Code::kFailedPrecondition,
                  "the CLI config " + text.status().message() +
                      ", or name the file itself with --config FILE or SCONE_CLI_CONFIG");
  }
  if (!text.ok()) return text.status().WithContext("the CLI config");
  auto config = Parse(AsChars(text->Reveal()));
  if (!config.ok()) {
    Status s = config.status();
    std::string hint =
        s.code() == Code::kDataLoss
            ? ". The file was left untouched; repair it or move it away (a new identity "
              "would replace the one CAS sessions know you by)"
            : "";
    return Status(s.code(),
                  "the CLI config " + path_.string() + " is unusable: " + s.message() + hint);
  }
  return config;
}

Status ConfigStore::Write(const CliConfig& config) const {
  SecretBytes text = Serialize(config);
  return WriteFileAtomic(path_, text.Reveal(), 0600);
}

Result<CliConfig> ConfigStore::CreateLocked(int64_t now) const {
  SCONE_ASSIGN_OR_RETURN(Identity id, GenerateIdentity(now));
  CliConfig config;
  config.identity = std::move(id);
  SCONE_RETURN_IF_ERROR(Write(config));
  return config;
}

Result<CliConfig> ConfigStore::LoadOrCreate(int64_t now) const {
  auto existing = Read();
  if (existing.ok() || existing.status().code() != Code::kNotFound) return existing;

  fs::path dir = path_.parent_path();
  if (!dir.empty()) SCONE_RETURN_IF_ERROR(EnsureDirectory(dir, 0700));
  SCONE_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(path_.string() + ".lock"));
  // Another process may have created it while we waited for the lock.
  auto again = Read();
  if (again.ok() || again.status().code() != Code::kNotFound) return again;
  return CreateLocked(now);
}

Status ConfigStore::Update(int64_t now, const std::function<Status(CliConfig&)>& change) const {
  fs::path dir = path_.parent_path();
  if (!dir.empty()) SCONE_RETURN_IF_ERROR(EnsureDirectory(dir, 0700));
  SCONE_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(path_.string() + ".lock"));
  auto config = Read();
  if (!config.ok() && config.status().code() == Code::kNotFound) config = CreateLocked(now);
  if (!config.ok()) return config.status();
  SCONE_RETURN_IF_ERROR(change(*config));
  return Write(*config);
}

}  // namespace scone::cli
