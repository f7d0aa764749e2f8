// libFuzzer target: the enclave API's types (cas/api_enclave.h). The first byte (modulo 2)
// chooses the type, the rest is the body (seed corpus: fuzz/corpus/api_enclave_fuzz/).
//
// Properties beyond "no crash, no sanitizer report, no uncaught exception":
//  - EnclaveConfigurationRequest: an accepted body survives ToJson and FromJson unchanged;
//  - EnclaveConfigurationResponse: every string under the secret members ("command",
//    "environment", "injection_files") of the parsed JSON is wiped, accepted or not; an
//    accepted answer's sensitive HTTP response (ToHttpResponse) parses back to the same values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cas/api_enclave.h"

namespace {
using nlohmann::json;
using scone::cas::api::EnclaveConfigurationRequest;
using scone::cas::api::EnclaveConfigurationResponse;

void Request(std::string_view body) {
  auto parsed = scone::cas::api::ParseBody<EnclaveConfigurationRequest>(body, "fuzz");
  if (!parsed.ok()) return;
  json first = parsed->ToJson();
  auto again = scone::cas::api::ParseBody<EnclaveConfigurationRequest>(
      scone::cas::api::Serialize(first), "again");
  if (!again.ok() || again->ToJson() != first) std::abort();
}

bool AllWiped(const json& j) {
  if (j.is_string()) {
    for (char c : j.get_ref<const std::string&>()) {
      if (c != '\0') return false;
    }
    return true;
  }
  if (j.is_array() || j.is_object()) {
    for (const auto& item : j) {
      if (!AllWiped(item)) return false;
    }
  }
  return true;
}

bool Same(const EnclaveConfigurationResponse& a, const EnclaveConfigurationResponse& b) {
  if (a.session != b.session || a.session_hash != b.session_hash || a.service != b.service ||
      a.pwd != b.pwd || a.warnings != b.warnings ||
      a.command.has_value() != b.command.has_value() ||
      a.environment.size() != b.environment.size() ||
      a.injection_files.size() != b.injection_files.size()) {
    return false;
  }
  if (a.command && (a.command->size() != b.command->size())) return false;
  for (size_t i = 0; a.command && i < a.command->size(); ++i) {
    if (!((*a.command)[i] == (*b.command)[i])) return false;
  }
  for (size_t i = 0; i < a.environment.size(); ++i) {
    if (a.environment[i].first != b.environment[i].first ||
        !(a.environment[i].second == b.environment[i].second)) {
      return false;
    }
  }
  for (size_t i = 0; i < a.injection_files.size(); ++i) {
    const auto& x = a.injection_files[i];
    const auto& y = b.injection_files[i];
    if (x.path != y.path || !(x.content == y.content) || x.mode != y.mode) return false;
  }
  return true;
}

void Response(std::string_view body) {
  auto j = scone::cas::api::ParseObject(body, "fuzz");
  if (!j.ok()) return;
  auto parsed = EnclaveConfigurationResponse::FromJson(*j);
  for (const char* secret : {"command", "environment", "injection_files"}) {
    auto it = j->find(secret);
    if (it != j->end() && !AllWiped(*it)) std::abort();
  }
  if (!parsed.ok()) return;
  scone::net::HttpResponse http = parsed->ToHttpResponse();
  if (!http.sensitive) std::abort();
  auto again_json = scone::cas::api::ParseObject(http.body, "again");
  if (!again_json.ok()) std::abort();
  auto again = EnclaveConfigurationResponse::FromJson(*again_json);
  if (!again.ok() || !Same(*parsed, *again)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);  // NOLINT
  if (data[0] % 2 == 0) {
    Request(body);
  } else {
    Response(body);
  }
  return 0;
}
