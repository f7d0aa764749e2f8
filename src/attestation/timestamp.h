// Times as the attestation layer reads and writes them: Unix seconds (int64) in code,
// RFC 3339 / ISO 8601 UTC text in collateral ("2025-06-19T10:56:11Z") and on the command
// line. Conversion is pure arithmetic (no time zone database, no locale).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace scone::attestation {

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" ('t' and a space are accepted
// for 'T', 'z' for 'Z'). The fraction is dropped (times are whole seconds). Fails with
// kInvalidArgument naming the problem for anything else, including impossible dates.
Result<int64_t> ParseRfc3339(std::string_view text);

// A verification time as a user types it: decimal Unix seconds (e.g. "1752919277") or RFC 3339.
Result<int64_t> ParseVerificationTime(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339(int64_t unix_seconds);

}  // namespace scone::attestation
