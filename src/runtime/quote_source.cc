#include "runtime/quote_source.h"

#include "las/las_client.h"
#include "las/las_protocol.h"

namespace scone::runtime {

Result<ProgramQuote> QuoteForProgram(const net::Endpoint& las, const OpenProgram& program,
                                     ByteView report_data) {
  if (report_data.size() > las::kMaxReportDataSize) {
    return InvalidArgument("report data has " + std::to_string(report_data.size()) +
                           " bytes; a quote holds at most 64");
  }
  if (!las.is_unix()) {
    return InvalidArgument("las at " + las.ToString() +
                           " is a TCP address; las measures the runtime only on its Unix "
                           "socket: set SCONE_LAS_ADDR=unix:PATH");
  }
  las::ProgramQuoteRequest request;
  request.report_data.assign(report_data.begin(), report_data.end());
  request.program_fd = program.fd();
  request.signature_fd = program.signature_fd();
  request.collateral = true;
  las::LasClient client(las, /*keep_connections=*/false);
  auto answer = client.ProgramQuote(request);
  if (!answer.ok()) return answer.status().WithContext("a quote for " + program.path());
  return ProgramQuote{std::move(answer->quote), std::move(answer->collateral)};
}

}  // namespace scone::runtime
