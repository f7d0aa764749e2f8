#include "cas/server/cas_config.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cas/protocol.h"
#include "common/file_util.h"
#include "las/las_protocol.h"

namespace scone::cas {
namespace {

Status At(const std::filesystem::path& path, const toml::source_region& where,
          const std::string& what) {
  return InvalidArgument(path.string() + ":" + std::to_string(where.begin.line) + ":" +
                         std::to_string(where.begin.column) + ": " + what);
}

// Checks that `table` has only `allowed` keys.
Status OnlyKeys(const std::filesystem::path& path, const toml::table& table,
                std::initializer_list<std::string_view> allowed, const std::string& where) {
  for (const auto& [key, node] : table) {
    bool known = false;
    for (auto a : allowed) known = known || key.str() == a;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return At(
          path, key.source(),
          "unknown key \"" + std::string(key.str()) + "\" in " + where + " (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Result<const toml::table*> Section(const std::filesystem::path& path, const toml::table& root,
                                   std::string_view name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) {
    return At(path, node->source(), "[" + std::string(name) + "] must be a table");
  }
  return node->as_table();
}

Result<std::optional<std::string>> StringKey(const std::filesystem::path& path,
                                             const toml::table* table, std::string_view key,
                                             const std::string& section) {
  if (table == nullptr) return std::optional<std::string>();
  const toml::node* node = table->get(key);
  if (node == nullptr) return std::optional<std::string>();
  if (!node->is_string()) {
    return At(path, node->source(), section + "." + std::string(key) + " must be a string");
  }
  return std::optional<std::string>(node->as_string()->get());
}

}  // namespace

Result<CasConfig> ParseCasConfig(std::string_view text, const std::filesystem::path& path,
                                 const CasConfigDefaults& defaults) {
  toml::parse_result parsed = toml::parse(text, path.string());
  if (!parsed) {
    return At(path, parsed.error().source(), std::string(parsed.error().description()));
  }
  const toml::table& root = parsed.table();
  SCONE_RETURN_IF_ERROR(OnlyKeys(path, root, {"database", "api", "las"}, "the file"));
  SCONE_ASSIGN_OR_RETURN(const toml::table* database, Section(path, root, "database"));
  SCONE_ASSIGN_OR_RETURN(const toml::table* api, Section(path, root, "api"));
  SCONE_ASSIGN_OR_RETURN(const toml::table* las, Section(path, root, "las"));
  if (database != nullptr) SCONE_RETURN_IF_ERROR(OnlyKeys(path, *database, {"path"}, "[database]"));
  if (api != nullptr) {
    SCONE_RETURN_IF_ERROR(OnlyKeys(path, *api, {"api_listen", "enclave_listen"}, "[api]"));
  }
  if (las != nullptr) SCONE_RETURN_IF_ERROR(OnlyKeys(path, *las, {"address"}, "[las]"));

  CasConfig config;
  SCONE_ASSIGN_OR_RETURN(auto db, StringKey(path, database, "path", "database"));
  if (!db.has_value() || db->empty()) {
    return InvalidArgument(path.string() +
                           ": [database] path is required (where CAS keeps its encrypted "
                           "database, e.g. path = \"/var/lib/scone/cas/cas.db\")");
  }
  config.db_path = *db;
  if (config.db_path.is_relative()) config.db_path = path.parent_path() / config.db_path;

  auto endpoint = [&](const char* key, const char* fallback,
                      uint16_t default_port) -> Result<net::Endpoint> {
    SCONE_ASSIGN_OR_RETURN(auto value, StringKey(path, api, key, "api"));
    auto ep = net::ParseEndpoint(value.value_or(fallback), default_port);
    if (!ep.ok()) return ep.status().WithContext(path.string() + ": api." + key);
    if (ep->is_unix()) {
      return InvalidArgument(path.string() + ": api." + key + " must be HOST:PORT (TCP)");
    }
    return ep;
  };
  SCONE_ASSIGN_OR_RETURN(config.api_listen,
                         endpoint("api_listen", "0.0.0.0:8081", kDefaultApiPort));
  SCONE_ASSIGN_OR_RETURN(config.enclave_listen,
                         endpoint("enclave_listen", "0.0.0.0:18765", kDefaultEnclavePort));

  SCONE_ASSIGN_OR_RETURN(auto las_addr, StringKey(path, las, "address", "las"));
  std::string source = "[las] address";
  if (!las_addr.has_value() && defaults.las_addr_env.has_value()) {
    las_addr = defaults.las_addr_env;
    source = "SCONE_LAS_ADDR";
  }
  if (!las_addr.has_value()) {
    las_addr = las::LasSocketAddress(defaults.default_platform_dir);
    source = "the default LAS address";
  }
  auto las_ep = net::ParseEndpoint(*las_addr, 0);
  if (!las_ep.ok()) return las_ep.status().WithContext(source);
  if (!las_ep->is_unix()) {
    return InvalidArgument(source + " is " + *las_addr +
                           ", but CAS needs las's Unix socket (unix:PATH): las measures CAS "
                           "there and serves seal keys only there");
  }
  config.las = *las_ep;
  return config;
}

Result<CasConfig> LoadCasConfig(const std::filesystem::path& path,
                                const CasConfigDefaults& defaults) {
  auto text = ReadFile(path, 1 << 20);
  if (!text.ok()) return text.status().WithContext("cannot read the CAS configuration");
  return ParseCasConfig(*text, path, defaults);
}

Status CheckListenAddress(const net::Endpoint& endpoint, const std::string& what) {
  std::string where = what + " " + endpoint.ToString();
  if (endpoint.is_unix()) return InvalidArgument(where + ": CAS listens on TCP (HOST:PORT)");
  std::string host = endpoint.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;  // as the listener
  addrinfo* found = nullptr;
  std::string port = std::to_string(endpoint.port);
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return InvalidArgument(where + ": " + host + " is not an IP address (" + ::gai_strerror(rc) +
                           ")");
  }
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  if (fd < 0) {
    ::freeaddrinfo(found);
    return IoError(where + ": cannot open a socket");
  }
  int one = 1;
  (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int bound = ::bind(fd, found->ai_addr, found->ai_addrlen);
  int err = errno;
  ::close(fd);
  ::freeaddrinfo(found);
  if (bound != 0) {
    return InvalidArgument(where + ": cannot listen there (" + std::strerror(err) +
                           "); choose another address or port");
  }
  return Status::Ok();
}

Status CheckDatabaseFiles(const std::filesystem::path& db_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(db_path, ec)) {
    return InvalidArgument("the database path " + db_path.string() +
                           " is a directory; [database] path names the database file, e.g. " +
                           (db_path / "cas.db").string());
  }
  for (const char* suffix : {"", ".key-store", "-wal", "-shm"}) {
    fs::path file = db_path.string() + suffix;
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      return InvalidArgument(file.string() + " is a directory, where CAS keeps a database file");
    }
    if ((st.st_mode & 077) != 0) {
      char mode[8];
      (void)std::snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
      return PermissionDenied("the CAS database file " + file.string() + " has mode " + mode +
                              ": group and others may read it. Run: chmod 600 " + file.string());
    }
  }
  return Status::Ok();
}

Status CheckCasConfig(const CasConfig& config) {
  SCONE_RETURN_IF_ERROR(CheckDatabaseFiles(config.db_path));
  SCONE_RETURN_IF_ERROR(CheckListenAddress(config.api_listen, "api_listen"));
  return CheckListenAddress(config.enclave_listen, "enclave_listen");
}

}  // namespace scone::cas
