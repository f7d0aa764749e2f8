#include "cas/server/las_client.h"

#include <nlohmann/json.hpp>

#include "attestation/collateral_json.h"
#include "common/hex.h"

namespace scone::cas {
namespace {
using nlohmann::json;

// Every las request may be repeated: a second quote or seal key is the same as the first.
Result<json> Call(net::HttpClient& las, const net::HttpRequest& request) {
  auto r = las.Call(request, net::HttpClient::Repeat::kYes);
  if (!r.ok()) {
    return Status(Code::kUnavailable,
                  "las at " + las.endpoint().ToString() + ": " + r.status().message());
  }
  if (r->status != 200) {
    return Status(Code::kUnavailable,
                  "las refused " + request.target + ": " + net::ErrorMessageOf(*r));
  }
  json body = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return Status(Code::kUnavailable, "las sent a malformed answer");
  return body;
}

}  // namespace

Result<Bytes> LasClient::Quote(const ByteArray<64>& report_data) const {
  json req = {{"report_data", HexEncode(report_data)}};
  SCONE_ASSIGN_OR_RETURN(json res,
                         Call(las_, {"POST", "/v1/quote", "application/json", req.dump()}));
  if (!res.contains("quote") || !res["quote"].is_string()) {
    return Status(Code::kUnavailable, "las sent no quote");
  }
  auto quote = HexDecode(res["quote"].get<std::string>());
  if (!quote.ok()) return Status(Code::kUnavailable, "las sent a malformed quote");
  return quote;
}

Result<attestation::Collateral> LasClient::Collateral() const {
  SCONE_ASSIGN_OR_RETURN(json res, Call(las_, {"GET", "/v1/collateral", "", ""}));
  if (!res.contains("collateral")) return Status(Code::kUnavailable, "las sent no collateral");
  auto c = attestation::CollateralFromJson(res["collateral"]);
  if (!c.ok()) {
    return Status(Code::kUnavailable, "las sent malformed collateral: " + c.status().message());
  }
  return c;
}

Result<SecretBytes> LasClient::SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const {
  json req = {{"policy", policy == platform::SealPolicy::kMrEnclave ? "mrenclave" : "mrsigner"},
              {"key_isvsvn", key_isvsvn}};
  auto res = Call(las_, {"POST", "/v1/seal-key", "application/json", req.dump()});
  if (!res.ok()) return res.status().WithContext("getting a seal key");
  if (!res->contains("key") || !(*res)["key"].is_string()) {
    return Status(Code::kUnavailable, "las sent no seal key");
  }
  std::string& hex = (*res)["key"].get_ref<std::string&>();
  auto key = HexDecode(hex, 32);
  WipeMemory(hex.data(), hex.size());
  if (!key.ok()) return Status(Code::kUnavailable, "las sent a malformed seal key");
  SecretBytes out = SecretBytes::CopyFrom(*key);
  WipeMemory(key->data(), key->size());
  return out;
}

}  // namespace scone::cas
