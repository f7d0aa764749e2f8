// Byte containers and views used across the code base.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scone {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

template <size_t N>
using ByteArray = std::array<uint8_t, N>;

// Views over text as bytes and back; no copies beyond the returned containers.
inline ByteView AsBytes(std::string_view s) {
  // Reinterpreting char as uint8_t is well defined (both are narrow character types).
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};  // NOLINT
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // NOLINT
}
inline Bytes ToBytes(std::string_view s) {
  ByteView v = AsBytes(s);
  return {v.begin(), v.end()};
}

}  // namespace scone
