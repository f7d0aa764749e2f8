// Internal to the api files (api.cc, api_sessions.cc): strict reading of the members of a
// JSON object. Not part of the API; nothing outside src/cas/api*.cc includes it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/hex.h"
#include "common/status.h"

namespace scone::cas::api::internal {

inline std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// The members of one JSON object, read strictly.
class Members {
 public:
  // `j` must be an object whose member names are all in `known`.
  static Result<Members> Of(const nlohmann::json& j,
                            std::initializer_list<std::string_view> known) {
    if (!j.is_object()) return InvalidArgument("not a JSON object");
    for (const auto& item : j.items()) {
      if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
        return InvalidArgument("unknown member " + Quoted(item.key().substr(0, 64)));
      }
    }
    return Members(j);
  }

  bool Has(const char* name) const { return j_->contains(name); }

  Result<const nlohmann::json*> Any(const char* name) const {
    auto it = j_->find(name);
    if (it == j_->end()) return InvalidArgument(Quoted(name) + " is missing");
    return &*it;
  }

  Result<std::string> String(const char* name, size_t max) const {
    SCONE_ASSIGN_OR_RETURN(const nlohmann::json* v, Any(name));
    if (!v->is_string()) return InvalidArgument(Quoted(name) + " must be a string");
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max) {
      return InvalidArgument(Quoted(name) + " is too long (" + std::to_string(s.size()) +
                             " characters, at most " + std::to_string(max) + ")");
    }
    return s;
  }

  // A string, or null (nullopt); `name` must be present.
  Result<std::optional<std::string>> NullableString(const char* name, size_t max) const {
    SCONE_ASSIGN_OR_RETURN(const nlohmann::json* v, Any(name));
    if (v->is_null()) return std::optional<std::string>();
    SCONE_ASSIGN_OR_RETURN(std::string s, String(name, max));
    return std::optional<std::string>(std::move(s));
  }

  Result<bool> Bool(const char* name) const {
    SCONE_ASSIGN_OR_RETURN(const nlohmann::json* v, Any(name));
    if (!v->is_boolean()) return InvalidArgument(Quoted(name) + " must be true or false");
    return v->get<bool>();
  }

  Result<int64_t> Int(const char* name) const {
    SCONE_ASSIGN_OR_RETURN(const nlohmann::json* v, Any(name));
    if (!v->is_number_integer()) return InvalidArgument(Quoted(name) + " must be an integer");
    return v->get<int64_t>();
  }

  // Hex text of `min` to `max` bytes.
  Result<Bytes> Hex(const char* name, size_t min, size_t max) const {
    SCONE_ASSIGN_OR_RETURN(std::string text, String(name, 2 * max));
    auto bytes = HexDecode(text);
    if (!bytes.ok() || bytes->size() < min) {
      std::string size =
          min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
      return InvalidArgument(Quoted(name) + " must be " + size + " bytes in hex");
    }
    return bytes;
  }

 private:
  explicit Members(const nlohmann::json& j) : j_(&j) {}
  const nlohmann::json* j_;
};

}  // namespace scone::cas::api::internal
