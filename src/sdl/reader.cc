#include "sdl/reader.h"

#include <algorithm>

#include "crypto/key_hash.h"

namespace scone::sdl {

std::string JoinKeys(Keys keys) {
  std::string s;
  for (std::string_view k : keys) {
    if (!s.empty()) s += ", ";
    s += k;
  }
  return s;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 40)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  if (s.size() > 40) out += "...";
  out += "\"";
  return out;
}

Status Reader::Fail(ErrorKind kind, Position pos, std::string message) {
  diag_ = {kind, std::string(file_), pos, std::move(message)};
  return diag_.ToStatus();
}

Status Reader::Visit(const YamlNode& n) {
  if (++visited_ > limits_.max_nodes) {
    return Fail(ErrorKind::kTooLarge, n,
                "the session has more than " + std::to_string(limits_.max_nodes) +
                    " nodes (counting alias expansions)");
  }
  return Status::Ok();
}

Position Reader::VariablePosition(Position pos, const SubstitutionError& e) const {
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

Status Reader::ForEachKey(const YamlNode& map, std::string_view where, Keys allowed,
                          const KeyHandler& fn) {
  SCONE_RETURN_IF_ERROR(Visit(map));
  if (!map.IsMap()) {
    return Fail(ErrorKind::kWrongType, map,
                std::string(where) + " must be a mapping with keys: " + JoinKeys(allowed));
  }
  std::vector<std::string_view> seen;
  for (const YamlEntry& kv : map.entries()) {
    const YamlNode& key = *kv.key;
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
    SCONE_RETURN_IF_ERROR(fn(k, key, *kv.value));
  }
  return Status::Ok();
}

Status Reader::String(const YamlNode& n, std::string_view what, LString* out) {
  SCONE_RETURN_IF_ERROR(Visit(n));
  Position pos = n.position();
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

Status Reader::OptString(const YamlNode& n, std::string_view what, std::optional<LString>* out) {
  LString s;
  SCONE_RETURN_IF_ERROR(String(n, what, &s));
  *out = std::move(s);
  return Status::Ok();
}

Status Reader::CheckHex(const LString& s, std::string_view what, size_t digits) {
  if (!IsHex(s.value, digits)) {
    return Fail(ErrorKind::kInvalidValue, s.position,
                std::string(what) + " must be " + std::to_string(digits) + " hex digits (got " +
                    std::to_string(s.value.size()) + " characters)");
  }
  return Status::Ok();
}

Status Reader::Hex(const YamlNode& n, std::string_view what, size_t digits, LString* out) {
  SCONE_RETURN_IF_ERROR(String(n, what, out));
  return CheckHex(*out, what, digits);
}

Status Reader::OptHex(const YamlNode& n, std::string_view what, size_t digits,
                      std::optional<LString>* out) {
  LString h;
  SCONE_RETURN_IF_ERROR(Hex(n, what, digits, &h));
  *out = std::move(h);
  return Status::Ok();
}

Status Reader::StringList(const YamlNode& n, std::string_view what, std::vector<LString>* out) {
  out->clear();
  return OneOrList(n, out, [&](const YamlNode& item, LString* s) -> Status {
    if (item.IsMap()) {
      return Fail(ErrorKind::kWrongType, item,
                  std::string(what) + " must be a string or a list of strings");
    }
    return String(item, what, s);
  });
}

Status Reader::HexList(const YamlNode& n, std::string_view what, size_t digits,
                       std::vector<LString>* out) {
  SCONE_RETURN_IF_ERROR(StringList(n, what, out));
  for (const LString& s : *out) {
    SCONE_RETURN_IF_ERROR(CheckHex(s, what, digits));
  }
  return Status::Ok();
}

Status Reader::Unsigned(const YamlNode& n, std::string_view what, uint64_t max, uint64_t* out,
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

Status Reader::U16(const YamlNode& n, std::string_view what,
                   std::optional<Located<uint16_t>>* out) {
  uint64_t v = 0;
  Position pos;
  SCONE_RETURN_IF_ERROR(Unsigned(n, what, 65535, &v, &pos));
  *out = Located<uint16_t>{static_cast<uint16_t>(v), pos};
  return Status::Ok();
}

Status Reader::Bool(const YamlNode& n, std::string_view what, std::optional<Located<bool>>* out) {
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

Status Reader::Keyword(const YamlNode& n, std::string_view what, Keys allowed, LString* out) {
  SCONE_RETURN_IF_ERROR(String(n, what, out));
  if (std::find(allowed.begin(), allowed.end(), out->value) == allowed.end()) {
    return Fail(ErrorKind::kInvalidValue, out->position,
                Quoted(out->value) + " is not a valid " + std::string(what) +
                    "; valid values are: " + JoinKeys(allowed));
  }
  return Status::Ok();
}

Status Reader::KeyHash(const YamlNode& n, std::string_view what, std::optional<LString>* out) {
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

}  // namespace scone::sdl
