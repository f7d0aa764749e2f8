// Helpers for known-answer tests (header-only, tests only): byte strings written as hex or
// as counting sequences, the way scripts/kat_reference.py writes its inputs.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/bytes.h"
#include "common/hex.h"

namespace scone::testing {

// The bytes of `hex`; a malformed literal fails the test (and gives no bytes).
inline Bytes Hex(std::string_view hex) {
  auto bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.ok()) << hex;
  return bytes.ok() ? *bytes : Bytes();
}

// `count` bytes first, first + 1, ... (modulo 256).
inline Bytes Range(uint8_t first, size_t count) {
  Bytes out(count);
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<uint8_t>(first + i);
  return out;
}

}  // namespace scone::testing
