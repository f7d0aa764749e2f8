#include "sdl/parser.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crypto/key_hash.h"
#include "crypto/pem.h"
#include "crypto/x509.h"

namespace scone::sdl {

bool IsHex(std::string_view s, size_t digits) {
  if (s.size() != digits) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

// Returns early on error; distinct names so that it can nest inside lambdas given to
// ForEachKey (SCONE_RETURN_IF_ERROR's local would shadow).
#define SDL_TRY_OUTER(expr)                                              \
  do {                                                                   \
    if (Status sdl_outer_ = (expr); !sdl_outer_.ok()) return sdl_outer_; \
  } while (false)
#define SDL_TRY_MID(expr)                                          \
  do {                                                             \
    if (Status sdl_mid_ = (expr); !sdl_mid_.ok()) return sdl_mid_; \
  } while (false)

namespace {

using Keys = std::initializer_list<std::string_view>;

std::string JoinKeys(Keys keys) {
  std::string s;
  for (std::string_view k : keys) {
    if (!s.empty()) s += ", ";
    s += k;
  }
  return s;
}

// A keyword is echoed in messages only if it is short and printable (keywords are never
// secret, but the value may be anything).
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 40)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  if (s.size() > 40) out += "...";
  out += "\"";
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1fu;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0fu;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// Conservative bound on the nesting yaml-cpp will recurse into: unclosed flow brackets
// (counted even inside quotes, which can only over-estimate), and per line the
// indentation plus the block indicators ("- ", "? ", ": ") that open nested nodes on it.
Status CheckNesting(std::string_view text, int max_nesting, Position* where) {
  int flow = 0;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    size_t eol = text.find('\n', i);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view l = text.substr(i, eol - i);
    size_t indent = 0;
    while (indent < l.size() && (l[indent] == ' ' || l[indent] == '\t')) ++indent;
    int indicators = 0;
    size_t p = indent;
    while (p < l.size() && (l[p] == '-' || l[p] == '?' || l[p] == ':') &&
           (p + 1 == l.size() || l[p + 1] == ' ')) {
      ++indicators;
      ++p;
      while (p < l.size() && l[p] == ' ') ++p;
    }
    if (indent > 1024 || indicators > max_nesting) {
      *where = {line, 1};
      return InvalidArgument("nesting too deep");
    }
    for (size_t k = 0; k < l.size(); ++k) {
      char c = l[k];
      if (c == '[' || c == '{') {
        if (++flow > max_nesting) {
          *where = {line, static_cast<int>(k) + 1};
          return InvalidArgument("nesting too deep");
        }
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
    }
    i = eol + 1;
    ++line;
  }
  return Status::Ok();
}

// Whether `text` is UTF-8 of YAML's printable characters (no NUL or other C0 controls
// except tab, LF and CR; no DEL). On failure, `where` is the offending position.
bool CheckCharacters(std::string_view text, Position* where) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      *where = {line, static_cast<int>(i - line_start) + 1};
      return false;
    }
  }
  if (!IsValidUtf8(text)) {
    *where = {};
    return false;
  }
  return true;
}

// Whether a document marker ("---" or "..." at the start of a line) follows content, i.e.
// the text holds more than one document. At column 1 such a marker always ends the
// current document in YAML, even inside block or quoted scalars.
bool HasSecondDocument(std::string_view text, Position* where) {
  bool content = false;  // the first document has content
  bool ended = false;    // and was ended by "..."
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    size_t eol = text.find('\n', i);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view l = text.substr(i, eol - i);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    std::string_view head = l.substr(0, 3);
    bool marker =
        (head == "---" || head == "...") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t');
    std::string_view rest = marker ? l.substr(3) : l;
    size_t k = rest.find_first_not_of(" \t");
    bool blank = k == std::string_view::npos || rest[k] == '#';
    if (marker && head == "---") {
      if (content || ended) {
        *where = {line, 1};
        return true;
      }
      if (!blank) content = true;  // "--- {a: b}"
    } else if (marker) {
      ended = true;
    } else if (!blank) {
      if (ended) {
        *where = {line, 1};
        return true;
      }
      content = true;
    }
    i = eol + 1;
    ++line;
  }
  return false;
}

Position PositionOf(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view file_name, const Variables& vars,
         const ParseLimits& limits)
      : text_(text), file_(file_name), vars_(vars), limits_(limits) {}

  Result<Session> Run();
  const Diagnostic& diagnostic() const { return diag_; }

 private:
  Status Fail(ErrorKind kind, Position pos, std::string message) {
    diag_ = {kind, std::string(file_), pos, std::move(message)};
    return diag_.ToStatus();
  }
  Status Fail(ErrorKind kind, const YAML::Node& n, std::string message) {
    return Fail(kind, PositionOf(n.Mark()), std::move(message));
  }

  Status Visit(const YAML::Node& n) {
    if (++visited_ > limits_.max_nodes) {
      return Fail(ErrorKind::kTooLarge, n,
                  "the session has more than " + std::to_string(limits_.max_nodes) +
                      " nodes (counting alias expansions)");
    }
    return Status::Ok();
  }

  // Iterates a mapping whose keys must be among `allowed`.
  Status ForEachKey(
      const YAML::Node& map, std::string_view where, Keys allowed,
      const std::function<Status(const std::string&, const YAML::Node&, const YAML::Node&)>& fn);
  Status String(const YAML::Node& n, std::string_view what, LString* out);
  Status OptString(const YAML::Node& n, std::string_view what, std::optional<LString>* out) {
    LString s;
    SCONE_RETURN_IF_ERROR(String(n, what, &s));
    *out = std::move(s);
    return Status::Ok();
  }
  Status Hex(const YAML::Node& n, std::string_view what, size_t digits, LString* out);
  Status StringList(const YAML::Node& n, std::string_view what, std::vector<LString>* out);
  Status HexList(const YAML::Node& n, std::string_view what, size_t digits,
                 std::vector<LString>* out);
  Status Unsigned(const YAML::Node& n, std::string_view what, uint64_t max, uint64_t* out,
                  Position* pos);
  Status U16(const YAML::Node& n, std::string_view what, std::optional<Located<uint16_t>>* out);
  Status Bool(const YAML::Node& n, std::string_view what, std::optional<Located<bool>>* out);
  Status Keyword(const YAML::Node& n, std::string_view what, Keys allowed, LString* out);
  Status KeyHash(const YAML::Node& n, std::string_view what, std::optional<LString>* out);

  Status ParseTop(const YAML::Node& root, Session* s);
  Status ParseService(const YAML::Node& n, Service* svc);
  Status ParseAttestation(const YAML::Node& n, std::vector<AttestationVariant>* out);
  Status ParseVariant(const YAML::Node& n, AttestationVariant* v);
  Status ParseSigner(const YAML::Node& n, Signer* s);
  Status ParseSecret(const YAML::Node& n, Secret* sec);
  Status ParseSessionRef(const YAML::Node& n, std::string_view what, std::string_view item_key,
                         SessionRef* ref);
  Status ParseExports(const YAML::Node& n, std::vector<SessionRef>* out);
  Status ParseImage(const YAML::Node& n, Image* img);
  Status ParseVolume(const YAML::Node& n, Volume* vol);
  Status ParseAccessPolicy(const YAML::Node& n, AccessPolicy* ap);
  Status ParsePolicyList(const YAML::Node& n, std::string_view what,
                         std::optional<std::vector<PolicyEntry>>* out);
  Status ParseSecurity(const YAML::Node& n, SecurityAttestation* sa);
  template <typename T>
  Status List(const YAML::Node& n, std::string_view what, std::vector<T>* out,
              Status (Parser::*item)(const YAML::Node&, T*));

  // Column of `$NAME` / `${NAME}` inside the scalar at `pos`, if it can be found on that
  // line of the source; `pos` otherwise.
  Position VariablePosition(Position pos, const SubstitutionError& e) const;

  std::string_view text_;
  std::string_view file_;
  const Variables& vars_;
  ParseLimits limits_;
  Diagnostic diag_;
  size_t visited_ = 0;
};

Position Parser::VariablePosition(Position pos, const SubstitutionError& e) const {
  if (pos.line <= 0 || e.name.empty()) return pos;
  size_t start = 0;
  for (int l = 1; l < pos.line; ++l) {
    start = text_.find('\n', start);
    if (start == std::string_view::npos) return pos;
    ++start;
  }
  size_t eol = text_.find('\n', start);
  std::string_view line = text_.substr(start, eol == std::string_view::npos ? eol : eol - start);
  auto col = static_cast<size_t>(pos.column - 1);
  if (col > line.size()) return pos;
  for (const std::string& token : {"${" + e.name + "}", "$" + e.name}) {
    size_t at = line.find(token, col);
    if (at != std::string_view::npos) return {pos.line, static_cast<int>(at) + 1};
  }
  return pos;
}

Status Parser::ForEachKey(
    const YAML::Node& map, std::string_view where, Keys allowed,
    const std::function<Status(const std::string&, const YAML::Node&, const YAML::Node&)>& fn) {
  SCONE_RETURN_IF_ERROR(Visit(map));
  if (!map.IsMap()) {
    return Fail(ErrorKind::kWrongType, map,
                std::string(where) + " must be a mapping with keys: " + JoinKeys(allowed));
  }
  std::vector<std::string_view> seen;
  for (const auto& kv : map) {
    const YAML::Node& key = kv.first;
    SCONE_RETURN_IF_ERROR(Visit(key));
    if (!key.IsScalar()) {
      return Fail(ErrorKind::kWrongType, key, "keys in " + std::string(where) + " must be strings");
    }
    const std::string& k = key.Scalar();
    auto known = std::find(allowed.begin(), allowed.end(), k);
    if (known == allowed.end()) {
      return Fail(ErrorKind::kUnknownKey, key,
                  "unknown key " + Quoted(k) + " in " + std::string(where) +
                      "; valid keys are: " + JoinKeys(allowed));
    }
    if (std::find(seen.begin(), seen.end(), *known) != seen.end()) {
      return Fail(ErrorKind::kDuplicateKey, key,
                  "key " + Quoted(k) + " given twice in " + std::string(where));
    }
    seen.push_back(*known);
    SCONE_RETURN_IF_ERROR(fn(k, key, kv.second));
  }
  return Status::Ok();
}

Status Parser::String(const YAML::Node& n, std::string_view what, LString* out) {
  SCONE_RETURN_IF_ERROR(Visit(n));
  Position pos = PositionOf(n.Mark());
  if (!n.IsScalar()) {
    return Fail(ErrorKind::kWrongType, pos,
                std::string(what) + " must be a string" + (n.IsNull() ? ", not empty" : ""));
  }
  const std::string& raw = n.Scalar();
  SubstitutionError e;
  auto value = Substitute(raw, vars_, &e);
  if (!value.ok()) {
    return Fail(e.kind, VariablePosition(pos, e),
                "in " + std::string(what) + ": " + value.status().message());
  }
  if (raw.find('$') != std::string::npos && !IsValidUtf8(*value)) {
    return Fail(ErrorKind::kInvalidValue, pos,
                std::string(what) + " is not valid UTF-8 after variable substitution");
  }
  out->value = std::move(value).value();
  out->position = pos;
  return Status::Ok();
}

Status Parser::Hex(const YAML::Node& n, std::string_view what, size_t digits, LString* out) {
  SCONE_RETURN_IF_ERROR(String(n, what, out));
  if (!IsHex(out->value, digits)) {
    return Fail(ErrorKind::kInvalidValue, out->position,
                std::string(what) + " must be " + std::to_string(digits) + " hex digits (got " +
                    std::to_string(out->value.size()) + " characters)");
  }
  return Status::Ok();
}

Status Parser::StringList(const YAML::Node& n, std::string_view what, std::vector<LString>* out) {
  SCONE_RETURN_IF_ERROR(Visit(n));
  out->clear();
  if (n.IsSequence()) {
    for (const YAML::Node& item : n) {
      LString s;
      SCONE_RETURN_IF_ERROR(String(item, what, &s));
      out->push_back(std::move(s));
    }
    return Status::Ok();
  }
  if (n.IsScalar()) {
    LString s;
    SCONE_RETURN_IF_ERROR(String(n, what, &s));
    out->push_back(std::move(s));
    return Status::Ok();
  }
  return Fail(ErrorKind::kWrongType, n,
              std::string(what) + " must be a string or a list of strings");
}

Status Parser::HexList(const YAML::Node& n, std::string_view what, size_t digits,
                       std::vector<LString>* out) {
  SCONE_RETURN_IF_ERROR(StringList(n, what, out));
  for (const LString& s : *out) {
    if (!IsHex(s.value, digits)) {
      return Fail(ErrorKind::kInvalidValue, s.position,
                  std::string(what) + " must be " + std::to_string(digits) + " hex digits (got " +
                      std::to_string(s.value.size()) + " characters)");
    }
  }
  return Status::Ok();
}

Status Parser::Unsigned(const YAML::Node& n, std::string_view what, uint64_t max, uint64_t* out,
                        Position* pos) {
  LString s;
  SCONE_RETURN_IF_ERROR(String(n, what, &s));
  *pos = s.position;
  uint64_t v = 0;
  bool ok = !s.value.empty() && s.value.size() <= 20;
  for (char c : s.value) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) {
      ok = false;
      break;
    }
    v = v * 10 + d;
  }
  if (!ok) {
    return Fail(ErrorKind::kInvalidValue, s.position,
                std::string(what) + " must be a decimal number from 0 to " + std::to_string(max));
  }
  *out = v;
  return Status::Ok();
}

Status Parser::U16(const YAML::Node& n, std::string_view what,
                   std::optional<Located<uint16_t>>* out) {
  uint64_t v = 0;
  Position pos;
  SCONE_RETURN_IF_ERROR(Unsigned(n, what, 65535, &v, &pos));
  *out = Located<uint16_t>{static_cast<uint16_t>(v), pos};
  return Status::Ok();
}

Status Parser::Bool(const YAML::Node& n, std::string_view what, std::optional<Located<bool>>* out) {
  LString s;
  SCONE_RETURN_IF_ERROR(String(n, what, &s));
  const std::string& v = s.value;
  if (v == "true" || v == "True" || v == "TRUE") {
    *out = Located<bool>{true, s.position};
  } else if (v == "false" || v == "False" || v == "FALSE") {
    *out = Located<bool>{false, s.position};
  } else {
    return Fail(ErrorKind::kInvalidValue, s.position, std::string(what) + " must be true or false");
  }
  return Status::Ok();
}

Status Parser::Keyword(const YAML::Node& n, std::string_view what, Keys allowed, LString* out) {
  SCONE_RETURN_IF_ERROR(String(n, what, out));
  if (std::find(allowed.begin(), allowed.end(), out->value) == allowed.end()) {
    return Fail(ErrorKind::kInvalidValue, out->position,
                Quoted(out->value) + " is not a valid " + std::string(what) +
                    "; valid values are: " + JoinKeys(allowed));
  }
  return Status::Ok();
}

Status Parser::KeyHash(const YAML::Node& n, std::string_view what, std::optional<LString>* out) {
  LString s;
  SCONE_RETURN_IF_ERROR(String(n, what, &s));
  if (auto d = crypto::DecodeKeyHash(s.value); !d.ok()) {
    return Fail(ErrorKind::kBadKeyHash, s.position,
                std::string(what) + " is not a valid key hash (" + d.status().message() +
                    "); `scone cert show-key-hash CERT` prints one");
  }
  *out = std::move(s);
  return Status::Ok();
}

template <typename T>
Status Parser::List(const YAML::Node& n, std::string_view what, std::vector<T>* out,
                    Status (Parser::*item)(const YAML::Node&, T*)) {
  SCONE_RETURN_IF_ERROR(Visit(n));
  if (n.IsNull()) return Status::Ok();  // `secrets:` with nothing after it
  if (!n.IsSequence()) return Fail(ErrorKind::kWrongType, n, std::string(what) + " must be a list");
  for (const YAML::Node& i : n) {
    T t;
    SCONE_RETURN_IF_ERROR((this->*item)(i, &t));
    out->push_back(std::move(t));
  }
  return Status::Ok();
}

Result<Session> Parser::Run() {
  if (text_.size() > limits_.max_input_bytes) {
    return Fail(ErrorKind::kTooLarge, Position{},
                "the session file has " + std::to_string(text_.size()) + " bytes; at most " +
                    std::to_string(limits_.max_input_bytes) + " are accepted");
  }
  Position deep;
  if (!CheckNesting(text_, limits_.max_nesting, &deep).ok()) {
    return Fail(ErrorKind::kTooLarge, deep,
                "nesting deeper than " + std::to_string(limits_.max_nesting) +
                    " levels; a session never needs that");
  }
  if (Position bad; !CheckCharacters(text_, &bad)) {
    return Fail(ErrorKind::kYamlSyntax, bad,
                "not a YAML text: invalid UTF-8 or a control character (YAML allows tab, line "
                "feed and carriage return only)");
  }
  if (Position second; HasSecondDocument(text_, &second)) {
    return Fail(ErrorKind::kYamlSyntax, second,
                "a session file holds one YAML document; remove this document marker and "
                "what follows, or put that session in a file of its own");
  }
  YAML::Node root;
  try {
    // YAML::LoadAll can loop forever on some malformed inputs (yaml-cpp 0.7); Load reads
    // the first document only, and HasSecondDocument has made sure there is no other.
    root = YAML::Load(std::string(text_));
  } catch (const YAML::Exception& e) {
    return Fail(ErrorKind::kYamlSyntax, PositionOf(e.mark), "not valid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kYamlSyntax, Position{}, std::string("not valid YAML: ") + e.what());
  }
  Session s;
  s.file_name = std::string(file_);
  try {
    if (root.IsNull()) {
      return Fail(ErrorKind::kMissingKey, Position{1, 1},
                  "the session is empty; it needs at least `name` and `version`");
    }
    SCONE_RETURN_IF_ERROR(ParseTop(root, &s));
  } catch (const std::exception& e) {
    // yaml-cpp's node accessors throw only on misuse we check for first; this is a last
    // line of defence so that no input can escape as an exception.
    return Fail(ErrorKind::kYamlSyntax, Position{},
                std::string("unexpected YAML structure: ") + e.what());
  }
  return s;
}

Status Parser::ParseTop(const YAML::Node& root, Session* s) {
  bool has_name = false;
  bool has_version = false;
  SDL_TRY_OUTER(ForEachKey(
      root, "the session",
      {"name", "version", "predecessor", "services", "secrets", "images", "volumes",
       "access_policy", "security"},
      [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
        if (k == "name") {
          has_name = true;
          return String(v, "name", &s->name);
        }
        if (k == "version") {
          has_version = true;
          SCONE_RETURN_IF_ERROR(String(v, "version", &s->version));
          const std::string& ver = s->version.value;
          bool ok = ver == kLanguageVersion || ver == kCompatVersion ||
                    (ver.rfind("0.3.", 0) == 0 && ver.size() > 4 && ver.size() <= 8 &&
                     std::all_of(ver.begin() + 4, ver.end(),
                                 [](char c) { return c >= '0' && c <= '9'; }));
          if (!ok) {
            return Fail(ErrorKind::kUnsupportedVersion, s->version.position,
                        "unsupported session language version " + Quoted(ver) +
                            "; write version: \"0.3\" (\"0.2\" is read for compatibility)");
          }
          return Status::Ok();
        }
        if (k == "predecessor") {
          SCONE_RETURN_IF_ERROR(Visit(v));
          if (v.IsNull()) return Status::Ok();
          LString p;
          SCONE_RETURN_IF_ERROR(String(v, "predecessor", &p));
          if (p.value == "~" || p.value == "null") return Status::Ok();
          if (!IsHex(p.value, 64)) {
            return Fail(ErrorKind::kInvalidValue, p.position,
                        "predecessor must be the 64 hex digit hash of the current session "
                        "version, or ~ for none");
          }
          s->predecessor = std::move(p);
          return Status::Ok();
        }
        if (k == "services") return List(v, "services", &s->services, &Parser::ParseService);
        if (k == "secrets") return List(v, "secrets", &s->secrets, &Parser::ParseSecret);
        if (k == "images") return List(v, "images", &s->images, &Parser::ParseImage);
        if (k == "volumes") return List(v, "volumes", &s->volumes, &Parser::ParseVolume);
        if (k == "access_policy") return ParseAccessPolicy(v, &s->access_policy);
        return ForEachKey(v, "security", {"attestation"},
                          [&](const std::string&, const YAML::Node&, const YAML::Node& a) {
                            return ParseSecurity(a, &s->security);
                          });
      }));
  if (!has_name) {
    return Fail(ErrorKind::kMissingKey, root, "the session has no `name`");
  }
  if (!has_version) {
    return Fail(ErrorKind::kMissingKey, root, "the session has no `version`; add version: \"0.3\"");
  }
  return Status::Ok();
}

Status Parser::ParseService(const YAML::Node& n, Service* svc) {
  svc->position = PositionOf(n.Mark());
  bool has_name = false;
  std::vector<AttestationVariant> from_mrenclaves;
  SDL_TRY_OUTER(ForEachKey(
      n, "a service",
      {"name", "command", "environment", "pwd", "image_name", "attestation", "mrenclaves",
       "platforms", "fspf_path", "fspf_key", "fspf_tag"},
      [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
        if (k == "name") {
          has_name = true;
          return String(v, "service name", &svc->name);
        }
        if (k == "command") {
          SCONE_RETURN_IF_ERROR(Visit(v));
          std::vector<LString> argv;
          if (v.IsScalar()) {
            LString line;
            SCONE_RETURN_IF_ERROR(String(v, "command", &line));
            svc->command_was_string = true;
            size_t i = 0;
            const std::string& c = line.value;
            while (i < c.size()) {
              while (i < c.size() && (c[i] == ' ' || c[i] == '\t' || c[i] == '\n' || c[i] == '\r'))
                ++i;
              size_t start = i;
              while (i < c.size() && c[i] != ' ' && c[i] != '\t' && c[i] != '\n' && c[i] != '\r')
                ++i;
              if (i > start) argv.push_back({c.substr(start, i - start), line.position});
            }
          } else if (v.IsSequence()) {
            SCONE_RETURN_IF_ERROR(StringList(v, "command", &argv));
          } else {
            return Fail(ErrorKind::kWrongType, v, "command must be a string or a list of strings");
          }
          svc->command = std::move(argv);
          return Status::Ok();
        }
        if (k == "environment") {
          SCONE_RETURN_IF_ERROR(Visit(v));
          if (v.IsNull()) return Status::Ok();
          if (!v.IsMap()) {
            return Fail(ErrorKind::kWrongType, v, "environment must be a mapping NAME: value");
          }
          std::set<std::string, std::less<>> names;
          for (const auto& kv : v) {
            const YAML::Node& env_key = kv.first;
            const YAML::Node& env_value = kv.second;
            SCONE_RETURN_IF_ERROR(Visit(env_key));
            if (!env_key.IsScalar() || env_key.Scalar().empty()) {
              return Fail(ErrorKind::kWrongType, env_key,
                          "environment variable names must be non-empty strings");
            }
            const std::string& name = env_key.Scalar();
            if (name.find('=') != std::string::npos || name.find('\0') != std::string::npos ||
                !IsValidUtf8(name)) {
              return Fail(ErrorKind::kInvalidValue, env_key,
                          "environment variable names cannot contain '=' or NUL");
            }
            if (!names.insert(name).second) {
              return Fail(ErrorKind::kDuplicateKey, env_key,
                          "environment variable " + Quoted(name) + " given twice");
            }
            LString value;
            SCONE_RETURN_IF_ERROR(Visit(env_value));
            if (env_value.IsNull()) {
              value.position = PositionOf(env_value.Mark());
            } else {
              SCONE_RETURN_IF_ERROR(String(env_value, "environment value of " + name, &value));
            }
            svc->environment.emplace_back(LString{name, PositionOf(env_key.Mark())},
                                          std::move(value));
          }
          return Status::Ok();
        }
        if (k == "pwd") return OptString(v, "pwd", &svc->pwd);
        if (k == "image_name") return OptString(v, "image_name", &svc->image_name);
        if (k == "attestation") return ParseAttestation(v, &svc->attestation);
        if (k == "mrenclaves") {
          svc->uses_deprecated_mrenclaves = true;
          AttestationVariant var;
          var.position = PositionOf(v.Mark());
          SCONE_RETURN_IF_ERROR(HexList(v, "mrenclaves entry", 64, &var.mrenclaves));
          if (!var.mrenclaves.empty()) from_mrenclaves.push_back(std::move(var));
          return Status::Ok();
        }
        if (k == "platforms") return HexList(v, "platform id", 64, &svc->platforms);
        if (k == "fspf_path") return OptString(v, "fspf_path", &svc->fspf_path);
        if (k == "fspf_key") {
          LString h;
          SCONE_RETURN_IF_ERROR(Hex(v, "fspf_key", 64, &h));
          svc->fspf_key = std::move(h);
          return Status::Ok();
        }
        LString h;
        SCONE_RETURN_IF_ERROR(Hex(v, "fspf_tag", 32, &h));
        svc->fspf_tag = std::move(h);
        return Status::Ok();
      }));
  if (!has_name) return Fail(ErrorKind::kMissingKey, n, "a service needs a `name`");
  for (auto& var : from_mrenclaves) svc->attestation.push_back(std::move(var));
  return Status::Ok();
}

Status Parser::ParseAttestation(const YAML::Node& n, std::vector<AttestationVariant>* out) {
  SCONE_RETURN_IF_ERROR(Visit(n));
  if (n.IsSequence()) {
    for (const YAML::Node& i : n) {
      AttestationVariant v;
      SCONE_RETURN_IF_ERROR(ParseVariant(i, &v));
      out->push_back(std::move(v));
    }
    return Status::Ok();
  }
  AttestationVariant v;
  SCONE_RETURN_IF_ERROR(ParseVariant(n, &v));
  out->push_back(std::move(v));
  return Status::Ok();
}

Status Parser::ParseVariant(const YAML::Node& n, AttestationVariant* v) {
  v->position = PositionOf(n.Mark());
  SDL_TRY_OUTER(
      ForEachKey(n, "an attestation variant", {"mrenclave", "signer"},
                 [&](const std::string& k, const YAML::Node&, const YAML::Node& val) -> Status {
                   if (k == "mrenclave") return HexList(val, "mrenclave", 64, &v->mrenclaves);
                   Signer s;
                   SCONE_RETURN_IF_ERROR(ParseSigner(val, &s));
                   v->signer = std::move(s);
                   return Status::Ok();
                 }));
  if (v->mrenclaves.empty() && !v->signer) {
    return Fail(ErrorKind::kMissingKey, v->position,
                "an attestation variant needs `mrenclave` and/or `signer`");
  }
  return Status::Ok();
}

Status Parser::ParseSigner(const YAML::Node& n, Signer* s) {
  s->position = PositionOf(n.Mark());
  bool has_mrsigner = false;
  SDL_TRY_OUTER(
      ForEachKey(n, "signer", {"mrsigner", "isvprodid", "isvsvn", "isvsvn_min", "isvsvn_max"},
                 [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
                   if (k == "mrsigner") {
                     has_mrsigner = true;
                     return Hex(v, "mrsigner", 64, &s->mrsigner);
                   }
                   if (k == "isvprodid") return U16(v, "isvprodid", &s->isvprodid);
                   if (k == "isvsvn") return U16(v, "isvsvn", &s->isvsvn);
                   if (k == "isvsvn_min") return U16(v, "isvsvn_min", &s->isvsvn_min);
                   return U16(v, "isvsvn_max", &s->isvsvn_max);
                 }));
  if (!has_mrsigner) return Fail(ErrorKind::kMissingKey, n, "signer needs `mrsigner`");
  if (s->isvsvn && (s->isvsvn_min || s->isvsvn_max)) {
    return Fail(ErrorKind::kConflictingKeys, s->isvsvn->position,
                "give either isvsvn (one version) or isvsvn_min/isvsvn_max (a range), not both");
  }
  if (s->isvsvn_min && s->isvsvn_max && s->isvsvn_min->value > s->isvsvn_max->value) {
    return Fail(ErrorKind::kInvalidValue, s->isvsvn_max->position,
                "isvsvn_max is below isvsvn_min; no version could match");
  }
  return Status::Ok();
}

Status Parser::ParseSessionRef(const YAML::Node& n, std::string_view what,
                               std::string_view item_key, SessionRef* ref) {
  ref->position = PositionOf(n.Mark());
  SCONE_RETURN_IF_ERROR(Visit(n));
  if (n.IsScalar() && item_key.empty()) {
    // 0.2 style: an export target given by session name only.
    return String(n, std::string(what) + " session", &ref->session);
  }
  bool has_session = false;
  auto handler = [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
    if (k == "session") {
      has_session = true;
      return String(v, std::string(what) + " session", &ref->session);
    }
    if (k == "session_hash") {
      LString h;
      SCONE_RETURN_IF_ERROR(Hex(v, "session_hash", 64, &h));
      ref->session_hash = std::move(h);
      return Status::Ok();
    }
    if (k == "cas_url") return OptString(v, "cas_url", &ref->cas_url);
    if (k == "cas_key") return KeyHash(v, "cas_key", &ref->cas_key);
    if (k == "cas_software_key") return KeyHash(v, "cas_software_key", &ref->cas_software_key);
    return OptString(v, k, &ref->item);
  };
  if (item_key == "secret") {
    SDL_TRY_OUTER(ForEachKey(
        n, what, {"session", "secret", "session_hash", "cas_url", "cas_key", "cas_software_key"},
        handler));
  } else if (item_key == "volume") {
    SDL_TRY_OUTER(ForEachKey(
        n, what, {"session", "volume", "session_hash", "cas_url", "cas_key", "cas_software_key"},
        handler));
  } else {
    SDL_TRY_OUTER(ForEachKey(
        n, what, {"session", "session_hash", "cas_url", "cas_key", "cas_software_key"}, handler));
  }
  if (!has_session) {
    return Fail(ErrorKind::kMissingKey, n, std::string(what) + " needs `session`");
  }
  if (!item_key.empty() && !ref->item) {
    return Fail(ErrorKind::kMissingKey, n,
                std::string(what) + " needs `" + std::string(item_key) +
                    "` (its name in the other session)");
  }
  return Status::Ok();
}

Status Parser::ParseExports(const YAML::Node& n, std::vector<SessionRef>* out) {
  SCONE_RETURN_IF_ERROR(Visit(n));
  if (n.IsSequence()) {
    for (const YAML::Node& i : n) {
      SessionRef r;
      SCONE_RETURN_IF_ERROR(ParseSessionRef(i, "an export", "", &r));
      out->push_back(std::move(r));
    }
    return Status::Ok();
  }
  SessionRef r;
  SCONE_RETURN_IF_ERROR(ParseSessionRef(n, "an export", "", &r));
  out->push_back(std::move(r));
  return Status::Ok();
}

Status Parser::ParseSecret(const YAML::Node& n, Secret* sec) {
  sec->position = PositionOf(n.Mark());
  bool has_name = false;
  bool has_kind = false;
  std::vector<std::pair<std::string, Position>> given;
  SDL_TRY_OUTER(ForEachKey(
      n, "a secret",
      {"name", "kind", "size", "value", "key_type", "private_key", "issuer", "common_name",
       "endpoint", "dns", "san", "valid_for", "export", "import", "export_public", "migrate"},
      [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) -> Status {
        given.emplace_back(k, PositionOf(key.Mark()));
        if (k == "name") {
          has_name = true;
          return String(v, "secret name", &sec->name);
        }
        if (k == "kind") {
          has_kind = true;
          LString kind;
          SCONE_RETURN_IF_ERROR(
              Keyword(v, "secret kind",
                      {"ascii", "binary", "private-key", "public-key", "x509", "x509-ca"}, &kind));
          sec->kind = {*ParseSecretKind(kind.value), kind.position};
          return Status::Ok();
        }
        if (k == "size") {
          uint64_t size = 0;
          Position pos;
          SCONE_RETURN_IF_ERROR(Unsigned(v, "size", 1u << 20, &size, &pos));
          if (size == 0) return Fail(ErrorKind::kInvalidValue, pos, "size must be at least 1");
          sec->size = Located<uint64_t>{size, pos};
          return Status::Ok();
        }
        if (k == "value") return OptString(v, "secret value", &sec->value);
        if (k == "key_type") {
          LString t;
          SCONE_RETURN_IF_ERROR(Keyword(
              v, "key_type",
              {"ed25519", "P-256", "P-384", "P-521", "RSA-2048", "RSA-3072", "RSA-4096"}, &t));
          sec->key_type = std::move(t);
          return Status::Ok();
        }
        if (k == "private_key") return OptString(v, "private_key", &sec->private_key);
        if (k == "issuer") return OptString(v, "issuer", &sec->issuer);
        if (k == "common_name") return OptString(v, "common_name", &sec->common_name);
        if (k == "endpoint") {
          LString e;
          SCONE_RETURN_IF_ERROR(
              Keyword(v, "endpoint", {"server", "client", "server_and_client"}, &e));
          sec->endpoint = std::move(e);
          return Status::Ok();
        }
        if (k == "dns" || k == "san") {
          if (!sec->dns.empty()) {
            return Fail(ErrorKind::kConflictingKeys, key,
                        "`san` is a synonym of `dns`; give the names in one of them");
          }
          SCONE_RETURN_IF_ERROR(StringList(v, "dns name", &sec->dns));
          for (const LString& d : sec->dns) {
            if (d.value.empty())
              return Fail(ErrorKind::kInvalidValue, d.position, "empty dns name");
          }
          return Status::Ok();
        }
        if (k == "valid_for") {
          LString d;
          SCONE_RETURN_IF_ERROR(String(v, "valid_for", &d));
          // <number><unit> groups, e.g. "90d", "1y 30d", "12 hours".
          static constexpr std::string_view kUnits[] = {
              "s",       "m",    "h",     "d",   "w",    "y",    "second", "seconds", "minute",
              "minutes", "hour", "hours", "day", "days", "week", "weeks",  "year",    "years"};
          const std::string& t = d.value;
          size_t i = 0;
          int groups = 0;
          bool ok = true;
          while (ok && i < t.size()) {
            while (i < t.size() && t[i] == ' ') ++i;
            if (i == t.size()) break;
            size_t ds = i;
            while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
            if (i == ds || i - ds > 9) ok = false;
            while (i < t.size() && t[i] == ' ') ++i;
            size_t us = i;
            while (i < t.size() && t[i] >= 'a' && t[i] <= 'z') ++i;
            std::string_view unit(t.data() + us, i - us);
            if (std::find(std::begin(kUnits), std::end(kUnits), unit) == std::end(kUnits))
              ok = false;
            ++groups;
          }
          if (!ok || groups == 0) {
            return Fail(ErrorKind::kInvalidValue, d.position,
                        "valid_for must be a duration such as \"90d\", \"1y\" or \"12 hours\" "
                        "(units s, m, h, d, w, y)");
          }
          sec->valid_for = std::move(d);
          return Status::Ok();
        }
        if (k == "export") return ParseExports(v, &sec->exports);
        if (k == "import") {
          SessionRef r;
          SCONE_RETURN_IF_ERROR(ParseSessionRef(v, "an import", "secret", &r));
          sec->import = std::move(r);
          return Status::Ok();
        }
        if (k == "export_public") return Bool(v, "export_public", &sec->export_public);
        return Bool(v, "migrate", &sec->migrate);
      }));
  if (!has_name) return Fail(ErrorKind::kMissingKey, n, "a secret needs a `name`");
  if (!has_kind) {
    return Fail(ErrorKind::kMissingKey, n,
                "secret needs a `kind`: ascii, binary, private-key, public-key, x509 or x509-ca");
  }
  // Keys that exist in the language but not for this kind of secret.
  auto allowed_for_kind = [&](const std::string& k) {
    static constexpr std::string_view kCommon[] = {"name",   "kind",          "value",  "export",
                                                   "import", "export_public", "migrate"};
    if (std::find(std::begin(kCommon), std::end(kCommon), k) != std::end(kCommon)) return true;
    switch (sec->kind.value) {
      case SecretKind::kAscii:
      case SecretKind::kBinary:
        return k == "size";
      case SecretKind::kPrivateKey:
        return k == "key_type";
      case SecretKind::kPublicKey:
        return false;
      case SecretKind::kX509:
      case SecretKind::kX509Ca:
        return k == "private_key" || k == "issuer" || k == "common_name" || k == "endpoint" ||
               k == "dns" || k == "san" || k == "valid_for";
    }
    return false;
  };
  for (const auto& [k, pos] : given) {
    if (!allowed_for_kind(k)) {
      return Fail(ErrorKind::kUnknownKey, pos,
                  "key " + Quoted(k) + " does not apply to a secret of kind " +
                      std::string(SecretKindName(sec->kind.value)));
    }
  }
  if (sec->value) {
    // Check the form of given key material without ever echoing it.
    const std::string& v = sec->value->value;
    switch (sec->kind.value) {
      case SecretKind::kPrivateKey:
      case SecretKind::kPublicKey: {
        bool want_private = sec->kind.value == SecretKind::kPrivateKey;
        auto blocks = crypto::ParsePemBlocks(v);
        bool ok = blocks.ok() && blocks->size() == 1;
        if (ok) {
          const std::string& type = (*blocks)[0].type;
          ok = want_private ? (type == "PRIVATE KEY" || type == "EC PRIVATE KEY" ||
                               type == "RSA PRIVATE KEY")
                            : type == "PUBLIC KEY";
        }
        if (!ok) {
          return Fail(ErrorKind::kInvalidValue, sec->value->position,
                      std::string("the value of secret ") + Quoted(sec->name.value) +
                          " must be one PEM " + (want_private ? "private key" : "public key"));
        }
        break;
      }
      case SecretKind::kX509:
      case SecretKind::kX509Ca: {
        auto certs = crypto::ParseCertificatesPem(v);
        if (!certs.ok()) {
          return Fail(ErrorKind::kBadCertificate, sec->value->position,
                      "the value of secret " + Quoted(sec->name.value) +
                          " is not a PEM certificate (chain): " + certs.status().message());
        }
        break;
      }
      case SecretKind::kAscii:
      case SecretKind::kBinary:
        break;
    }
  }
  return Status::Ok();
}

Status Parser::ParseImage(const YAML::Node& n, Image* img) {
  img->position = PositionOf(n.Mark());
  bool has_name = false;
  SDL_TRY_OUTER(ForEachKey(
      n, "an image", {"name", "injection_files", "volumes"},
      [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
        if (k == "name") {
          has_name = true;
          return String(v, "image name", &img->name);
        }
        SCONE_RETURN_IF_ERROR(Visit(v));
        if (v.IsNull()) return Status::Ok();
        if (!v.IsSequence()) return Fail(ErrorKind::kWrongType, v, k + " must be a list");
        for (const YAML::Node& i : v) {
          if (k == "injection_files") {
            InjectionFile f;
            f.position = PositionOf(i.Mark());
            SCONE_RETURN_IF_ERROR(Visit(i));
            if (i.IsScalar()) {
              SCONE_RETURN_IF_ERROR(String(i, "injection file path", &f.path));
            } else {
              bool has_path = false;
              SDL_TRY_MID(ForEachKey(
                  i, "an injection file", {"path", "content", "permission"},
                  [&](const std::string& fk, const YAML::Node&, const YAML::Node& fv) -> Status {
                    if (fk == "path") {
                      has_path = true;
                      return String(fv, "injection file path", &f.path);
                    }
                    if (fk == "content") return OptString(fv, "injection file content", &f.content);
                    LString p;
                    SCONE_RETURN_IF_ERROR(String(fv, "permission", &p));
                    std::string digits = p.value;
                    if (digits.size() >= 2 && digits[0] == '0' &&
                        (digits[1] == 'o' || digits[1] == 'O')) {
                      digits = digits.substr(2);
                    }
                    bool ok = !digits.empty() && digits.size() <= 4 &&
                              std::all_of(digits.begin(), digits.end(),
                                          [](char c) { return c >= '0' && c <= '7'; });
                    if (!ok) {
                      return Fail(ErrorKind::kInvalidValue, p.position,
                                  "permission must be octal file mode digits such as \"0600\"");
                    }
                    p.value = std::string(4 - digits.size(), '0') + digits;
                    f.permission = std::move(p);
                    return Status::Ok();
                  }));
              if (!has_path)
                return Fail(ErrorKind::kMissingKey, i, "an injection file needs `path`");
            }
            if (f.path.value.empty()) {
              return Fail(ErrorKind::kInvalidValue, f.path.position,
                          "injection file path is empty");
            }
            img->injection_files.push_back(std::move(f));
          } else {
            ImageVolume iv;
            iv.position = PositionOf(i.Mark());
            bool has_name_v = false;
            bool has_path = false;
            SDL_TRY_MID(ForEachKey(
                i, "an image volume", {"name", "path"},
                [&](const std::string& vk, const YAML::Node&, const YAML::Node& vv) -> Status {
                  if (vk == "name") {
                    has_name_v = true;
                    return String(vv, "volume name", &iv.name);
                  }
                  has_path = true;
                  return String(vv, "volume path", &iv.path);
                }));
            if (!has_name_v || !has_path) {
              return Fail(ErrorKind::kMissingKey, i, "an image volume needs `name` and `path`");
            }
            img->volumes.push_back(std::move(iv));
          }
        }
        return Status::Ok();
      }));
  if (!has_name) return Fail(ErrorKind::kMissingKey, n, "an image needs a `name`");
  return Status::Ok();
}

Status Parser::ParseVolume(const YAML::Node& n, Volume* vol) {
  vol->position = PositionOf(n.Mark());
  bool has_name = false;
  SDL_TRY_OUTER(
      ForEachKey(n, "a volume", {"name", "export", "import"},
                 [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
                   if (k == "name") {
                     has_name = true;
                     return String(v, "volume name", &vol->name);
                   }
                   if (k == "export") return ParseExports(v, &vol->exports);
                   SessionRef r;
                   SCONE_RETURN_IF_ERROR(ParseSessionRef(v, "a volume import", "volume", &r));
                   vol->import = std::move(r);
                   return Status::Ok();
                 }));
  if (!has_name) return Fail(ErrorKind::kMissingKey, n, "a volume needs a `name`");
  return Status::Ok();
}

Status Parser::ParsePolicyList(const YAML::Node& n, std::string_view what,
                               std::optional<std::vector<PolicyEntry>>* out) {
  std::vector<LString> items;
  SCONE_RETURN_IF_ERROR(StringList(n, what, &items));
  std::vector<PolicyEntry> entries;
  for (LString& item : items) {
    PolicyEntry e;
    e.position = item.position;
    const std::string& s = item.value;
    if (s == "CREATOR") {
      e.kind = PolicyEntry::Kind::kCreator;
    } else if (s == "ANY") {
      e.kind = PolicyEntry::Kind::kAny;
    } else if (s == "NONE") {
      e.kind = PolicyEntry::Kind::kNone;
    } else if (s.find("-----BEGIN") != std::string::npos) {
      auto certs = crypto::ParseCertificatesPem(s);
      if (!certs.ok() || certs->size() != 1) {
        return Fail(
            ErrorKind::kBadCertificate, item.position,
            std::string(what) + " entry is not one PEM certificate" +
                (certs.ok() ? std::string(" (it holds ") + std::to_string(certs->size()) + ")"
                            : ": " + certs.status().message()));
      }
      auto hash = crypto::KeyHashOfCertificate((*certs)[0].get());
      if (!hash.ok()) {
        return Fail(ErrorKind::kBadCertificate, item.position,
                    std::string(what) + " certificate: " + hash.status().message());
      }
      e.kind = PolicyEntry::Kind::kKeyHash;
      e.key_hash = std::move(hash).value();
      e.from_certificate = true;
    } else if (auto d = crypto::DecodeKeyHash(s); d.ok()) {
      e.kind = PolicyEntry::Kind::kKeyHash;
      e.key_hash = s;
    } else {
      return Fail(ErrorKind::kBadKeyHash, item.position,
                  std::string(what) +
                      " entries must be CREATOR, ANY, NONE, a PEM certificate or a key hash; "
                      "this is none of them (as a key hash: " +
                      d.status().message() + ")");
    }
    entries.push_back(std::move(e));
  }
  *out = std::move(entries);
  return Status::Ok();
}

Status Parser::ParseAccessPolicy(const YAML::Node& n, AccessPolicy* ap) {
  ap->position = PositionOf(n.Mark());
  return ForEachKey(n, "access_policy", {"read", "update", "create_sessions"},
                    [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
                      if (k == "read") return ParsePolicyList(v, "access_policy.read", &ap->read);
                      if (k == "update") {
                        return ParsePolicyList(v, "access_policy.update", &ap->update);
                      }
                      return ParsePolicyList(v, "access_policy.create_sessions",
                                             &ap->create_sessions);
                    });
}

Status Parser::ParseSecurity(const YAML::Node& n, SecurityAttestation* sa) {
  sa->position = PositionOf(n.Mark());
  return ForEachKey(
      n, "security.attestation", {"mode", "tolerate", "ignore_advisories"},
      [&](const std::string& k, const YAML::Node&, const YAML::Node& v) -> Status {
        if (k == "mode") {
          LString m;
          SCONE_RETURN_IF_ERROR(Keyword(v, "attestation mode", {"hardware", "none"}, &m));
          sa->mode = {m.value == "none" ? AttestationMode::kNone : AttestationMode::kHardware,
                      m.position};
          return Status::Ok();
        }
        if (k == "tolerate") {
          SCONE_RETURN_IF_ERROR(StringList(v, "tolerate", &sa->tolerate));
          for (const LString& t : sa->tolerate) {
            if (std::find(std::begin(kTolerateValues), std::end(kTolerateValues), t.value) ==
                std::end(kTolerateValues)) {
              std::string valid;
              for (std::string_view tv : kTolerateValues) {
                valid += (valid.empty() ? "" : ", ") + std::string(tv);
              }
              return Fail(ErrorKind::kInvalidValue, t.position,
                          Quoted(t.value) + " cannot be tolerated; valid values are: " + valid);
            }
          }
          return Status::Ok();
        }
        sa->ignore_advisories_position = PositionOf(v.Mark());
        std::vector<LString> ids;
        SCONE_RETURN_IF_ERROR(StringList(v, "ignore_advisories", &ids));
        for (const LString& id : ids) {
          if (id.value == "*") {
            if (ids.size() != 1) {
              return Fail(ErrorKind::kExclusiveEntry, id.position,
                          "\"*\" (ignore all advisories) must stand alone");
            }
            sa->ignore_all_advisories = true;
            return Status::Ok();
          }
          bool ok = !id.value.empty() && id.value.size() <= 64 &&
                    std::all_of(id.value.begin(), id.value.end(), [](char c) {
                      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                    });
          if (!ok) {
            return Fail(ErrorKind::kInvalidValue, id.position,
                        "advisory ids look like \"INTEL-SA-00334\" (upper-case letters, digits, "
                        "'-'), or use \"*\" for all");
          }
        }
        sa->ignore_advisories = std::move(ids);
        return Status::Ok();
      });
}

}  // namespace

Result<Session> ParseSession(std::string_view yaml_text, std::string_view file_name,
                             const Variables& vars, Diagnostic* diagnostic,
                             const ParseLimits& limits) {
  Parser p(yaml_text, file_name, vars, limits);
  auto s = p.Run();
  if (!s.ok() && diagnostic != nullptr) *diagnostic = p.diagnostic();
  return s;
}

}  // namespace scone::sdl
