#include "sdl/yaml_guard.h"

#include <cstdint>
#include <string>

namespace scone::sdl {
namespace {

// Conservative bound on the nesting of the text, before it is parsed: unclosed flow brackets
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

}  // namespace

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

Status LoadDocument(std::string_view text, std::string_view file, const ParseLimits& limits,
                    YamlTree* tree, Diagnostic* diagnostic) {
  auto fail = [&](ErrorKind kind, Position pos, std::string message) {
    *diagnostic = {kind, std::string(file), pos, std::move(message)};
    return diagnostic->ToStatus();
  };
  if (text.size() > limits.max_input_bytes) {
    return fail(ErrorKind::kTooLarge, Position{},
                "the session file has " + std::to_string(text.size()) + " bytes; at most " +
                    std::to_string(limits.max_input_bytes) + " are accepted");
  }
  Position deep;
  if (!CheckNesting(text, limits.max_nesting, &deep).ok()) {
    return fail(ErrorKind::kTooLarge, deep,
                "nesting deeper than " + std::to_string(limits.max_nesting) +
                    " levels; a session never needs that");
  }
  if (Position bad; !CheckCharacters(text, &bad)) {
    return fail(ErrorKind::kYamlSyntax, bad,
                "not a YAML text: invalid UTF-8 or a control character (YAML allows tab, line "
                "feed and carriage return only)");
  }
  if (Position second; HasSecondDocument(text, &second)) {
    return fail(ErrorKind::kYamlSyntax, second, std::string(kOneDocumentMessage));
  }
  YamlTreeError error;
  if (!BuildYamlTree(text, {limits.max_nesting, limits.max_nodes}, tree, &error).ok()) {
    if (error.too_large) return fail(ErrorKind::kTooLarge, error.position, error.message);
    return fail(ErrorKind::kYamlSyntax, error.position, "not valid YAML: " + error.message);
  }
  return Status::Ok();
}

}  // namespace scone::sdl
