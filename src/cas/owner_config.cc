#include "cas/owner_config.h"

#define TOML_EXCEPTIONS 0
// toml++ 3.3.0 (Debian 12) has internal assertions that input can reach: owner_config_fuzz
// found "[#" opening a table header and a NUL inside a date-time. With assert() on they
// abort the process (a CAS owner could stop CAS); the shipped release build has them off.
// Every build uses them off, so the fuzzer (ASan) checks what we ship: that the parser goes
// on memory-safely and answers an error. See docs/cas.md, "Owner configuration".
#define TOML_ASSERT(expr) static_assert(true)
#include <arpa/inet.h>
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
  // toml++ 3.3.0 reaches __builtin_unreachable() classifying some non-ASCII characters
  // (owner_config_fuzz: U+03C5 in a bare key), which is undefined behaviour in every build.
  // TOML can write any character as a \uXXXX escape, so TOML text must be ASCII here.
  for (size_t i = 0; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      auto [line, column] = LineColumn(text, i);
      return At(source, line, column,
                "TOML configurations must be ASCII; write other characters as \\uXXXX "
                "escapes in strings, or use JSON or YAML");
    }
  }
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

// ---- the checks of the configuration's contents ------------------------------------------

// What is wrong, and where: the path of names (and array indexes) to the offending value.
struct Problem {
  std::vector<std::string> path;
  std::string what;
};

using Check = std::optional<Problem>;

Check Wrong(std::vector<std::string> path, std::string what) {
  return Problem{std::move(path), std::move(what)};
}

std::string Dotted(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : ".") + p;
  return out;
}

bool IsIpAddress(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// A host name: labels of letters, digits and hyphens (not first or last), 1..63 each,
// 253 in all (RFC 1035 2.3.1, RFC 1123 2.1), the last not all digits. No wildcards, no
// trailing dot.
bool IsDnsName(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label(s.data() + start, (dot == std::string::npos ? s.size() : dot) - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') return false;
    }
    if (dot == std::string::npos) {
      // An all-numeric last label would be a malformed IPv4 address (RFC 3696 2).
      return !std::all_of(label.begin(), label.end(),
                          [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    }
    start = dot + 1;
  }
}

bool IsHex(const std::string& s, size_t digits) {
  return s.size() == digits &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// A text of 1..max_length bytes without control characters.
Check Text(const json& v, const std::vector<std::string>& path, size_t max_length) {
  if (!v.is_string()) return Wrong(path, Dotted(path) + " must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > max_length) {
    return Wrong(path,
                 Dotted(path) + " must have 1 to " + std::to_string(max_length) + " characters");
  }
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return Wrong(path, Dotted(path) + " contains a control character");
  }
  return std::nullopt;
}

Check CheckHex(const json& v, const std::vector<std::string>& path, size_t digits) {
  if (!v.is_string() || !IsHex(v.get<std::string>(), digits)) {
    return Wrong(path, Dotted(path) + " must be " + std::to_string(digits) + " hex digits");
  }
  return std::nullopt;
}

Check Unknown(const std::vector<std::string>& path, const std::string& known) {
  return Wrong(path, "unknown field " + Dotted(path) + " (known: " + known + ")");
}

// Upper bounds from X.520 (ub-common-name 64, ub-organization-name 64, ub-state-name 128,
// ub-locality-name 128) and PKCS #9 (emailAddress 128 in OpenSSL's table).
constexpr size_t kMaxAltNames = 64;

Check CheckApiIdentity(const json& section) {
  const std::vector<std::string> base{"api_identity"};
  if (!section.is_object()) return Wrong(base, "api_identity must be a table");
  if (!section.contains("common_name")) {
    return Wrong(base, "api_identity needs a common_name (the CAS's host name)");
  }
  for (const auto& [key, v] : section.items()) {
    std::vector<std::string> path{"api_identity", key};
    Check c;
    if (key == "common_name" || key == "org_name") {
      c = Text(v, path, 64);
    } else if (key == "state_or_province" || key == "locality") {
      c = Text(v, path, 128);
    } else if (key == "country_name") {
      const bool ok = v.is_string() && v.get_ref<const std::string&>().size() == 2 &&
                      std::all_of(v.get_ref<const std::string&>().begin(),
                                  v.get_ref<const std::string&>().end(),
                                  [](char ch) { return ch >= 'A' && ch <= 'Z'; });
      if (!ok) c = Wrong(path, "api_identity.country_name must be two capital letters (ISO 3166)");
    } else if (key == "email") {
      c = Text(v, path, 128);
      if (!c) {
        const auto& s = v.get_ref<const std::string&>();
        size_t at = s.find('@');
        bool ascii =
            std::all_of(s.begin(), s.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
        if (!ascii || at == 0 || at == std::string::npos || at + 1 == s.size() ||
            s.find('@', at + 1) != std::string::npos) {
          c = Wrong(path, "api_identity.email must be an e-mail address (ASCII, NAME@DOMAIN)");
        }
      }
    } else if (key == "alt_names") {
      if (!v.is_array()) {
        c = Wrong(path, "api_identity.alt_names must be a list of host names and IP addresses");
      } else if (v.size() > kMaxAltNames) {
        c = Wrong(path, "api_identity.alt_names has more than " + std::to_string(kMaxAltNames) +
                            " names");
      } else {
        for (size_t i = 0; i < v.size() && !c; ++i) {
          const json& name = v[i];
          if (!name.is_string() ||
              (!IsIpAddress(name.get<std::string>()) && !IsDnsName(name.get<std::string>()))) {
            c = Wrong({"api_identity", "alt_names", std::to_string(i)},
                      "api_identity.alt_names[" + std::to_string(i) +
                          "] must be a DNS name (letters, digits, '-', '.') or an IP address");
          }
        }
      }
    } else {
      c = Unknown(path,
                  "common_name, alt_names, country_name, org_name, state_or_province, locality, "
                  "email");
    }
    if (c) return c;
  }
  return std::nullopt;
}

Check CheckIas(const json& section) {
  if (!section.is_object()) return Wrong({"ias"}, "ias must be a table");
  for (const auto& [key, v] : section.items()) {
    std::vector<std::string> path{"ias", key};
    Check c;
    if (key == "spid" || key == "sp_key") {
      c = CheckHex(v, path, 32);
    } else if (key == "linkable_quotes") {
      if (!v.is_boolean()) c = Wrong(path, "ias.linkable_quotes must be true or false");
    } else if (key == "base_uri" || key == "base_url") {
      c = Text(v, path, 2048);
      if (!c && v.get_ref<const std::string&>().rfind("https://", 0) != 0) {
        c = Wrong(path, Dotted(path) + " must be an https:// URL");
      }
    } else if (key == "identity") {
      c = Text(v, path, 64 << 10);
    } else {
      c = Unknown(path, "spid, linkable_quotes, sp_key, identity, base_uri");
    }
    if (c) return c;
  }
  return std::nullopt;
}

Check CheckDcap(const json& section) {
  if (!section.is_object()) return Wrong({"dcap"}, "dcap must be a table");
  for (const auto& [key, v] : section.items()) {
    Check c = key == "subscription_key" ? CheckHex(v, {"dcap", key}, 32)
                                        : Unknown({"dcap", key}, "subscription_key");
    if (c) return c;
  }
  return std::nullopt;
}

Check CheckConfig(const json& config) {
  for (const auto& [key, v] : config.items()) {
    Check c;
    if (key == "api_identity") {
      c = CheckApiIdentity(v);
    } else if (key == "ias") {
      c = CheckIas(v);
    } else if (key == "dcap") {
      c = CheckDcap(v);
    } else {
      c = Wrong({key}, "unknown section \"" + key + "\" (known: api_identity, ias, dcap)");
    }
    if (c) return c;
  }
  return std::nullopt;
}

// Where `path` is in the document (1-based line and column), if it can be found.
std::optional<std::pair<size_t, size_t>> Locate(std::string_view text, ConfigFormat format,
                                                const std::vector<std::string>& path) {
  auto index = [](const std::string& p) -> std::optional<size_t> {
    size_t i = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), i);
    if (ec != std::errc() || end != p.data() + p.size()) return std::nullopt;
    return i;
  };
  if (format == ConfigFormat::kToml) {
    toml::parse_result r = toml::parse(text);
    if (!r) return std::nullopt;
    toml::node* n = &r.table();
    for (const auto& p : path) {
      toml::node* next = nullptr;
      if (auto* t = n->as_table()) {
        next = t->get(p);
      } else if (auto* a = n->as_array(); a != nullptr && index(p)) {
        next = a->get(*index(p));
      }
      if (next == nullptr) break;
      n = next;
    }
    if (n->source().begin.line == 0) return std::nullopt;
    return std::pair<size_t, size_t>{n->source().begin.line, n->source().begin.column};
  }
  if (format == ConfigFormat::kYaml) {
    try {
      YAML::Node n = YAML::Load(std::string(text));
      for (const auto& p : path) {
        YAML::Node next;
        if (n.IsMap()) {
          for (const auto& kv : n) {
            if (kv.first.IsScalar() && kv.first.Scalar() == p) next = kv.second;
          }
        } else if (n.IsSequence() && index(p) && *index(p) < n.size()) {
          next = n[*index(p)];
        }
        if (!next.IsDefined() || next.Mark().is_null()) break;
        n = next;
      }
      if (n.Mark().is_null()) return std::nullopt;
      return std::pair<size_t, size_t>{static_cast<size_t>(n.Mark().line) + 1,
                                       static_cast<size_t>(n.Mark().column) + 1};
    } catch (const YAML::Exception&) {
      return std::nullopt;
    }
  }
  // JSON: the names in order of appearance (good enough for a message; the names of a
  // checked configuration are few and known).
  size_t pos = 0;
  for (const auto& p : path) {
    if (index(p)) continue;
    size_t found = text.find("\"" + p + "\"", pos);
    if (found == std::string_view::npos) break;
    pos = found;
  }
  return LineColumn(text, pos);
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
  if (Check problem = CheckConfig(*parsed)) {
    if (auto at = Locate(text, format, problem->path)) {
      return At(source, at->first, at->second, problem->what);
    }
    return InvalidArgument(std::string(source) + ": " + problem->what);
  }
  return parsed;
}

Result<std::optional<ApiIdentity>> ApiIdentityOf(const json& config) {
  if (!config.is_object()) return InvalidArgument("the owner configuration is not a table");
  if (Check problem = CheckConfig(config)) return InvalidArgument(problem->what);
  if (!config.contains("api_identity")) return std::optional<ApiIdentity>();
  const json& s = config["api_identity"];
  ApiIdentity id;
  auto text = [&](const char* key) { return s.value(key, std::string()); };
  id.common_name = text("common_name");
  id.country_name = text("country_name");
  id.org_name = text("org_name");
  id.state_or_province = text("state_or_province");
  id.locality = text("locality");
  id.email = text("email");
  if (s.contains("alt_names")) {
    for (const auto& n : s["alt_names"]) id.alt_names.push_back(n.get<std::string>());
  }
  return std::optional<ApiIdentity>(std::move(id));
}

std::vector<std::string> SubjectAltNames(const ApiIdentity& identity) {
  std::vector<std::string> out;
  for (const auto& n : identity.alt_names) out.push_back((IsIpAddress(n) ? "IP:" : "DNS:") + n);
  return out;
}

}  // namespace scone::cas
