#include "common/printable.h"

#include <cstdint>
#include <cstdio>

namespace scone {
namespace {

// The length (2 to 4) of the well-formed UTF-8 sequence starting at text[i] (a byte >= 0x80)
// and its code point, or 0 if the bytes there are not well-formed UTF-8 (Unicode 15 §3.9,
// Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t Utf8Sequence(std::string_view text, size_t i, uint32_t* cp) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t lead = byte(i);
  size_t len = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    len = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    len = 3;
    if (lead == 0xe0) lo = 0xa0;
    if (lead == 0xed) hi = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    len = 4;
    if (lead == 0xf0) lo = 0x90;
    if (lead == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (text.size() - i < len) return 0;
  uint32_t value = lead & (0x7fu >> len);
  for (size_t k = 1; k < len; ++k) {
    uint8_t b = byte(i + k);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return 0;
    value = (value << 6) | (b & 0x3fu);
  }
  *cp = value;
  return len;
}

// Code points that are well-formed but change how a line reads.
bool IsInvisibleControl(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0x200e ||
         cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

bool IsPlainAscii(uint8_t b) { return b >= 0x20 && b < 0x7f && b != '\\'; }

}  // namespace

bool NeedsEscaping(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    auto b = static_cast<uint8_t>(text[i]);
    if (b < 0x80) {
      if (!IsPlainAscii(b)) return true;
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t len = Utf8Sequence(text, i, &cp);
    if (len == 0 || IsInvisibleControl(cp)) return true;
    i += len;
  }
  return false;
}

std::string PrintableText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  for (size_t i = 0; i < text.size();) {
    auto b = static_cast<uint8_t>(text[i]);
    if (b < 0x80) {
      ++i;
      if (IsPlainAscii(b)) {
        out.push_back(static_cast<char>(b));
      } else if (b == '\\') {
        out += "\\\\";
      } else if (b == '\n') {
        out += "\\n";
      } else if (b == '\r') {
        out += "\\r";
      } else if (b == '\t') {
        out += "\\t";
      } else {
        (void)std::snprintf(buf, sizeof(buf), "\\x%02x", b);
        out += buf;
      }
      continue;
    }
    uint32_t cp = 0;
    size_t len = Utf8Sequence(text, i, &cp);
    if (len == 0) {
      (void)std::snprintf(buf, sizeof(buf), "\\x%02x", b);
      out += buf;
      ++i;
    } else if (IsInvisibleControl(cp)) {
      (void)std::snprintf(buf, sizeof(buf), "\\u{%04x}", cp);
      out += buf;
      i += len;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

}  // namespace scone
