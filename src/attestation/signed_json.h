// Strict JSON for signed PCS collateral.
//
// Intel signs the exact bytes of the inner object of `{"tcbInfo":{...},"signature":"..."}`
// (and of `{"enclaveIdentity":{...},...}`). ParseSignedJson finds that raw slice from its
// `{` to the matching `}` without re-serializing anything, and parses the slice itself, so
// the values a caller reads are exactly the bytes the signature covers. Duplicate keys (at
// any depth) are rejected, so that no two readers can see different values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace scone::attestation {

// Parses `text` as JSON, rejecting duplicate object keys and nesting deeper than 64.
// `what` names the document in errors. nlohmann exceptions never escape.
Result<nlohmann::json> ParseStrictJson(std::string_view text, std::string_view what);

struct SignedJson {
  std::string body;           // the raw bytes of the signed inner object
  nlohmann::json value;       // `body`, parsed
  ByteArray<64> signature{};  // r||s, from the hex "signature" member
};

// `text` must be a JSON object with exactly the members `body_key` (an object) and
// "signature" (128 hex digits). kInvalidArgument otherwise, naming `what`.
Result<SignedJson> ParseSignedJson(std::string_view text, std::string_view body_key,
                                   std::string_view what);

// Typed member access for parsers of collateral; every error names `what` and the key.
Result<const nlohmann::json*> Member(const nlohmann::json& obj, std::string_view key,
                                     std::string_view what);
Result<std::string> StringMember(const nlohmann::json& obj, std::string_view key,
                                 std::string_view what);
// An integer member in [min, max].
Result<int64_t> IntMember(const nlohmann::json& obj, std::string_view key, int64_t min, int64_t max,
                          std::string_view what);
// A string member of exactly 2*size hex digits, decoded.
Result<Bytes> HexMember(const nlohmann::json& obj, std::string_view key, size_t size,
                        std::string_view what);

}  // namespace scone::attestation
