#include "cas/owner_config.h"

#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

namespace scone::cas {
namespace {
using nlohmann::json;

constexpr int kMaxDepth = 32;

Status At(std::string_view source, size_t line, size_t column, const std::string& what) {
  return InvalidArgument(std::string(source) + ":" + std::to_string(line) + ":" +
                         std::to_string(column) + ": " + what);
}

// Line and column (1-based) of a byte offset.
std::pair<size_t, size_t> LineColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1 + static_cast<size_t>(std::count(
                        text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  size_t last_nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  size_t column = last_nl == std::string_view::npos || offset == 0 ? offset + 1 : offset - last_nl;
  return {line, column};
}

// Recursive, so only for parsed documents whose depth is already bounded: JSON and YAML by
// kMaxDepth while parsing, TOML by toml++ (TOML_MAX_NESTED_VALUES, 256).
size_t Depth(const json& j) {
  size_t d = 0;
  if (j.is_structured()) {
    for (const auto& v : j) d = std::max(d, Depth(v));
    return d + 1;
  }
  return 0;
}

// Aliases can make a small document expand exponentially ("billion laughs"), in nodes and
// in bytes (one long scalar repeated by reference); both are bounded.
struct YamlBudget {
  size_t nodes = 100000;
  size_t bytes = 4 * kMaxOwnerConfigSize;
};

Result<json> FromYaml(const YAML::Node& node, std::string_view source, int depth,
                      YamlBudget& budget) {
  if (budget.nodes == 0) {
    return At(source, static_cast<size_t>(node.Mark().line) + 1,
              static_cast<size_t>(node.Mark().column) + 1,
              "the document expands to too many values (aliases?)");
  }
  --budget.nodes;
  if (depth > kMaxDepth) {
    return At(source, static_cast<size_t>(node.Mark().line) + 1,
              static_cast<size_t>(node.Mark().column) + 1, "nested too deeply");
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (s.size() > budget.bytes) {
        return At(source, static_cast<size_t>(node.Mark().line) + 1,
                  static_cast<size_t>(node.Mark().column) + 1,
                  "the document expands to too much text (aliases?)");
      }
      budget.bytes -= s.size();
      if (node.Tag() != "!") {  // plain (unquoted) scalar
        if (s == "true") return json(true);
        if (s == "false") return json(false);
        int64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return json(v);
      }
      return json(s);
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) {
        SCONE_ASSIGN_OR_RETURN(json v, FromYaml(item, source, depth + 1, budget));
        out.push_back(std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return At(source, static_cast<size_t>(kv.first.Mark().line) + 1,
                    static_cast<size_t>(kv.first.Mark().column) + 1, "keys must be plain text");
        }
        const std::string& key = kv.first.Scalar();
        if (out.contains(key)) {
          return At(source, static_cast<size_t>(kv.first.Mark().line) + 1,
                    static_cast<size_t>(kv.first.Mark().column) + 1,
                    "duplicate key \"" + key + "\"");
        }
        SCONE_ASSIGN_OR_RETURN(json v, FromYaml(kv.second, source, depth + 1, budget));
        out[key] = std::move(v);
      }
      return out;
    }
  }
  return json(nullptr);
}

Result<json> ParseYaml(std::string_view text, std::string_view source) {
  try {
    YAML::Node node = YAML::Load(std::string(text));
    YamlBudget budget;
    return FromYaml(node, source, 0, budget);
  } catch (const YAML::Exception& e) {
    return At(source, static_cast<size_t>(e.mark.line) + 1, static_cast<size_t>(e.mark.column) + 1,
              e.msg);
  }
}

Result<json> ParseToml(std::string_view text, std::string_view source) {
  toml::parse_result r = toml::parse(text, source);
  if (!r) {
    const auto& err = r.error();
    return At(source, err.source().begin.line, err.source().begin.column,
              std::string(err.description()));
  }
  std::ostringstream out;
  out << toml::json_formatter{r.table()};
  json j = json::parse(out.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("TOML to JSON conversion failed");
  return j;
}

struct TooDeep {};

Result<json> ParseJson(std::string_view text, std::string_view source) {
  // Nesting is bounded while parsing (the callback sees every depth), before anything
  // recursive runs over the result.
  json::parser_callback_t limit = [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth) throw TooDeep{};
    return true;
  };
  try {
    return json::parse(text, limit);
  } catch (const TooDeep&) {
    return InvalidArgument(std::string(source) + ": the configuration is nested more than " +
                           std::to_string(kMaxDepth) + " levels deep");
  } catch (const json::parse_error& e) {
    auto [line, column] = LineColumn(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    // nlohmann's text starts with "[json.exception.parse_error.101] parse error at ...: ".
    if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    return At(source, line, column, what);
  } catch (const json::exception&) {
    // out_of_range.406: a number beyond a double (1e999); nlohmann gives no position.
    return InvalidArgument(std::string(source) +
                           ": the configuration holds a number too large to represent");
  }
}

// Every format here is text: TOML, JSON and YAML allow no control character but tab, line
// feed and carriage return (and toml++ must not see a NUL: it asserts on some). The position
// of the first one, so the owner can find it.
Status CheckNoControlCharacters(std::string_view text, std::string_view source) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      auto [line, column] = LineColumn(text, i);
      return At(
          source, line, column,
          "control character (byte " + std::to_string(c) + ") is not allowed in a configuration");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view ConfigFormatName(ConfigFormat format) {
  switch (format) {
    case ConfigFormat::kToml:
      return "toml";
    case ConfigFormat::kJson:
      return "json";
    case ConfigFormat::kYaml:
      return "yaml";
  }
  return "?";
}

Result<ConfigFormat> ParseConfigFormat(std::string_view name) {
  if (name == "toml") return ConfigFormat::kToml;
  if (name == "json") return ConfigFormat::kJson;
  if (name == "yaml") return ConfigFormat::kYaml;
  return InvalidArgument("unknown configuration format \"" + std::string(name) +
                         "\" (toml, json or yaml)");
}

Result<ConfigFormat> ConfigFormatOfFile(std::string_view file_name) {
  size_t dot = file_name.rfind('.');
  std::string ext = dot == std::string_view::npos ? "" : std::string(file_name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == "toml") return ConfigFormat::kToml;
  if (ext == "json") return ConfigFormat::kJson;
  if (ext == "yaml" || ext == "yml") return ConfigFormat::kYaml;
  return InvalidArgument(std::string(file_name) +
                         ": cannot tell the configuration format; name the file *.toml, *.json, "
                         "*.yaml or *.yml");
}

Result<json> ParseOwnerConfig(std::string_view text, ConfigFormat format, std::string_view source) {
  if (text.size() > kMaxOwnerConfigSize) {
    return InvalidArgument(std::string(source) + ": the configuration is larger than " +
                           std::to_string(kMaxOwnerConfigSize) + " bytes");
  }
  SCONE_RETURN_IF_ERROR(CheckNoControlCharacters(text, source));
  Result<json> parsed = format == ConfigFormat::kToml   ? ParseToml(text, source)
                        : format == ConfigFormat::kJson ? ParseJson(text, source)
                                                        : ParseYaml(text, source);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) {
    return InvalidArgument(std::string(source) +
                           ": the configuration must be a table (a mapping of names to values)");
  }
  if (Depth(*parsed) > kMaxDepth) {
    return InvalidArgument(std::string(source) + ": the configuration is nested too deeply");
  }
  try {
    (void)parsed->dump();  // throws on text that is not UTF-8
  } catch (const json::type_error&) {
    return InvalidArgument(std::string(source) +
                           ": the configuration contains text that is not "
                           "valid UTF-8");
  }
  return parsed;
}

}  // namespace scone::cas
