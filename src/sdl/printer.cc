#include "sdl/printer.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "sdl/canonical.h"

namespace scone::sdl {
namespace {

using json = nlohmann::json;

// Keys of the language are identifiers; environment variable names may be anything but
// must not read back as null (or anything else than the same text).
bool KeyNeedsQuotes(const std::string& key) {
  if (key.empty() || key == "~" || key == "null" || key == "Null" || key == "NULL") return true;
  return !std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '/' || c == '-';
  });
}

void Emit(YAML::Emitter& out, const json& j) {
  switch (j.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (auto it = j.begin(); it != j.end(); ++it) {
        out << YAML::Key;
        if (KeyNeedsQuotes(it.key())) out << YAML::DoubleQuoted;
        out << it.key() << YAML::Value;
        Emit(out, it.value());
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const json& e : j) Emit(out, e);
      out << YAML::EndSeq;
      break;
    case json::value_t::string:
      out << YAML::DoubleQuoted << j.get_ref<const std::string&>();
      break;
    case json::value_t::boolean:
      out << j.get<bool>();
      break;
    case json::value_t::number_unsigned:
      out << j.get<uint64_t>();
      break;
    case json::value_t::number_integer:
      out << j.get<int64_t>();
      break;
    case json::value_t::null:
      out << YAML::Null;
      break;
    default:
      out << YAML::DoubleQuoted << j.dump();
      break;
  }
}

}  // namespace

nlohmann::json SessionToJson(const Session& session, const PrintOptions& options) {
  json j = NormalizeSession(session);
  if (!options.reveal_secret_values) {
    for (json& sec : j["secrets"]) {
      const std::string kind = sec.value("kind", "");
      bool secret = kind == "ascii" || kind == "binary" || kind == "private-key";
      if (secret && sec.contains("value")) sec["value"] = std::string(kRedacted);
    }
  }
  return j;
}

std::string SessionToYaml(const Session& session, const PrintOptions& options) {
  YAML::Emitter out;
  out.SetIndent(2);
  Emit(out, SessionToJson(session, options));
  std::string text = out.c_str();
  text.push_back('\n');
  return text;
}

}  // namespace scone::sdl
