#include "attestation/signed_json.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "common/hex.h"

namespace scone::attestation {

using nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Minimal scanner over text that is already known to be valid JSON: finds the extent of
// values without interpreting them.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  size_t pos() const { return pos_; }
  void SkipWs() {
    while (pos_ < s_.size() && IsWs(s_[pos_])) ++pos_;
  }
  bool Eat(char c) {
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A string token including its quotes.
  bool String(std::string_view& out) {
    SkipWs();
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    size_t start = pos_++;
    while (pos_ < s_.size() && s_[pos_] != '"') pos_ += s_[pos_] == '\\' ? 2u : 1u;
    if (pos_ >= s_.size()) return false;
    ++pos_;
    out = s_.substr(start, pos_ - start);
    return true;
  }
  // Any value; returns its [begin, end) extent.
  bool Value(size_t& begin, size_t& end) {
    SkipWs();
    begin = pos_;
    int depth = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '"') {
        std::string_view ignored;
        if (!String(ignored)) return false;
        if (depth == 0) break;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (depth == 0) break;  // end of the enclosing object
        if (--depth == 0) {
          ++pos_;
          break;
        }
      }
      if (c == ',' && depth == 0) break;
      ++pos_;
    }
    end = pos_;
    while (end > begin && IsWs(s_[end - 1])) --end;
    return end > begin;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<json> ParseStrictJson(std::string_view text, std::string_view what) {
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  bool too_deep = false;
  json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxDepth) too_deep = true;
    switch (event) {
      case json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys.empty() && parsed.is_string() &&
            !keys.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return !too_deep;
  };
  json value;
  try {
    value = json::parse(text.begin(), text.end(), cb);
  } catch (const json::exception& e) {
    return InvalidArgument(std::string(what) + ": not valid JSON: " + e.what());
  }
  if (too_deep) {
    return InvalidArgument(std::string(what) + ": nested deeper than " + std::to_string(kMaxDepth));
  }
  if (!duplicate.empty()) {
    return InvalidArgument(std::string(what) + ": duplicate key \"" + duplicate.substr(0, 64) +
                           "\"");
  }
  return value;
}

Result<SignedJson> ParseSignedJson(std::string_view text, std::string_view body_key,
                                   std::string_view what) {
  SCONE_ASSIGN_OR_RETURN(json outer, ParseStrictJson(text, what));
  const std::string w(what);
  if (!outer.is_object()) return InvalidArgument(w + ": not a JSON object");
  if (outer.size() != 2 || !outer.contains(body_key) || !outer.contains("signature")) {
    return InvalidArgument(w + ": must have exactly the members \"" + std::string(body_key) +
                           "\" and \"signature\"");
  }
  SignedJson out;
  SCONE_ASSIGN_OR_RETURN(Bytes sig, HexMember(outer, "signature", 64, what));
  std::copy(sig.begin(), sig.end(), out.signature.begin());

  // Locate the raw body. The text is valid JSON with unique keys (checked above).
  Scanner sc(text);
  if (!sc.Eat('{')) return InvalidArgument(w + ": not a JSON object");
  bool found = false;
  for (;;) {
    std::string_view raw_key;
    if (!sc.String(raw_key) || !sc.Eat(':')) return Internal(w + ": scanner out of step");
    size_t begin = 0, end = 0;
    if (!sc.Value(begin, end)) return Internal(w + ": scanner out of step");
    std::string key;
    try {
      key = json::parse(raw_key).get<std::string>();
    } catch (const json::exception&) {
      return Internal(w + ": scanner out of step");
    }
    if (key == body_key) {
      out.body.assign(text.substr(begin, end - begin));
      found = true;
    }
    if (!sc.Eat(',')) break;
  }
  if (!found || out.body.empty() || out.body.front() != '{' || out.body.back() != '}') {
    return InvalidArgument(w + ": \"" + std::string(body_key) + "\" is not a JSON object");
  }
  SCONE_ASSIGN_OR_RETURN(out.value, ParseStrictJson(out.body, what));
  if (!out.value.is_object()) {
    return InvalidArgument(w + ": \"" + std::string(body_key) + "\" is not a JSON object");
  }
  return out;
}

Result<const json*> Member(const json& obj, std::string_view key, std::string_view what) {
  if (!obj.is_object()) return InvalidArgument(std::string(what) + ": not a JSON object");
  auto it = obj.find(key);
  if (it == obj.end()) {
    return InvalidArgument(std::string(what) + ": missing \"" + std::string(key) + "\"");
  }
  return &*it;
}

Result<std::string> StringMember(const json& obj, std::string_view key, std::string_view what) {
  SCONE_ASSIGN_OR_RETURN(const json* v, Member(obj, key, what));
  if (!v->is_string()) {
    return InvalidArgument(std::string(what) + ": \"" + std::string(key) + "\" is not a string");
  }
  return v->get<std::string>();
}

Result<int64_t> IntMember(const json& obj, std::string_view key, int64_t min, int64_t max,
                          std::string_view what) {
  SCONE_ASSIGN_OR_RETURN(const json* v, Member(obj, key, what));
  int64_t x = 0;
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    x = u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  } else if (v->is_number_integer()) {
    x = v->get<int64_t>();
  } else {
    return InvalidArgument(std::string(what) + ": \"" + std::string(key) + "\" is not an integer");
  }
  if (x < min || x > max) {
    return InvalidArgument(std::string(what) + ": \"" + std::string(key) +
                           "\" = " + std::to_string(x) + " is out of range " + std::to_string(min) +
                           ".." + std::to_string(max));
  }
  return x;
}

Result<Bytes> HexMember(const json& obj, std::string_view key, size_t size, std::string_view what) {
  SCONE_ASSIGN_OR_RETURN(std::string s, StringMember(obj, key, what));
  auto b = HexDecode(s, size);
  if (!b.ok()) {
    return InvalidArgument(std::string(what) + ": \"" + std::string(key) + "\" is not " +
                           std::to_string(size) + " bytes of hex");
  }
  return b;
}

}  // namespace scone::attestation
