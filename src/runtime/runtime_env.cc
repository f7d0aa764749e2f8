#include "runtime/runtime_env.h"

#include "cas/protocol.h"
#include "las/las_protocol.h"
#include "platform/platform.h"

namespace scone::runtime {
namespace {

std::optional<std::string> Get(const std::function<const char*(const char*)>& getenv,
                               const char* name) {
  const char* value = getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// "session/service" or "ns/.../session/service": at least two non-empty parts.
Status CheckConfigId(const std::string& id) {
  size_t parts = 0;
  for (size_t begin = 0; begin <= id.size();) {
    size_t end = id.find('/', begin);
    if (end == std::string::npos) end = id.size();
    if (end == begin) {
      return InvalidArgument(std::string(kConfigIdEnv) + " \"" + id +
                             "\" has an empty part; write SESSION/SERVICE (namespaces: "
                             "NAMESPACE/SESSION/SERVICE)");
    }
    ++parts;
    begin = end + 1;
  }
  if (parts < 2) {
    return InvalidArgument(std::string(kConfigIdEnv) + " \"" + id +
                           "\" names no service; write SESSION/SERVICE");
  }
  return Status::Ok();
}

}  // namespace

Result<RuntimeEnvironment> ReadRuntimeEnvironment(
    const std::function<const char*(const char*)>& getenv) {
  RuntimeEnvironment env;
  if (auto hash = Get(getenv, kHashEnv); hash.has_value()) {
    if (*hash != "0" && *hash != "1") {
      return InvalidArgument(std::string(kHashEnv) + " must be 1 (print MRENCLAVE) or 0, not \"" +
                             *hash + "\"");
    }
    env.print_hash = *hash == "1";
  }
  env.config_id = Get(getenv, kConfigIdEnv);
  if (env.config_id.has_value()) SCONE_RETURN_IF_ERROR(CheckConfigId(*env.config_id));
  if (auto cas = Get(getenv, kCasAddressEnv); cas.has_value()) {
    auto ep = net::ParseEndpoint(*cas, cas::kDefaultEnclavePort);
    if (!ep.ok()) return ep.status().WithContext(std::string("$") + kCasAddressEnv);
    if (ep->is_unix()) {
      return InvalidArgument(std::string("$") + kCasAddressEnv +
                             " names CAS's enclave API as HOST[:PORT], not a Unix socket");
    }
    env.cas = std::move(*ep);
  } else if (env.config_id.has_value()) {
    return InvalidArgument(std::string(kConfigIdEnv) + " is set, but " + kCasAddressEnv +
                           " is not: set it to CAS's address, HOST[:PORT] (port 18765 by "
                           "default)");
  }
  env.cas_key_hash = Get(getenv, kCasKeyHashEnv);
  auto las_env = Get(getenv, las::kLasAddressEnv);
  std::string las_address = las_env.value_or(las::LasSocketAddress(platform::DefaultPlatformDir()));
  auto las = net::ParseEndpoint(las_address, las::kDefaultLasPort);
  if (!las.ok()) return las.status().WithContext(std::string("$") + las::kLasAddressEnv);
  if (!las->is_unix()) {
    return InvalidArgument(std::string("$") + las::kLasAddressEnv + " is " + las_address +
                           ", a TCP address: scone-run needs las's Unix socket, unix:PATH, "
                           "where las measures it (docs/las.md)");
  }
  env.las = std::move(*las);
  return env;
}

}  // namespace scone::runtime
