// The CAS API on the wire (docs/cas.md "API"): one request and one response type per
// endpoint, the table of paths and methods, the error body and the mapping between HTTP
// statuses and Status codes. The server (src/cas/server), the `scone` CLI and the tests all
// use these types; nothing else builds or parses CAS JSON.
//
// Parsing is strict: a body must be one JSON object whose members are exactly the ones a
// type knows (unknown members are refused), each of its JSON type and within its size
// limit. Every refusal is kInvalidArgument and names the member ("\"nonce\": ...").
//
// Adding an endpoint (docs/architecture.md "Adding a CAS endpoint"): its request and
// response type here, its entry in Routes() (api.cc), its handler in src/cas/server.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/collateral.h"
#include "cas/owner_config.h"
#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "net/http.h"

namespace scone::cas::api {

// ---- routes -------------------------------------------------------------------------------

enum class Endpoint {
  kVersion,
  kAttestation,
  kProvision,
  kGetConfig,
  kPutConfig,
  kCreateSession,         // POST /v1/sessions
  kUpdateSession,         // PUT /v1/sessions/{name}
  kReadSession,           // GET /v1/sessions/{name}[?hash=H]
  kSessionHistory,        // GET /v1/sessions/{name}/history
  kListSessions,          // GET /v1/sessions[?namespace=NS]
  kLegacySession,         // POST /session (SCONE compatibility: create or update)
  kPublicValues,          // GET /v1/values/session=NAME[,secret=S] (no client certificate)
  kEnclaveConfiguration,  // POST /v1/enclave/configuration (api_enclave.h; enclave port only)
  kBackupKey,             // POST /v1/backup-key (a backup's fresh key, attested; anyone)
  kRegisterBackup,        // POST /v1/backups (the owner registers a backup)
  kListBackups,           // GET /v1/backups (the owner)
  kRemoveBackup,          // DELETE /v1/backups/{name} (the owner)
  kDatabaseGeneration,    // GET /v1/database-generation (anyone; docs/backup.md "One writer")
};

// Which group of workers serves a route (net::ServerOptions::lanes): anonymous requests that
// wait for las run in a bounded lane of their own, so that a flood of them cannot starve the
// owner's and sessions' calls, which run on the server's threads (docs/cas.md).
enum class Lane { kServerThreads, kAttestation };

struct Route {
  std::string_view method;  // "GET", "POST", "PUT"
  // The path, e.g. "/v1/attestation"; at most one segment may be "{name}", which matches
  // one non-empty path segment (no raw '/'; a '/' in a name is sent as %2F).
  std::string_view path;
  Endpoint endpoint;
  Lane lane;
  bool enclave_port;          // also served on the enclave port (18765)
  bool client_certificate;    // needs a client certificate (401 without)
  std::string_view query{};   // the one query parameter the route takes ("hash"), or none
  bool enclave_only = false;  // served on the enclave port only (404 on the API port)
};

// Every route of the API, one entry per method and path.
std::span<const Route> Routes();
const Route& RouteOf(Endpoint endpoint);
// The route table as JSON, one object per route: {"method", "path", "query" (or null),
// "lane" ("server_threads"|"attestation"), "ports" (["api"], ["api", "enclave"] or
// ["enclave"]), "client_certificate"}. `cas --print-routes` prints it, for the check of
// docs/openapi.yaml against the table (tests/e2e/test_openapi.py).
nlohmann::json RoutesToJson();

// The route for `method` and `target` (path and query; the query plays no part here).
// kNotFound for an unknown path; for a known path with another method, kInvalidArgument and
// `*allowed` (if given) lists the methods of that path ("GET or PUT"), for a 405 answer.
Result<const Route*> FindRoute(std::string_view method, std::string_view target,
                               std::string* allowed = nullptr);

// What a request target carries besides its route.
struct Target {
  std::string name;                  // the "{name}" segment, percent-decoded; else empty
  std::optional<std::string> query;  // the value of the route's query parameter, decoded
};

// The parts of `target` (which FindRoute matched to `route`). kInvalidArgument for a
// malformed percent-escape, a query parameter the route does not take, or one given twice.
// The name is not checked here: the session language's rules are the handler's.
Result<Target> ParseTarget(const Route& route, std::string_view target);

// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~ (so '/' becomes %2F).
std::string PercentEncode(std::string_view text);
// Targets of the session routes, the name (and the query values) percent-encoded:
// "/v1/sessions/NAME[?hash=H]", "/v1/sessions/NAME/history", "/v1/sessions[?namespace=NS]".
std::string SessionPath(std::string_view name, std::optional<std::string_view> hash = std::nullopt);
std::string SessionHistoryPath(std::string_view name);
std::string SessionListPath(std::optional<std::string_view> name_space = std::nullopt);

// ---- errors ------------------------------------------------------------------------------

// The HTTP status of a Status code and the Status code of an HTTP status, from one table:
// 400 kInvalidArgument, 401/403 kPermissionDenied (403 also kVerificationFailed and
// kPolicyRejected), 404 kNotFound, 409 kAlreadyExists, 412 kFailedPrecondition, 503
// kUnavailable, 500 kInternal (also kDataLoss, kIoError). Any other 4xx is
// kFailedPrecondition, any other 5xx kInternal.
unsigned HttpStatusOf(Code code);
Code CodeOfHttpStatus(unsigned status);

// The error body: {"msg": ["message", ...]}.
struct ErrorBody {
  std::vector<std::string> msg;

  nlohmann::json ToJson() const;
  static Result<ErrorBody> FromJson(const nlohmann::json& json);
};

// ---- GET /v1/version ----------------------------------------------------------------------

struct VersionResponse {
  std::string name = "cas";
  std::string version;
  int64_t api = 1;

  nlohmann::json ToJson() const;
  static Result<VersionResponse> FromJson(const nlohmann::json& json);
};

// ---- POST /v1/attestation -----------------------------------------------------------------

inline constexpr size_t kMinNonceSize = 16;
inline constexpr size_t kMaxNonceSize = 64;

struct AttestationRequest {
  Bytes nonce;  // kMinNonceSize to kMaxNonceSize fresh random bytes; hex on the wire

  nlohmann::json ToJson() const;
  static Result<AttestationRequest> FromJson(const nlohmann::json& json);
};

// The CAS's state as attested: bound into the quote's report data (protocol.h).
struct AttestationFlags {
  bool provisioned = false;
  bool owner_secret_access = false;  // the owner injected the database key
  bool debug = false;                // the CAS enclave has the DEBUG attribute
  bool simulated = false;            // SGX is simulated (always, in this implementation)

  uint8_t ToByte() const;
  nlohmann::json ToJson() const;
  static Result<AttestationFlags> FromJson(const nlohmann::json& json);
};

struct AttestationResponse {
  Bytes quote;
  attestation::Collateral collateral;
  std::string cas_certificate_pem;
  std::string cas_software_certificate_pem;
  AttestationFlags flags;
  // Server side only: `collateral`'s JSON text (CollateralJsonText), which CAS keeps with
  // the collateral it caches. Serializing the collateral anew cost CAS a tenth of the CPU of
  // an attestation; it changes once an hour.
  std::shared_ptr<const std::string> collateral_json;

  nlohmann::json ToJson() const;
  // ToJson().dump()'s text, with the collateral's text spliced in from `collateral_json`
  // when it is set.
  std::string ToBody() const;
  static Result<AttestationResponse> FromJson(const nlohmann::json& json);
};

// The JSON text of `collateral` as AttestationResponse::ToBody splices it in.
std::string CollateralJsonText(const attestation::Collateral& collateral);

// ---- POST /v1/provision, PUT /v1/config ---------------------------------------------------

inline constexpr size_t kTokenSize = 16;
inline constexpr size_t kDatabaseKeySize = 32;

// An owner configuration as uploaded: {"format": "toml|json|yaml", "text": ...}, the text at
// most kMaxOwnerConfigSize bytes. Parsing the text itself is ParseOwnerConfig's job.
struct OwnerConfigDocument {
  ConfigFormat format = ConfigFormat::kToml;
  std::string text;

  nlohmann::json ToJson() const;
  static Result<OwnerConfigDocument> FromJson(const nlohmann::json& json);
};

struct ProvisionRequest {
  SecretBytes token;                        // kTokenSize bytes, hex on the wire
  std::optional<SecretBytes> database_key;  // kDatabaseKeySize bytes, hex on the wire
  OwnerConfigDocument config;

  // The request to send: POST /v1/provision with this request's JSON text, marked sensitive
  // (net/http.h), so that the text is wiped when the request is freed. Use this rather than
  // ToJson, whose result holds the token and the key in ordinary strings.
  net::HttpRequest ToHttpRequest() const;
  nlohmann::json ToJson() const;
  // Wipes the secret members' text in `json` once read.
  static Result<ProvisionRequest> FromJson(nlohmann::json& json);
};

struct ProvisionResponse {
  std::string cas_key_hash;
  std::string cas_certificate_pem;
  std::string owner;  // the owner's key hash
  bool rekeyed = false;

  nlohmann::json ToJson() const;
  static Result<ProvisionResponse> FromJson(const nlohmann::json& json);
};

// GET /v1/config: the stored configuration (as JSON) and the owner's key hash.
struct ConfigResponse {
  nlohmann::json config = nlohmann::json::object();
  std::string owner;

  nlohmann::json ToJson() const;
  static Result<ConfigResponse> FromJson(const nlohmann::json& json);
};

struct ConfigUpdateRequest {
  OwnerConfigDocument config;

  nlohmann::json ToJson() const;
  static Result<ConfigUpdateRequest> FromJson(const nlohmann::json& json);
};

// PUT /v1/config answers {}.
struct ConfigUpdateResponse {
  nlohmann::json ToJson() const;
  static Result<ConfigUpdateResponse> FromJson(const nlohmann::json& json);
};

// ---- sessions (docs/cas.md "Sessions") ---------------------------------------------------
//
// POST /v1/sessions, PUT /v1/sessions/{name} and POST /session take the session YAML itself
// as the body (any Content-Type), at most kMaxSessionSize bytes (the session language
// parser's limit). Creating answers 201, updating 200, both with a SessionUploadResponse.

inline constexpr size_t kMaxSessionSize = 4u << 20;
// A session hash: 64 lower-case hex digits (sdl::SessionHash).
inline constexpr size_t kSessionHashSize = 64;

struct SessionUploadResponse {
  std::string name;
  std::string hash;

  nlohmann::json ToJson() const;
  static Result<SessionUploadResponse> FromJson(const nlohmann::json& json);
};

// One stored version of a session.
struct SessionVersion {
  std::string hash;
  std::string creator;                     // key hash of the uploader's client certificate
  std::optional<std::string> predecessor;  // the version it replaced; null for the first
  int64_t created = 0;                     // Unix seconds; RFC 3339 UTC text on the wire

  nlohmann::json ToJson() const;
  static Result<SessionVersion> FromJson(const nlohmann::json& json);
};

// GET /v1/sessions/{name}[?hash=H]: the active version, or the one named by its hash.
// `session` is the YAML text exactly as uploaded (never a value CAS generated).
// On the wire: {"name", "hash", "session", "creator", "predecessor", "created"}.
struct SessionReadResponse {
  std::string name;
  std::string session;
  SessionVersion version;

  nlohmann::json ToJson() const;
  static Result<SessionReadResponse> FromJson(const nlohmann::json& json);
};

// GET /v1/sessions/{name}/history: every version, oldest first.
struct SessionHistoryResponse {
  std::string name;
  std::vector<SessionVersion> versions;

  nlohmann::json ToJson() const;
  static Result<SessionHistoryResponse> FromJson(const nlohmann::json& json);
};

// GET /v1/sessions[?namespace=NS]: the names the caller may list, sorted. With a
// namespace, the sessions directly in it ("NS/x", not "NS/x/y").
struct SessionListResponse {
  std::vector<std::string> sessions;

  nlohmann::json ToJson() const;
  static Result<SessionListResponse> FromJson(const nlohmann::json& json);
};

// ---- public secret values (docs/cas.md "Secrets") -----------------------------------------
//
// GET /v1/values/session=NAME[,secret=S], without a client certificate: the `export_public`
// secrets of NAME's active version. The {name} segment of the route is "session=NAME" or
// "session=NAME,secret=S" (NAME's '/' sent as %2F).

struct ValuesTarget {
  std::string session;
  std::optional<std::string> secret;
};
// The parts of the (decoded) segment; kInvalidArgument saying the expected form otherwise.
Result<ValuesTarget> ParseValuesTarget(std::string_view segment);
// "/v1/values/session=NAME[,secret=S]", percent-encoded.
std::string ValuesPath(std::string_view session, std::optional<std::string_view> secret = {});

// One public value: `kind` is the secret's kind ("ascii", ..., "x509-ca"), `value` its
// public text (docs/cas.md: ascii as is, binary as hex, keys and certificates as PEM; of a
// private-key only its public key).
struct PublicValue {
  std::string kind;
  std::string value;

  nlohmann::json ToJson() const;
  static Result<PublicValue> FromJson(const nlohmann::json& json);
};

// session=NAME: {"values": {"S": {"kind", "value"}, ...}}.
struct PublicValuesResponse {
  std::map<std::string, PublicValue> values;

  nlohmann::json ToJson() const;
  static Result<PublicValuesResponse> FromJson(const nlohmann::json& json);
};

// ---- backups (docs/backup.md) -------------------------------------------------------------

// POST /v1/backup-key, asked of the backup by the primary: a fresh key bound to the backup's
// platform, in a quote whose report data is protocol.h's BackupKeyReportData.
struct BackupKeyRequest {
  Bytes nonce;  // kMinNonceSize to kMaxNonceSize fresh random bytes

  nlohmann::json ToJson() const;
  static Result<BackupKeyRequest> FromJson(const nlohmann::json& json);
};

struct BackupKeyResponse {
  Bytes quote;
  attestation::Collateral collateral;
  Bytes salt;              // 32 bytes
  int64_t key_isvsvn = 0;  // 0..65535
  Bytes public_key;        // DER SubjectPublicKeyInfo (P-256)

  nlohmann::json ToJson() const;
  static Result<BackupKeyResponse> FromJson(const nlohmann::json& json);
};

// POST /v1/backups: the owner asks the primary to attest the backup at `backup` (HOST[:PORT])
// and to wrap the database key for it. The accept_* members relax the TCB check beyond "the
// same as or better than the primary's"; sim_root_ca (PEM, or empty) names the simulated
// root for testing, accepted only if it is the root of the primary's own platform.
struct RegisterBackupRequest {
  std::string backup;
  bool accept_configuration_needed = false;
  bool accept_out_of_date = false;
  bool accept_sw_hardening_needed = false;
  std::string sim_root_ca;

  nlohmann::json ToJson() const;
  static Result<RegisterBackupRequest> FromJson(const nlohmann::json& json);
};

// One registered backup, as the primary attested it (answer of POST /v1/backups).
struct BackupInfo {
  std::string id;  // 32 hex digits
  std::string address;
  std::string mrsigner;  // 64 hex digits
  int64_t isvprodid = 0;
  int64_t isvsvn = 0;
  bool debug = false;
  std::string tcb_status;
  int64_t registered = 0;  // Unix seconds

  nlohmann::json ToJson() const;
  static Result<BackupInfo> FromJson(const nlohmann::json& json);
};

// GET /v1/backups.
struct BackupListResponse {
  std::vector<BackupInfo> backups;

  nlohmann::json ToJson() const;
  static Result<BackupListResponse> FromJson(const nlohmann::json& json);
};

// DELETE /v1/backups/{id} answers {}.
struct RemoveBackupResponse {
  nlohmann::json ToJson() const;
  static Result<RemoveBackupResponse> FromJson(const nlohmann::json& json);
};

// "/v1/backups/ID".
std::string BackupPath(std::string_view id);

// GET /v1/database-generation (no client certificate, provisioned or not): which database
// this CAS serves and with which generation (docs/backup.md "One writer"). A starting CAS
// asks its registered backups, over TLS pinned to its own CAS key, so that an answer about
// its own database cannot be forged by anyone without that key.
struct DatabaseGenerationResponse {
  std::string key_id;      // the database key's public id, 32 hex digits
  int64_t generation = 0;  // 1 or more
  std::string instance;    // the serving CAS's instance id (its software key hash)
  int64_t opened_at = 0;   // Unix seconds: when that CAS opened the database

  nlohmann::json ToJson() const;
  static Result<DatabaseGenerationResponse> FromJson(const nlohmann::json& json);
};

// ---- bodies ------------------------------------------------------------------------------

// The JSON text of a value (invalid UTF-8 replaced, never a throw).
std::string Serialize(const nlohmann::json& json);

// Parses `body` as one JSON object; kInvalidArgument otherwise ("`what` is not a JSON
// object"). An empty body counts as {}.
Result<nlohmann::json> ParseObject(std::string_view body, std::string_view what);

// ParseObject and T::FromJson, with `what` ("the attestation answer") as context.
template <typename T>
Result<T> ParseBody(std::string_view body, std::string_view what) {
  SCONE_ASSIGN_OR_RETURN(nlohmann::json json, ParseObject(body, what));
  auto value = T::FromJson(json);
  if (!value.ok()) return value.status().WithContext(what);
  return value;
}

}  // namespace scone::cas::api
