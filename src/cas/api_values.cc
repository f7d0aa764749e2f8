// The public secret values of the CAS API (api.h, "public secret values").
#include <utility>

#include "cas/api.h"
#include "cas/api_members.h"

namespace scone::cas::api {
namespace {
using internal::Members;
using nlohmann::json;

constexpr size_t kMaxNameSize = 128;
constexpr size_t kMaxKindSize = 16;
// A public value is at most a certificate chain of 64 certificates (docs/secrets.md).
constexpr size_t kMaxValueSize = 1u << 20;

constexpr char kForm[] =
    "the path must be /v1/values/session=NAME or /v1/values/session=NAME,secret=SECRET";

}  // namespace

Result<ValuesTarget> ParseValuesTarget(std::string_view segment) {
  constexpr std::string_view kSession = "session=";
  constexpr std::string_view kSecret = ",secret=";
  if (!segment.starts_with(kSession)) return InvalidArgument(kForm);
  segment.remove_prefix(kSession.size());
  ValuesTarget t;
  size_t comma = segment.find(',');
  t.session = std::string(segment.substr(0, comma));
  if (comma != std::string_view::npos) {
    std::string_view rest = segment.substr(comma);
    if (!rest.starts_with(kSecret)) return InvalidArgument(kForm);
    rest.remove_prefix(kSecret.size());
    if (rest.empty() || rest.find_first_of(",=") != std::string_view::npos) {
      return InvalidArgument(kForm);
    }
    t.secret = std::string(rest);
  }
  if (t.session.empty() || t.session.find('=') != std::string::npos) {
    return InvalidArgument(kForm);
  }
  return t;
}

std::string ValuesPath(std::string_view session, std::optional<std::string_view> secret) {
  std::string path = "/v1/values/session=" + PercentEncode(session);
  if (secret.has_value()) path += ",secret=" + PercentEncode(*secret);
  return path;
}

json PublicValue::ToJson() const { return {{"kind", kind}, {"value", value}}; }

Result<PublicValue> PublicValue::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"kind", "value"}));
  PublicValue v;
  SCONE_ASSIGN_OR_RETURN(v.kind, m.String("kind", kMaxKindSize));
  SCONE_ASSIGN_OR_RETURN(v.value, m.String("value", kMaxValueSize));
  return v;
}

json PublicValuesResponse::ToJson() const {
  json o = json::object();
  for (const auto& [name, v] : values) o[name] = v.ToJson();
  return {{"values", std::move(o)}};
}

Result<PublicValuesResponse> PublicValuesResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"values"}));
  SCONE_ASSIGN_OR_RETURN(const json* o, m.Any("values"));
  if (!o->is_object()) return InvalidArgument("\"values\" must be an object");
  PublicValuesResponse r;
  for (const auto& [name, item] : o->items()) {
    if (name.empty() || name.size() > kMaxNameSize) {
      return InvalidArgument("\"values\" must be keyed by secret names");
    }
    auto v = PublicValue::FromJson(item);
    if (!v.ok()) return v.status().WithContext("\"values\"." + name);
    r.values.emplace(name, std::move(*v));
  }
  return r;
}

}  // namespace scone::cas::api
