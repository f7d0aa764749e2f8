// Quotes for the program the loader is about to run (docs/runtime.md, "las"): las measures
// the open file itself, passed as this process's descriptor, and answers only because this
// process is the runtime it trusts (`scone-run`; docs/las.md, "Quotes for a passed
// program").
#pragma once

#include <optional>

#include "attestation/collateral.h"
#include "common/bytes.h"
#include "common/status.h"
#include "net/http.h"
#include "runtime/loader.h"

namespace scone::runtime {

struct ProgramQuote {
  Bytes quote;  // SGX DCAP quote v3 of the program, with the report data asked for
  std::optional<attestation::Collateral> collateral;  // what a verifier needs (PCS formats)
};

// A quote for `program` (the exact bytes that will run) with `report_data` (at most 64
// bytes, zero-padded), and the collateral, from las at `las`, which must be its Unix socket
// (over TCP las measures no caller: kInvalidArgument saying so). Opens one connection.
//
// Errors: kInvalidArgument for oversized report data or a TCP address; kUnavailable if las
// cannot be reached ("las at ADDR: ..."); las's refusal otherwise, with its message (e.g.
// kPermissionDenied when this process is not the runtime las trusts, or the program's
// signature file does not verify).
Result<ProgramQuote> QuoteForProgram(const net::Endpoint& las, const OpenProgram& program,
                                     ByteView report_data);

}  // namespace scone::runtime
