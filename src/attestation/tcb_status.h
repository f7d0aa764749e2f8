// TCB status values of Intel's TCB info and QE identity, and the combined statuses the
// verifier reports (see docs/attestation.md, "Status convergence").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace scone::attestation {

enum class TcbStatus {
  kUpToDate,
  kSWHardeningNeeded,
  kConfigurationNeeded,
  kConfigurationAndSWHardeningNeeded,
  kOutOfDate,
  kOutOfDateConfigurationNeeded,
  kRevoked,
};

// Intel's spelling ("UpToDate", "SWHardeningNeeded", ...).
std::string_view TcbStatusName(TcbStatus status);

// Every status's name, in the order of the enum (a status's index is its value).
std::vector<std::string> TcbStatusNames();

// Parses Intel's spelling; anything else is kInvalidArgument.
Result<TcbStatus> ParseTcbStatus(std::string_view name);

}  // namespace scone::attestation
