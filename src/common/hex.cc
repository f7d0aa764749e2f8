#include "common/hex.h"

#include <string>

namespace scone {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HexEncode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(data.size() * 2, '\0');
  char* p = out.data();
  for (uint8_t b : data) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0x0f];
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return InvalidArgument("hex string has an odd number of digits (" + std::to_string(hex.size()) +
                           ")");
  }
  Bytes out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      size_t pos = hi < 0 ? i : i + 1;
      return InvalidArgument("not a hex digit at position " + std::to_string(pos + 1));
    }
    out.push_back(static_cast<uint8_t>((hi << 4) | lo));
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view hex, size_t expected_size) {
  if (hex.size() != expected_size * 2) {
    return InvalidArgument("expected " + std::to_string(expected_size * 2) + " hex digits, got " +
                           std::to_string(hex.size()));
  }
  return HexDecode(hex);
}

}  // namespace scone
