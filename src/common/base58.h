// Base58 (Bitcoin alphabet) and Base58Check, as used by SCONE key hashes.
//
// Base58Check(version, payload) = Base58(version || payload || checksum) where checksum is
// the first 4 bytes of SHA-256(SHA-256(version || payload)).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace scone {

std::string Base58Encode(ByteView data);
// Fails on characters outside the alphabet (0, O, I, l and anything non-alphanumeric).
Result<Bytes> Base58Decode(std::string_view text);

std::string Base58CheckEncode(uint8_t version, ByteView payload);

struct Base58CheckValue {
  uint8_t version = 0;
  Bytes payload;
};
// Decodes and verifies the checksum (kInvalidArgument on any mismatch).
Result<Base58CheckValue> Base58CheckDecode(std::string_view text);

}  // namespace scone
