#include "cas/api.h"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "attestation/collateral_json.h"
#include "cas/api_members.h"
#include "common/hex.h"

namespace scone::cas::api {
namespace {
using internal::Members;
using internal::Quoted;
using nlohmann::json;

// Size limits of members that have no natural one (a PEM certificate, a key hash).
constexpr size_t kMaxPemSize = 64 << 10;
constexpr size_t kMaxKeyHashSize = 128;
constexpr size_t kMaxQuoteSize = 64 << 10;
constexpr size_t kMaxShortText = 256;
constexpr size_t kMaxMessages = 16;
constexpr size_t kMaxMessageSize = 4096;

constexpr std::array kRoutes = {
    Route{"GET", "/v1/version", Endpoint::kVersion, Lane::kServerThreads, true, false},
    Route{"POST", "/v1/attestation", Endpoint::kAttestation, Lane::kAttestation, true, false},
    Route{"POST", "/v1/provision", Endpoint::kProvision, Lane::kServerThreads, false, true},
    Route{"GET", "/v1/config", Endpoint::kGetConfig, Lane::kServerThreads, false, true},
    Route{"PUT", "/v1/config", Endpoint::kPutConfig, Lane::kServerThreads, false, true},
    Route{"POST", "/v1/sessions", Endpoint::kCreateSession, Lane::kServerThreads, false, true},
    Route{"GET", "/v1/sessions", Endpoint::kListSessions, Lane::kServerThreads, false, true,
          "namespace"},
    Route{"PUT", "/v1/sessions/{name}", Endpoint::kUpdateSession, Lane::kServerThreads, false,
          true},
    Route{"GET", "/v1/sessions/{name}", Endpoint::kReadSession, Lane::kServerThreads, false, true,
          "hash"},
    Route{"GET", "/v1/sessions/{name}/history", Endpoint::kSessionHistory, Lane::kServerThreads,
          false, true},
    Route{"POST", "/session", Endpoint::kLegacySession, Lane::kServerThreads, false, true},
    Route{"GET", "/v1/values/{name}", Endpoint::kPublicValues, Lane::kServerThreads, false, false},
    Route{"POST",
          "/v1/enclave/configuration",
          Endpoint::kEnclaveConfiguration,
          Lane::kServerThreads,
          true,
          true,
          {},
          /*enclave_only=*/true},
    Route{"POST", "/v1/backup-key", Endpoint::kBackupKey, Lane::kAttestation, false, false},
    Route{"POST", "/v1/backups", Endpoint::kRegisterBackup, Lane::kServerThreads, false, true},
    Route{"GET", "/v1/backups", Endpoint::kListBackups, Lane::kServerThreads, false, true},
    Route{"DELETE", "/v1/backups/{name}", Endpoint::kRemoveBackup, Lane::kServerThreads, false,
          true},
    Route{"GET", "/v1/database-generation", Endpoint::kDatabaseGeneration, Lane::kServerThreads,
          false, false},
};

constexpr std::string_view kNameSegment = "{name}";

// Whether `path` (without query) matches the route's pattern: the pattern's text exactly,
// with its "{name}" (if any) standing for one non-empty segment without a '/'.
bool PathMatches(std::string_view pattern, std::string_view path, std::string_view* segment) {
  size_t at = pattern.find(kNameSegment);
  if (at == std::string_view::npos) return pattern == path;
  std::string_view prefix = pattern.substr(0, at);
  std::string_view suffix = pattern.substr(at + kNameSegment.size());
  if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) ||
      !path.ends_with(suffix)) {
    return false;
  }
  std::string_view middle = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (middle.find('/') != std::string_view::npos) return false;
  if (segment != nullptr) *segment = middle;
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; kInvalidArgument for a '%' not followed by two hex digits.
Result<std::string> PercentDecode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 1 < text.size() ? HexDigit(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return InvalidArgument(std::string(what) + " has a malformed percent-escape");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// One table for both directions; the first row of a code gives its status and the first row
// of a status its code.
struct CodeStatus {
  Code code;
  unsigned status;
};
constexpr std::array kCodeStatus = {
    CodeStatus{Code::kInvalidArgument, 400},
    CodeStatus{Code::kPermissionDenied, 403},
    CodeStatus{Code::kPermissionDenied, 401},
    CodeStatus{Code::kNotFound, 404},
    CodeStatus{Code::kAlreadyExists, 409},
    CodeStatus{Code::kFailedPrecondition, 412},
    CodeStatus{Code::kVerificationFailed, 403},
    CodeStatus{Code::kPolicyRejected, 403},
    CodeStatus{Code::kInvalidArgument, 413},
    CodeStatus{Code::kUnavailable, 503},
    CodeStatus{Code::kInternal, 500},
    CodeStatus{Code::kDataLoss, 500},
    CodeStatus{Code::kIoError, 500},
};

// A secret hex member of exactly `size` bytes; its text in `j` is wiped once read.
Result<SecretBytes> SecretHex(json& j, const char* name, size_t size) {
  auto it = j.find(name);
  if (it == j.end()) return InvalidArgument(Quoted(name) + " is missing");
  if (!it->is_string()) return InvalidArgument(Quoted(name) + " must be a string");
  std::string& text = it->get_ref<std::string&>();
  Result<Bytes> bytes = text.size() == 2 * size ? HexDecode(text, size) : Result<Bytes>(Bytes{});
  WipeMemory(text.data(), text.size());
  if (!bytes.ok() || bytes->size() != size) {
    return InvalidArgument(Quoted(name) + " must be " + std::to_string(2 * size) +
                           " hexadecimal digits");
  }
  SecretBytes out = SecretBytes::CopyFrom(*bytes);
  WipeMemory(bytes->data(), bytes->size());
  return out;
}

std::string HexOf(const SecretBytes& secret) { return HexEncode(secret.Reveal()); }

}  // namespace

std::span<const Route> Routes() { return kRoutes; }

json RoutesToJson() {
  json out = json::array();
  for (const Route& r : kRoutes) {
    json ports = json::array();
    if (!r.enclave_only) ports.push_back("api");
    if (r.enclave_port) ports.push_back("enclave");
    out.push_back({{"method", r.method},
                   {"path", r.path},
                   {"query", r.query.empty() ? json(nullptr) : json(r.query)},
                   {"lane", r.lane == Lane::kAttestation ? "attestation" : "server_threads"},
                   {"ports", ports},
                   {"client_certificate", r.client_certificate}});
  }
  return out;
}

const Route& RouteOf(Endpoint endpoint) {
  for (const Route& r : kRoutes) {
    if (r.endpoint == endpoint) return r;
  }
  return kRoutes.front();  // unreachable: every Endpoint has its row
}

Result<const Route*> FindRoute(std::string_view method, std::string_view target,
                               std::string* allowed) {
  std::string_view path = target.substr(0, target.find('?'));
  std::string methods;
  for (const Route& r : kRoutes) {
    if (!PathMatches(r.path, path, nullptr)) continue;
    if (r.method == method) return &r;
    if (!methods.empty()) methods += " or ";
    methods += r.method;
  }
  if (methods.empty()) {
    return NotFound("no such API path: " + std::string(path.substr(0, 200)));
  }
  if (allowed != nullptr) *allowed = methods;
  return InvalidArgument("use " + methods + " for " + std::string(path.substr(0, 200)));
}

Result<Target> ParseTarget(const Route& route, std::string_view target) {
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view segment;
  if (!PathMatches(route.path, path, &segment)) {
    return InvalidArgument("the path does not belong to " + std::string(route.path));
  }
  Target t;
  if (!segment.empty()) {
    SCONE_ASSIGN_OR_RETURN(t.name, PercentDecode(segment, "the name in the path"));
  }
  if (question == std::string_view::npos) return t;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    std::string_view item = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), item.size() + 1));
    if (item.empty()) continue;
    size_t eq = item.find('=');
    SCONE_ASSIGN_OR_RETURN(std::string key, PercentDecode(item.substr(0, eq), "a query parameter"));
    if (route.query.empty() || key != route.query) {
      std::string known = route.query.empty() ? std::string("no query parameters")
                                              : "only ?" + std::string(route.query) + "=...";
      return InvalidArgument("unknown query parameter " + Quoted(key.substr(0, 64)) + " (" +
                             std::string(route.path) + " takes " + known + ")");
    }
    if (t.query.has_value()) {
      return InvalidArgument("the query parameter " + Quoted(key) + " is given twice");
    }
    std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    SCONE_ASSIGN_OR_RETURN(t.query, PercentDecode(value, "the query parameter " + Quoted(key)));
  }
  return t;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string SessionPath(std::string_view name, std::optional<std::string_view> hash) {
  std::string path = "/v1/sessions/" + PercentEncode(name);
  if (hash.has_value()) path += "?hash=" + PercentEncode(*hash);
  return path;
}

std::string SessionHistoryPath(std::string_view name) {
  return "/v1/sessions/" + PercentEncode(name) + "/history";
}

std::string SessionListPath(std::optional<std::string_view> name_space) {
  std::string path = "/v1/sessions";
  if (name_space.has_value()) path += "?namespace=" + PercentEncode(*name_space);
  return path;
}

unsigned HttpStatusOf(Code code) {
  for (const auto& row : kCodeStatus) {
    if (row.code == code) return row.status;
  }
  return code == Code::kOk ? 200 : 500;
}

Code CodeOfHttpStatus(unsigned status) {
  for (const auto& row : kCodeStatus) {
    if (row.status == status) return row.code;
  }
  if (status >= 200 && status < 300) return Code::kOk;
  return status >= 500 ? Code::kInternal : Code::kFailedPrecondition;
}

json ErrorBody::ToJson() const { return {{"msg", msg}}; }

Result<ErrorBody> ErrorBody::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"msg"}));
  SCONE_ASSIGN_OR_RETURN(const json* list, m.Any("msg"));
  if (!list->is_array() || list->size() > kMaxMessages) {
    return InvalidArgument("\"msg\" must be a list of at most " + std::to_string(kMaxMessages) +
                           " strings");
  }
  ErrorBody e;
  for (const auto& item : *list) {
    if (!item.is_string() || item.get_ref<const std::string&>().size() > kMaxMessageSize) {
      return InvalidArgument("\"msg\" must hold strings of at most " +
                             std::to_string(kMaxMessageSize) + " characters");
    }
    e.msg.push_back(item.get<std::string>());
  }
  return e;
}

json VersionResponse::ToJson() const {
  return {{"name", name}, {"version", version}, {"api", api}};
}

Result<VersionResponse> VersionResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"name", "version", "api"}));
  VersionResponse v;
  SCONE_ASSIGN_OR_RETURN(v.name, m.String("name", kMaxShortText));
  SCONE_ASSIGN_OR_RETURN(v.version, m.String("version", kMaxShortText));
  SCONE_ASSIGN_OR_RETURN(v.api, m.Int("api"));
  return v;
}

json AttestationRequest::ToJson() const { return {{"nonce", HexEncode(nonce)}}; }

Result<AttestationRequest> AttestationRequest::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"nonce"}));
  AttestationRequest r;
  SCONE_ASSIGN_OR_RETURN(r.nonce, m.Hex("nonce", kMinNonceSize, kMaxNonceSize));
  return r;
}

uint8_t AttestationFlags::ToByte() const {
  return static_cast<uint8_t>((provisioned ? 1U : 0U) | (owner_secret_access ? 2U : 0U) |
                              (debug ? 4U : 0U) | (simulated ? 8U : 0U));
}

json AttestationFlags::ToJson() const {
  return {{"provisioned", provisioned},
          {"owner_secret_access", owner_secret_access},
          {"debug", debug},
          {"simulated", simulated}};
}

Result<AttestationFlags> AttestationFlags::FromJson(const json& j) {
  auto m = Members::Of(j, {"provisioned", "owner_secret_access", "debug", "simulated"});
  if (!m.ok()) return m.status().WithContext("\"flags\"");
  AttestationFlags f;
  SCONE_ASSIGN_OR_RETURN(f.provisioned, m->Bool("provisioned"));
  SCONE_ASSIGN_OR_RETURN(f.owner_secret_access, m->Bool("owner_secret_access"));
  SCONE_ASSIGN_OR_RETURN(f.debug, m->Bool("debug"));
  SCONE_ASSIGN_OR_RETURN(f.simulated, m->Bool("simulated"));
  return f;
}

json AttestationResponse::ToJson() const {
  return {{"quote", HexEncode(quote)},
          {"collateral", attestation::CollateralToJson(collateral)},
          {"cas_certificate", cas_certificate_pem},
          {"cas_software_certificate", cas_software_certificate_pem},
          {"flags", flags.ToJson()}};
}

std::string CollateralJsonText(const attestation::Collateral& collateral) {
  return Serialize(attestation::CollateralToJson(collateral));
}

std::string AttestationResponse::ToBody() const {
  // The members in the order nlohmann's object (a std::map) dumps them, so that the text is
  // ToJson().dump()'s. Hex needs no JSON escaping.
  const std::string collateral_text =
      collateral_json ? std::string() : CollateralJsonText(collateral);
  const std::string& c = collateral_json ? *collateral_json : collateral_text;
  const std::string cas_cert = Serialize(json(cas_certificate_pem));
  const std::string software_cert = Serialize(json(cas_software_certificate_pem));
  const std::string flags_text = Serialize(flags.ToJson());
  std::string body;
  body.reserve(quote.size() * 2 + c.size() + cas_cert.size() + software_cert.size() +
               flags_text.size() + 96);
  body.append("{\"cas_certificate\":").append(cas_cert);
  body.append(",\"cas_software_certificate\":").append(software_cert);
  body.append(",\"collateral\":").append(c);
  body.append(",\"flags\":").append(flags_text);
  body.append(",\"quote\":\"").append(HexEncode(quote)).append("\"}");
  return body;
}

Result<AttestationResponse> AttestationResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"quote", "collateral", "cas_certificate",
                                                    "cas_software_certificate", "flags"}));
  AttestationResponse r;
  SCONE_ASSIGN_OR_RETURN(r.quote, m.Hex("quote", 1, kMaxQuoteSize));
  SCONE_ASSIGN_OR_RETURN(const json* collateral, m.Any("collateral"));
  auto c = attestation::CollateralFromJson(*collateral);
  if (!c.ok()) return c.status().WithContext("\"collateral\"");
  r.collateral = std::move(*c);
  SCONE_ASSIGN_OR_RETURN(r.cas_certificate_pem, m.String("cas_certificate", kMaxPemSize));
  SCONE_ASSIGN_OR_RETURN(r.cas_software_certificate_pem,
                         m.String("cas_software_certificate", kMaxPemSize));
  SCONE_ASSIGN_OR_RETURN(const json* flags, m.Any("flags"));
  SCONE_ASSIGN_OR_RETURN(r.flags, AttestationFlags::FromJson(*flags));
  return r;
}

json OwnerConfigDocument::ToJson() const {
  return {{"format", std::string(ConfigFormatName(format))}, {"text", text}};
}

Result<OwnerConfigDocument> OwnerConfigDocument::FromJson(const json& j) {
  auto m = Members::Of(j, {"format", "text"});
  if (!m.ok()) {
    return m.status().WithContext(
        "\"config\" must be {\"format\": \"toml|json|yaml\", \"text\": ...}");
  }
  OwnerConfigDocument d;
  auto format = m->String("format", kMaxShortText);
  if (!format.ok()) return format.status().WithContext("\"config\"");
  auto parsed = ParseConfigFormat(*format);
  if (!parsed.ok()) return parsed.status().WithContext("\"config\": \"format\"");
  d.format = *parsed;
  auto text = m->String("text", kMaxOwnerConfigSize);
  if (!text.ok()) return text.status().WithContext("\"config\"");
  d.text = std::move(*text);
  return d;
}

json ProvisionRequest::ToJson() const {
  json j = {{"token", HexOf(token)}, {"config", config.ToJson()}};
  if (database_key.has_value()) j["database_key"] = HexOf(*database_key);
  return j;
}

net::HttpRequest ProvisionRequest::ToHttpRequest() const {
  const Route& route = RouteOf(Endpoint::kProvision);
  net::HttpRequest r(std::string(route.method), std::string(route.path), "application/json", {},
                     /*sensitive_=*/true);
  // {"token":"HEX"[,"database_key":"HEX"],"config":{...}}, written into a buffer that never
  // grows, each secret's hex wiped once copied; the configuration is not secret.
  std::string token_hex = HexOf(token);
  std::string key_hex = database_key.has_value() ? HexOf(*database_key) : std::string();
  std::string rest = Serialize(json{{"config", config.ToJson()}});  // {"config":{...}}
  r.body.reserve(token_hex.size() + key_hex.size() + rest.size() + 32);
  r.body.append("{\"token\":\"").append(token_hex).append("\",");
  if (database_key.has_value()) r.body.append("\"database_key\":\"").append(key_hex).append("\",");
  r.body.append(std::string_view(rest).substr(1));
  net::WipeString(token_hex);
  net::WipeString(key_hex);
  return r;
}

Result<ProvisionRequest> ProvisionRequest::FromJson(json& j) {
  // The secrets are wiped whatever else is wrong with the request.
  std::optional<Result<SecretBytes>> key;
  if (j.is_object() && j.contains("database_key")) {
    key = SecretHex(j, "database_key", kDatabaseKeySize);
  }
  Result<SecretBytes> token = j.is_object() ? SecretHex(j, "token", kTokenSize)
                                            : Result<SecretBytes>(InvalidArgument("not an object"));
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"token", "database_key", "config"}));
  ProvisionRequest r;
  SCONE_ASSIGN_OR_RETURN(r.token, std::move(token));
  if (key.has_value()) {
    SCONE_ASSIGN_OR_RETURN(r.database_key, std::move(*key));
  }
  SCONE_ASSIGN_OR_RETURN(const json* config, m.Any("config"));
  SCONE_ASSIGN_OR_RETURN(r.config, OwnerConfigDocument::FromJson(*config));
  return r;
}

json ProvisionResponse::ToJson() const {
  return {{"cas_key_hash", cas_key_hash},
          {"cas_certificate", cas_certificate_pem},
          {"owner", owner},
          {"rekeyed", rekeyed}};
}

Result<ProvisionResponse> ProvisionResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m,
                         Members::Of(j, {"cas_key_hash", "cas_certificate", "owner", "rekeyed"}));
  ProvisionResponse r;
  SCONE_ASSIGN_OR_RETURN(r.cas_key_hash, m.String("cas_key_hash", kMaxKeyHashSize));
  SCONE_ASSIGN_OR_RETURN(r.cas_certificate_pem, m.String("cas_certificate", kMaxPemSize));
  SCONE_ASSIGN_OR_RETURN(r.owner, m.String("owner", kMaxKeyHashSize));
  SCONE_ASSIGN_OR_RETURN(r.rekeyed, m.Bool("rekeyed"));
  return r;
}

json ConfigResponse::ToJson() const { return {{"config", config}, {"owner", owner}}; }

Result<ConfigResponse> ConfigResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"config", "owner"}));
  ConfigResponse r;
  SCONE_ASSIGN_OR_RETURN(const json* config, m.Any("config"));
  if (!config->is_object()) return InvalidArgument("\"config\" must be a JSON object");
  r.config = *config;
  SCONE_ASSIGN_OR_RETURN(r.owner, m.String("owner", kMaxKeyHashSize));
  return r;
}

json ConfigUpdateRequest::ToJson() const { return {{"config", config.ToJson()}}; }

Result<ConfigUpdateRequest> ConfigUpdateRequest::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"config"}));
  ConfigUpdateRequest r;
  SCONE_ASSIGN_OR_RETURN(const json* config, m.Any("config"));
  SCONE_ASSIGN_OR_RETURN(r.config, OwnerConfigDocument::FromJson(*config));
  return r;
}

json ConfigUpdateResponse::ToJson() const { return json::object(); }

Result<ConfigUpdateResponse> ConfigUpdateResponse::FromJson(const json& j) {
  SCONE_RETURN_IF_ERROR(Members::Of(j, {}).status());
  return ConfigUpdateResponse{};
}

std::string Serialize(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<json> ParseObject(std::string_view body, std::string_view what) {
  if (body.empty()) return json::object();
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument(std::string(what) + " is not a JSON object");
  }
  return j;
}

}  // namespace scone::cas::api
