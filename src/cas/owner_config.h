// The CAS owner configuration: the document `scone cas provision --config-file` and
// `scone cas update-config --config-file` upload, in TOML, JSON or YAML (the seed's
// "CAS configuration"). Both sides parse it: the CLI to report mistakes with the file's
// line before anything is sent, CAS because it trusts no client. It is kept as a JSON
// object (docs/cas.md, "Owner configuration").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace scone::cas {

enum class ConfigFormat { kToml, kJson, kYaml };

// Documents larger than this are refused (the API's request limit is above it).
inline constexpr size_t kMaxOwnerConfigSize = 256 << 10;

// "toml", "json", "yaml".
std::string_view ConfigFormatName(ConfigFormat format);
Result<ConfigFormat> ParseConfigFormat(std::string_view name);
// The format by file extension: .toml, .json, .yaml or .yml (any case).
Result<ConfigFormat> ConfigFormatOfFile(std::string_view file_name);

// Parses `text` into a JSON object and checks it (docs/cas.md, "Owner configuration"):
// only the sections [api_identity], [ias] and [dcap], each with only its known fields, of
// the right types and forms. TOML dates and times become strings, YAML scalars keep their
// text unless they are plainly a boolean or an integer. Errors are kInvalidArgument and
// read "SOURCE:LINE:COLUMN: what is wrong".
Result<nlohmann::json> ParseOwnerConfig(std::string_view text, ConfigFormat format,
                                        std::string_view source);

// [api_identity]: the subject and subject alternative names of the CAS API certificate.
struct ApiIdentity {
  std::string common_name;
  std::vector<std::string> alt_names;  // DNS names and IP addresses, as written
  std::string country_name;            // empty: absent
  std::string org_name;
  std::string state_or_province;
  std::string locality;
  std::string email;
};

// The [api_identity] of a configuration (as ParseOwnerConfig returns it), or nullopt
// without one. Checks again, so a stored configuration cannot bypass the rules.
Result<std::optional<ApiIdentity>> ApiIdentityOf(const nlohmann::json& config);

// The subject alternative names in OpenSSL's form ("DNS:name", "IP:address").
std::vector<std::string> SubjectAltNames(const ApiIdentity& identity);

}  // namespace scone::cas
