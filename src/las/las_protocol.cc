#include "las/las_protocol.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>

#include "attestation/collateral_json.h"
#include "common/hex.h"

namespace scone::las {
namespace {
using nlohmann::json;

constexpr size_t kMaxQuoteSize = 64 << 10;
constexpr size_t kMaxPathSize = 4096;
constexpr uint64_t kMaxFd = 0x7fffffff;

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

Status OnlyMembers(const json& j, std::initializer_list<std::string_view> known) {
  if (!j.is_object()) return InvalidArgument("not a JSON object");
  for (const auto& item : j.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      return InvalidArgument("unknown member " + Quoted(item.key().substr(0, 64)));
    }
  }
  return Status::Ok();
}

Result<Bytes> HexMember(const json& j, const char* name, size_t max) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return InvalidArgument(Quoted(name) + " (hex) is missing");
  const auto& text = it->get_ref<const std::string&>();
  if (text.size() > 2 * max) {
    return InvalidArgument(Quoted(name) + " has more than " + std::to_string(max) + " bytes");
  }
  auto bytes = HexDecode(text);
  if (!bytes.ok()) return bytes.status().WithContext(Quoted(name));
  return bytes;
}

std::string_view PolicyName(platform::SealPolicy p) {
  return p == platform::SealPolicy::kMrEnclave ? "mrenclave" : "mrsigner";
}

}  // namespace

Result<json> ParseObject(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("the body is not a JSON object");
  return j;
}

std::string LasSocketAddress(const std::filesystem::path& platform_dir) {
  return "unix:" + (platform_dir / "las.sock").string();
}

std::optional<std::string> LasAddressFromEnvironment() {
  const char* env = std::getenv(kLasAddressEnv);
  if (env == nullptr || *env == '\0') return std::nullopt;
  return std::string(env);
}

Result<net::Endpoint> ResolveLasAddress(std::string_view given, std::string_view fallback) {
  std::string address(given);
  std::string source = "the LAS address";
  if (address.empty()) {
    if (auto env = LasAddressFromEnvironment(); env.has_value()) {
      address = *env;
      source = std::string("$") + kLasAddressEnv;
    } else {
      address = fallback;
    }
  }
  auto ep = net::ParseEndpoint(address, kDefaultLasPort);
  if (!ep.ok()) return ep.status().WithContext(source);
  return ep;
}

json QuoteRequest::ToJson() const {
  json j = {{"report_data", HexEncode(report_data)}};
  if (program.has_value()) j["program"] = *program;
  if (collateral) j["collateral"] = true;
  return j;
}

Result<QuoteRequest> QuoteRequest::FromJson(const json& j) {
  SCONE_RETURN_IF_ERROR(OnlyMembers(j, {"report_data", "program", "collateral"}));
  QuoteRequest r;
  SCONE_ASSIGN_OR_RETURN(r.report_data, HexMember(j, "report_data", kMaxReportDataSize));
  if (auto it = j.find("program"); it != j.end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxPathSize) {
      return InvalidArgument("\"program\" must be a path");
    }
    r.program = it->get<std::string>();
  }
  if (auto it = j.find("collateral"); it != j.end()) {
    if (!it->is_boolean()) return InvalidArgument("\"collateral\" must be true or false");
    r.collateral = it->get<bool>();
  }
  return r;
}

namespace {

// A descriptor number from the wire: 0 up to the kernel's largest (INT_MAX).
Result<int> FdMember(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return InvalidArgument(Quoted(name) + " (a file descriptor) is missing");
  if (!it->is_number_integer() || it->get<int64_t>() < 0 ||
      static_cast<uint64_t>(it->get<int64_t>()) > kMaxFd) {
    return InvalidArgument(Quoted(name) + " must be a file descriptor number (0 to " +
                           std::to_string(kMaxFd) + ")");
  }
  return static_cast<int>(it->get<int64_t>());
}

}  // namespace

json ProgramQuoteRequest::ToJson() const {
  json j = {{"report_data", HexEncode(report_data)}, {"program_fd", program_fd}};
  if (signature_fd.has_value()) j["signature_fd"] = *signature_fd;
  if (collateral) j["collateral"] = true;
  return j;
}

Result<ProgramQuoteRequest> ProgramQuoteRequest::FromJson(const json& j) {
  SCONE_RETURN_IF_ERROR(
      OnlyMembers(j, {"report_data", "program_fd", "signature_fd", "collateral"}));
  ProgramQuoteRequest r;
  SCONE_ASSIGN_OR_RETURN(r.report_data, HexMember(j, "report_data", kMaxReportDataSize));
  SCONE_ASSIGN_OR_RETURN(r.program_fd, FdMember(j, "program_fd"));
  if (j.contains("signature_fd")) {
    SCONE_ASSIGN_OR_RETURN(r.signature_fd, FdMember(j, "signature_fd"));
  }
  if (auto it = j.find("collateral"); it != j.end()) {
    if (!it->is_boolean()) return InvalidArgument("\"collateral\" must be true or false");
    r.collateral = it->get<bool>();
  }
  return r;
}

json QuoteResponse::DescribeEnclave(const platform::EnclaveIdentity& id) {
  return {{"mrenclave", HexEncode(id.mrenclave)},
          {"mrsigner", HexEncode(id.mrsigner)},
          {"isvprodid", id.isvprodid},
          {"isvsvn", id.isvsvn},
          {"debug", id.debug()}};
}

std::string QuoteResponse::ToBody() const {
  // Hex needs no JSON escaping: spliced in as it is.
  std::string body = "{\"quote\":\"" + HexEncode(quote) + "\",\"enclave\":" +
                     enclave.dump(-1, ' ', false, json::error_handler_t::replace);
  if (collateral.has_value()) {
    body += ",\"collateral\":" + attestation::CollateralToJson(*collateral).dump();
  }
  body += "}";
  return body;
}

json QuoteResponse::ToJson() const {
  json j = {{"quote", HexEncode(quote)}, {"enclave", enclave}};
  if (collateral.has_value()) j["collateral"] = attestation::CollateralToJson(*collateral);
  return j;
}

Result<QuoteResponse> QuoteResponse::FromJson(const json& j) {
  SCONE_RETURN_IF_ERROR(OnlyMembers(j, {"quote", "enclave", "collateral"}));
  QuoteResponse r;
  SCONE_ASSIGN_OR_RETURN(r.quote, HexMember(j, "quote", kMaxQuoteSize));
  if (auto it = j.find("enclave"); it != j.end()) {
    if (!it->is_object()) return InvalidArgument("\"enclave\" must be an object");
    r.enclave = *it;
  }
  if (auto it = j.find("collateral"); it != j.end()) {
    auto c = attestation::CollateralFromJson(*it);
    if (!c.ok()) return c.status().WithContext("\"collateral\"");
    r.collateral = std::move(*c);
  }
  return r;
}

json CollateralResponse::ToJson() const {
  return {{"collateral", attestation::CollateralToJson(collateral)}};
}

Result<CollateralResponse> CollateralResponse::FromJson(const json& j) {
  SCONE_RETURN_IF_ERROR(OnlyMembers(j, {"collateral"}));
  auto it = j.find("collateral");
  if (it == j.end()) return InvalidArgument("\"collateral\" is missing");
  auto c = attestation::CollateralFromJson(*it);
  if (!c.ok()) return c.status().WithContext("\"collateral\"");
  return CollateralResponse{std::move(*c)};
}

json SealKeyRequest::ToJson() const {
  json j = {{"policy", std::string(PolicyName(policy))}};
  if (key_isvsvn.has_value()) j["key_isvsvn"] = *key_isvsvn;
  return j;
}

Result<SealKeyRequest> SealKeyRequest::FromJson(const json& j) {
  SCONE_RETURN_IF_ERROR(OnlyMembers(j, {"policy", "key_isvsvn"}));
  SealKeyRequest r;
  auto p = j.find("policy");
  if (p == j.end() || !p->is_string() || (*p != "mrenclave" && *p != "mrsigner")) {
    return InvalidArgument("\"policy\" must be \"mrenclave\" or \"mrsigner\"");
  }
  r.policy = *p == "mrenclave" ? platform::SealPolicy::kMrEnclave : platform::SealPolicy::kMrSigner;
  if (auto k = j.find("key_isvsvn"); k != j.end()) {
    if (!k->is_number_unsigned() || k->get<uint64_t>() > 65535) {
      return InvalidArgument("\"key_isvsvn\" must be a number from 0 to 65535");
    }
    r.key_isvsvn = static_cast<uint16_t>(k->get<uint64_t>());
  }
  return r;
}

net::HttpResponse SealKeyResponse::ToHttpResponse() const {
  static constexpr std::string_view kOpen = "{\"key\":\"";
  static constexpr std::string_view kClose = "\"}";
  net::HttpResponse r;
  r.sensitive = true;
  // Written into a buffer that never grows, so that no copy of the key is left behind.
  std::string hex = HexEncode(key.Reveal());
  r.body.reserve(kOpen.size() + hex.size() + kClose.size());
  r.body.append(kOpen).append(hex).append(kClose);
  net::WipeString(hex);
  return r;
}

Result<SealKeyResponse> SealKeyResponse::FromJson(json& j) {
  // The key's text is wiped whatever else is wrong with the answer (an unknown member too).
  auto it = j.is_object() ? j.find("key") : j.end();
  if (it == j.end() || !it->is_string()) {
    SCONE_RETURN_IF_ERROR(OnlyMembers(j, {"key"}));
    return InvalidArgument("\"key\" is missing");
  }
  std::string& text = it->get_ref<std::string&>();
  auto key =
      text.size() == 2 * kSealKeySize ? HexDecode(text, kSealKeySize) : Result<Bytes>(Bytes{});
  WipeMemory(text.data(), text.size());
  if (Status members = OnlyMembers(j, {"key"}); !members.ok()) {
    if (key.ok()) WipeMemory(key->data(), key->size());
    return members;
  }
  if (!key.ok() || key->size() != kSealKeySize) {
    return InvalidArgument("\"key\" must be 64 hexadecimal digits");
  }
  SealKeyResponse r{SecretBytes::CopyFrom(*key)};
  WipeMemory(key->data(), key->size());
  return r;
}

}  // namespace scone::las
