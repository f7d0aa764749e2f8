// libFuzzer target: every request and response type of the CAS API (cas/api.h), the route
// table and the error body. The first byte of an input (modulo 21) chooses the type, the rest is
// the body as it would arrive (seed corpus: fuzz/corpus/api_fuzz/, first byte then JSON).
//
// Properties beyond "no crash, no sanitizer report, no uncaught exception":
//  - a body a type accepts, written again with its ToJson and parsed, gives the same JSON
//    (ToJson(FromJson(ToJson(x))) == ToJson(x)): what a peer sends survives the round trip;
//  - ProvisionRequest: the text of the token and the database key in the parsed JSON is
//    wiped, and its sensitive HTTP request (ToHttpRequest) parses back to the same request;
//  - FindRoute of any method and path either fails or names a route with that method;
//  - a session target that ParseTarget accepts, built again with SessionPath /
//    SessionHistoryPath / SessionListPath, finds the same route and parses to the same name
//    and query (what the CLI sends is what the server reads);
//  - a /v1/values segment that ParseValuesTarget accepts, built again with ValuesPath, finds
//    the values route and parses to the same session and secret.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cas/api.h"

namespace {
using nlohmann::json;
using namespace scone::cas::api;  // NOLINT(google-build-using-namespace): a test driver

// ToJson(FromJson(ToJson(x))) == ToJson(x) for whatever T accepts of `body`.
template <typename T>
void RoundTrip(std::string_view body) {
  auto parsed = ParseBody<T>(body, "fuzz");
  if (!parsed.ok()) {
    (void)parsed.status().ToString();
    return;
  }
  json first = parsed->ToJson();
  auto again = ParseBody<T>(Serialize(first), "again");
  if (!again.ok() || again->ToJson() != first) std::abort();
}

void Provision(std::string_view body) {
  auto j = ParseObject(body, "fuzz");
  if (!j.ok()) return;
  auto parsed = ProvisionRequest::FromJson(*j);
  for (const char* secret : {"token", "database_key"}) {
    auto it = j->find(secret);
    if (it == j->end() || !it->is_string()) continue;
    for (char c : it->get_ref<const std::string&>()) {
      if (c != '\0') std::abort();  // the secret's text was not wiped
    }
  }
  if (!parsed.ok()) return;
  scone::net::HttpRequest http = parsed->ToHttpRequest();
  if (!http.sensitive) std::abort();
  auto again = ParseBody<ProvisionRequest>(http.body, "again");
  if (!again.ok() || !(again->token == parsed->token) ||
      again->database_key.has_value() != parsed->database_key.has_value() ||
      (again->database_key && !(*again->database_key == *parsed->database_key)) ||
      again->config.ToJson() != parsed->config.ToJson()) {
    std::abort();
  }
}

void LookUpRoute(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return;
  std::string allowed;
  auto route = FindRoute(text.substr(0, space), text.substr(space + 1), &allowed);
  if (route.ok() && (*route)->method != text.substr(0, space)) std::abort();
}

// The target rebuilt from its parsed parts by the CLI's path builders; empty for routes
// without a name or query.
std::string Rebuild(const Route& route, const Target& target) {
  switch (route.endpoint) {
    case Endpoint::kReadSession:
    case Endpoint::kUpdateSession:
      return SessionPath(target.name, target.query);
    case Endpoint::kSessionHistory:
      return SessionHistoryPath(target.name);
    case Endpoint::kListSessions:
      return SessionListPath(target.query);
    default:
      return {};
  }
}

void ParseSessionTarget(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return;
  std::string_view method = text.substr(0, space);
  std::string_view path = text.substr(space + 1);
  auto route = FindRoute(method, path);
  if (!route.ok()) return;
  auto target = ParseTarget(**route, path);
  if (!target.ok()) return;
  std::string rebuilt = Rebuild(**route, *target);
  if (rebuilt.empty()) return;
  auto again_route = FindRoute(method, rebuilt);
  if (!again_route.ok() || *again_route != *route) std::abort();
  auto again = ParseTarget(**again_route, rebuilt);
  if (!again.ok() || again->name != target->name || again->query != target->query) std::abort();
}

// A values segment that parses is built again by ValuesPath into a target of the values
// route that parses to the same session and secret.
void ValuesTargetRoundTrip(std::string_view segment) {
  auto t = ParseValuesTarget(segment);
  if (!t.ok()) return;
  std::string path = ValuesPath(t->session, t->secret);
  auto route = FindRoute("GET", path);
  if (!route.ok() || (*route)->endpoint != Endpoint::kPublicValues) std::abort();
  auto target = ParseTarget(**route, path);
  if (!target.ok()) std::abort();
  auto again = ParseValuesTarget(target->name);
  if (!again.ok() || again->session != t->session || again->secret != t->secret) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);  // NOLINT
  switch (data[0] % 21) {
    case 0:
      RoundTrip<ErrorBody>(body);
      break;
    case 1:
      RoundTrip<VersionResponse>(body);
      break;
    case 2:
      RoundTrip<AttestationRequest>(body);
      break;
    case 3:
      RoundTrip<AttestationFlags>(body);
      break;
    case 4:
      RoundTrip<AttestationResponse>(body);
      break;
    case 5:
      RoundTrip<OwnerConfigDocument>(body);
      break;
    case 6:
      Provision(body);
      break;
    case 7:
      RoundTrip<ProvisionResponse>(body);
      break;
    case 8:
      RoundTrip<ConfigResponse>(body);
      break;
    case 9:
      RoundTrip<ConfigUpdateRequest>(body);
      break;
    case 10:
      RoundTrip<ConfigUpdateResponse>(body);
      break;
    case 11:
      LookUpRoute(body);
      break;
    case 12:
      RoundTrip<SessionUploadResponse>(body);
      break;
    case 13:
      RoundTrip<SessionVersion>(body);
      break;
    case 14:
      RoundTrip<SessionReadResponse>(body);
      break;
    case 15:
      RoundTrip<SessionHistoryResponse>(body);
      break;
    case 16:
      RoundTrip<SessionListResponse>(body);
      break;
    case 17:
      RoundTrip<PublicValue>(body);
      break;
    case 18:
      RoundTrip<PublicValuesResponse>(body);
      break;
    case 19:
      ValuesTargetRoundTrip(body);
      break;
    default:
      ParseSessionTarget(body);
      break;
  }
  return 0;
}
