// PLACEHOLDER on the runcas branch: helper runlas owns this file (the enclave contract,
// issue 15) and defines QuoteForProgram here; on merge, runlas's version replaces this one.
// runcas needs only ProgramQuote, for enclave_client.h's QuoteFn.
#pragma once

#include <optional>

#include "attestation/collateral.h"
#include "common/bytes.h"
#include "common/status.h"
#include "net/http.h"

namespace scone::runtime {

// A quote for the program open at `program_fd`, with the collateral las gave for it.
struct ProgramQuote {
  Bytes quote;
  std::optional<attestation::Collateral> collateral;
};

Result<ProgramQuote> QuoteForProgram(const net::Endpoint& las, int program_fd,
                                     ByteView report_data);

}  // namespace scone::runtime
