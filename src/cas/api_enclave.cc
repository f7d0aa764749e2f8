#include "cas/api_enclave.h"

#include <array>

#include "attestation/collateral_json.h"
#include "cas/api_members.h"
#include "common/hex.h"

namespace scone::cas::api {
namespace {
using internal::Members;
using internal::Quoted;
using nlohmann::json;

constexpr size_t kMaxQuoteSize = 64 << 10;
constexpr size_t kMaxName = 512;
constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxItems = 4096;
constexpr size_t kMaxWarnings = 16;
constexpr size_t kMaxWarningSize = 4096;
constexpr size_t kSessionHashHex = 64;

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the hex of `data` to `out` (reserved by the caller, so it never reallocates).
void AppendHex(std::string& out, ByteView data) {
  for (uint8_t b : data) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
}

// The secret hex string `value` decoded into SecretBytes; the text is wiped in any case.
Result<SecretBytes> SecretFromHex(json& value, const std::string& what) {
  if (!value.is_string()) return InvalidArgument(what + " must be a hex string");
  std::string& text = value.get_ref<std::string&>();
  Status status = Status::Ok();
  SecretBytes out;
  if (text.size() % 2 != 0 || text.size() / 2 > kMaxDeliveredValueSize) {
    status = InvalidArgument(what + " must be hex digits, two per byte, at most " +
                             std::to_string(kMaxDeliveredValueSize) + " bytes");
  } else {
    out = SecretBytes(text.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
      int hi = HexValue(text[2 * i]);
      int lo = HexValue(text[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        status = InvalidArgument(what + " must be hex digits");
        break;
      }
      out.RevealMutable()[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
  }
  WipeMemory(text.data(), text.size());
  if (!status.ok()) return status;
  return out;
}

// Wipes every string in `j`, recursively (the secret members of an answer, whatever shape
// they arrived in).
void WipeStrings(json& j) {
  if (j.is_string()) {
    std::string& s = j.get_ref<std::string&>();
    WipeMemory(s.data(), s.size());
  } else if (j.is_array() || j.is_object()) {
    for (auto& item : j) WipeStrings(item);
  }
}

// Wipes every string under the secret members of an answer.
void WipeSecretMembers(json& j) {
  if (!j.is_object()) return;
  for (const char* name : {"command", "environment", "injection_files"}) {
    auto it = j.find(name);
    if (it != j.end()) WipeStrings(*it);
  }
}

std::string ModeText(uint32_t mode) {
  std::string out = "0000";
  for (int i = 3; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>('0' + (mode & 7));
    mode >>= 3;
  }
  return out;
}

Result<uint32_t> ParseMode(const json& j, const std::string& what) {
  if (!j.is_string()) return InvalidArgument(what + " must be a string of four octal digits");
  const auto& s = j.get_ref<const std::string&>();
  if (s.size() != 4) return InvalidArgument(what + " must be four octal digits, e.g. \"0600\"");
  uint32_t mode = 0;
  for (char c : s) {
    if (c < '0' || c > '7') return InvalidArgument(what + " must be four octal digits");
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  return mode;
}

Result<std::string> Text(const json& j, const std::string& what, size_t max) {
  if (!j.is_string()) return InvalidArgument(what + " must be a string");
  const auto& s = j.get_ref<const std::string&>();
  if (s.size() > max) return InvalidArgument(what + " is too long");
  return s;
}

}  // namespace

json EnclaveConfigurationRequest::ToJson() const {
  json j = {{"config_id", config_id}, {"quote", HexEncode(quote)}};
  if (collateral.has_value()) j["collateral"] = attestation::CollateralToJson(*collateral);
  return j;
}

Result<EnclaveConfigurationRequest> EnclaveConfigurationRequest::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"config_id", "quote", "collateral"}));
  EnclaveConfigurationRequest r;
  SCONE_ASSIGN_OR_RETURN(r.config_id, m.String("config_id", kMaxConfigIdSize));
  SCONE_ASSIGN_OR_RETURN(r.quote, m.Hex("quote", 1, kMaxQuoteSize));
  if (m.Has("collateral")) {
    SCONE_ASSIGN_OR_RETURN(const json* c, m.Any("collateral"));
    auto collateral = attestation::CollateralFromJson(*c);
    if (!collateral.ok()) return collateral.status().WithContext("\"collateral\"");
    r.collateral = std::move(*collateral);
  }
  return r;
}

net::HttpResponse EnclaveConfigurationResponse::ToHttpResponse() const {
  // The plain parts as JSON text; the secret parts are hex-appended into the final buffer.
  auto text = [](const std::string& s) { return Serialize(json(s)); };
  std::string head = "{\"session\":" + text(session) + ",\"session_hash\":" + text(session_hash) +
                     ",\"service\":" + text(service) + ",\"command\":";
  std::string pwd_text = pwd.has_value() ? text(*pwd) : "null";
  std::string warnings_text = Serialize(json(warnings));
  std::vector<std::string> names;
  for (const auto& [name, value] : environment) names.push_back(text(name));
  std::vector<std::string> paths;
  for (const EnclaveFile& f : injection_files) paths.push_back(text(f.path));

  size_t size = head.size() + pwd_text.size() + warnings_text.size() + 128;
  if (command.has_value()) {
    for (const SecretBytes& arg : *command) size += 2 * arg.size() + 3;
  }
  for (size_t i = 0; i < environment.size(); ++i) {
    size += names[i].size() + 2 * environment[i].second.size() + 8;
  }
  for (size_t i = 0; i < injection_files.size(); ++i) {
    size += paths[i].size() + 2 * injection_files[i].content.size() + 48;
  }

  net::HttpResponse r(200, "application/json", {}, /*sensitive_=*/true);
  std::string& b = r.body;
  b.reserve(size);
  b += head;
  if (!command.has_value()) {
    b += "null";
  } else {
    b += '[';
    for (size_t i = 0; i < command->size(); ++i) {
      if (i > 0) b += ',';
      b += '"';
      AppendHex(b, (*command)[i].Reveal());
      b += '"';
    }
    b += ']';
  }
  b += ",\"environment\":[";
  for (size_t i = 0; i < environment.size(); ++i) {
    if (i > 0) b += ',';
    b += '[';
    b += names[i];
    b += ",\"";
    AppendHex(b, environment[i].second.Reveal());
    b += "\"]";
  }
  b += "],\"pwd\":";
  b += pwd_text;
  b += ",\"injection_files\":[";
  for (size_t i = 0; i < injection_files.size(); ++i) {
    if (i > 0) b += ',';
    b += "{\"path\":";
    b += paths[i];
    b += ",\"content\":\"";
    AppendHex(b, injection_files[i].content.Reveal());
    b += "\",\"mode\":\"";
    b += ModeText(injection_files[i].mode);
    b += "\"}";
  }
  b += "],\"warnings\":";
  b += warnings_text;
  b += '}';
  return r;
}

namespace {

Result<EnclaveConfigurationResponse> ParseResponse(json& j) {
  SCONE_ASSIGN_OR_RETURN(
      Members m, Members::Of(j, {"session", "session_hash", "service", "command", "environment",
                                 "pwd", "injection_files", "warnings"}));
  EnclaveConfigurationResponse r;
  SCONE_ASSIGN_OR_RETURN(r.session, m.String("session", kMaxName));
  SCONE_ASSIGN_OR_RETURN(r.session_hash, m.String("session_hash", kSessionHashHex));
  SCONE_ASSIGN_OR_RETURN(r.service, m.String("service", kMaxName));

  SCONE_RETURN_IF_ERROR(m.Any("command").status());
  json& command = j["command"];
  if (!command.is_null()) {
    if (!command.is_array() || command.size() > kMaxItems) {
      return InvalidArgument("\"command\" must be null or a list of hex strings");
    }
    r.command.emplace();
    for (auto& arg : command) {
      SCONE_ASSIGN_OR_RETURN(SecretBytes value, SecretFromHex(arg, "an argument of \"command\""));
      r.command->push_back(std::move(value));
    }
  }

  SCONE_RETURN_IF_ERROR(m.Any("environment").status());
  json& environment = j["environment"];
  if (!environment.is_array() || environment.size() > kMaxItems) {
    return InvalidArgument("\"environment\" must be a list of [NAME, HEX] pairs");
  }
  for (auto& pair : environment) {
    if (!pair.is_array() || pair.size() != 2) {
      return InvalidArgument("\"environment\" must be a list of [NAME, HEX] pairs");
    }
    SCONE_ASSIGN_OR_RETURN(std::string name, Text(pair[0], "an environment name", kMaxName));
    SCONE_ASSIGN_OR_RETURN(
        SecretBytes value,
        SecretFromHex(pair[1], "the value of environment variable " + Quoted(name.substr(0, 64))));
    r.environment.emplace_back(std::move(name), std::move(value));
  }

  SCONE_ASSIGN_OR_RETURN(r.pwd, m.NullableString("pwd", kMaxPath));

  SCONE_RETURN_IF_ERROR(m.Any("injection_files").status());
  json& files = j["injection_files"];
  if (!files.is_array() || files.size() > kMaxItems) {
    return InvalidArgument("\"injection_files\" must be a list");
  }
  for (auto& file : files) {
    auto fm = Members::Of(file, {"path", "content", "mode"});
    if (!fm.ok()) return fm.status().WithContext("\"injection_files\"");
    EnclaveFile f;
    SCONE_ASSIGN_OR_RETURN(f.path, Text(file["path"], "an injection file's \"path\"", kMaxPath));
    SCONE_ASSIGN_OR_RETURN(f.content, SecretFromHex(file["content"],
                                                    "the content of injection "
                                                    "file " +
                                                        Quoted(f.path)));
    SCONE_ASSIGN_OR_RETURN(f.mode, ParseMode(file["mode"], "the mode of " + Quoted(f.path)));
    r.injection_files.push_back(std::move(f));
  }

  SCONE_ASSIGN_OR_RETURN(const json* warnings, m.Any("warnings"));
  if (!warnings->is_array() || warnings->size() > kMaxWarnings) {
    return InvalidArgument("\"warnings\" must be a list of at most " +
                           std::to_string(kMaxWarnings) + " strings");
  }
  for (const auto& w : *warnings) {
    SCONE_ASSIGN_OR_RETURN(std::string text, Text(w, "a warning", kMaxWarningSize));
    r.warnings.push_back(std::move(text));
  }
  return r;
}

}  // namespace

Result<EnclaveConfigurationResponse> EnclaveConfigurationResponse::FromJson(json& j) {
  auto r = ParseResponse(j);
  WipeSecretMembers(j);  // whatever the outcome: the hex text of every secret member
  return r;
}

}  // namespace scone::cas::api
