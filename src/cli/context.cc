#include "cli/context.h"

#include <ostream>

namespace scone::cli {

Result<ConfigStore> Context::Store() const {
  std::optional<std::filesystem::path> flag;
  if (!config_flag.empty()) flag = config_flag;
  SCONE_ASSIGN_OR_RETURN(auto path, ConfigStore::ResolvePath(flag));
  return ConfigStore(std::move(path));
}

Result<Identity> Context::LoadIdentity() const {
  if (!identity_file.empty()) return LoadIdentityFile(identity_file);
  SCONE_ASSIGN_OR_RETURN(ConfigStore store, Store());
  SCONE_ASSIGN_OR_RETURN(CliConfig config, store.LoadOrCreate(Now()));
  return std::move(config.identity);
}

void Context::PrintJson(const nlohmann::json& value) { out_ << value.dump(2) << "\n"; }

}  // namespace scone::cli
