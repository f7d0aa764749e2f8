#include "secrets/encoding.h"

#include <algorithm>
#include <cstdint>

namespace scone::secrets {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void PutChar(SecretBytes& out, char c) {
  const auto b = static_cast<uint8_t>(c);
  out.Append(ByteView(&b, 1));
}
void PutText(SecretBytes& out, std::string_view s) { out.Append(AsBytes(s)); }

// Length of the well-formed UTF-8 sequence at data[i] (2-4), 0 if there is none.
size_t Utf8Length(ByteView d, size_t i) {
  const uint8_t b = d[i];
  size_t n = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if (b >= 0xc2 && b <= 0xdf) {
    n = 2;
    cp = b & 0x1fu;
    min = 0x80;
  } else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    cp = b & 0x0fu;
    min = 0x800;
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    cp = b & 0x07u;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > d.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((d[i + k] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d[i + k] & 0x3fu);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

}  // namespace

SecretBytes HexLower(ByteView data) {
  SecretBytes out;
  for (uint8_t b : data) {
    PutChar(out, kHex[b >> 4]);
    PutChar(out, kHex[b & 0x0f]);
  }
  return out;
}

SecretBytes Base64(ByteView data, bool url) {
  const char* alphabet = url ? kBase64Url : kBase64;
  SecretBytes out;
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) PutChar(out, alphabet[(v >> s) & 0x3f]);
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (rest == 2) v |= uint32_t{data[i + 1]} << 8;
    PutChar(out, alphabet[(v >> 18) & 0x3f]);
    PutChar(out, alphabet[(v >> 12) & 0x3f]);
    PutChar(out, rest == 2 ? alphabet[(v >> 6) & 0x3f] : '=');
    PutChar(out, '=');
  }
  return out;
}

SecretBytes Base32(ByteView data, bool pad) {
  SecretBytes out;
  for (size_t i = 0; i < data.size(); i += 5) {
    const size_t n = std::min<size_t>(5, data.size() - i);
    uint64_t v = 0;
    for (size_t k = 0; k < 5; ++k) v = (v << 8) | (k < n ? data[i + k] : 0);
    // 8 output characters of 5 bits; n input bytes fill ceil(8n/5) of them.
    const size_t chars = (n * 8 + 4) / 5;
    for (size_t k = 0; k < 8; ++k) {
      if (k < chars) {
        PutChar(out, kBase32[(v >> (35 - 5 * k)) & 0x1f]);
      } else if (pad) {
        PutChar(out, '=');
      }
    }
  }
  return out;
}

SecretBytes Pem(std::string_view type, ByteView der) {
  SecretBytes out;
  PutText(out, "-----BEGIN ");
  PutText(out, type);
  PutText(out, "-----\n");
  SecretBytes b64 = Base64(der, false);
  ByteView all = b64.Reveal();
  for (size_t i = 0; i < all.size(); i += 64) {
    out.Append(all.subspan(i, std::min<size_t>(64, all.size() - i)));
    PutChar(out, '\n');
  }
  PutText(out, "-----END ");
  PutText(out, type);
  PutText(out, "-----\n");
  return out;
}

SecretBytes EscapeJson(ByteView d) {
  SecretBytes out;
  for (size_t i = 0; i < d.size();) {
    const uint8_t b = d[i];
    if (b == '"' || b == '\\') {
      PutChar(out, '\\');
      PutChar(out, static_cast<char>(b));
    } else if (b == '\n') {
      PutText(out, "\\n");
    } else if (b == '\r') {
      PutText(out, "\\r");
    } else if (b == '\t') {
      PutText(out, "\\t");
    } else if (b == '\b') {
      PutText(out, "\\b");
    } else if (b == '\f') {
      PutText(out, "\\f");
    } else if (b >= 0x20 && b < 0x7f) {
      PutChar(out, static_cast<char>(b));
    } else if (size_t n = b >= 0x80 ? Utf8Length(d, i) : 0; n > 0) {
      out.Append(d.subspan(i, n));
      i += n;
      continue;
    } else {
      PutText(out, "\\u00");
      PutChar(out, kHex[b >> 4]);
      PutChar(out, kHex[b & 0x0f]);
    }
    ++i;
  }
  return out;
}

}  // namespace scone::secrets
