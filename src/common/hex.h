// Lower-case hexadecimal encoding.
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace scone {

// Lower-case hex of `data`.
std::string HexEncode(ByteView data);

// Decodes hex (either case). Fails on odd length or a non-hex character, naming its
// position. With `expected_size`, also fails unless exactly that many bytes result.
Result<Bytes> HexDecode(std::string_view hex);
Result<Bytes> HexDecode(std::string_view hex, size_t expected_size);

}  // namespace scone
