#include "las/las_metrics.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/tcb_status.h"
#include "las/las_protocol.h"

namespace scone::las {
namespace {

struct LasEndpoint {
  std::string_view method;
  std::string_view path;
};
// Every endpoint of las (las_service.h); the index is the endpoint label's.
constexpr std::array kEndpoints = {
    LasEndpoint{"GET", kCollateralPath},    LasEndpoint{"POST", kQuotePath},
    LasEndpoint{"POST", kProgramQuotePath}, LasEndpoint{"POST", kSealKeyPath},
    LasEndpoint{"GET", kSimRootCaPath},
};
constexpr size_t kQuote = 1;
constexpr size_t kProgramQuote = 2;

std::vector<std::string> EndpointNames() {
  std::vector<std::string> names;
  names.reserve(kEndpoints.size() + 1);
  for (const auto& e : kEndpoints) {
    names.push_back(std::string(e.method) + " " + std::string(e.path));
  }
  names.emplace_back("unmatched");
  return names;
}

}  // namespace

LasMetrics::LasMetrics(metrics::Registry& registry, attestation::TcbStatus tcb_status)
    : requests_(registry, "las", EndpointNames()), tcb_status_(static_cast<size_t>(tcb_status)) {
  quotes_ = &registry.AddCounter(
      "las_quotes_issued_total",
      "Quotes las issued, by kind (caller: the measured caller's own; named_program: a DEBUG "
      "quote of a program named on the testing-only TCP listener; passed_program: a program "
      "the trusted runtime passed) and the platform's TCB status.",
      {{"kind", {"caller", "named_program", "passed_program"}},
       {"tcb_status", attestation::TcbStatusNames()}});
}

void LasMetrics::Observe(const net::HttpRequest& request, const net::PeerInfo& peer,
                         const net::HttpResponse& response,
                         std::chrono::steady_clock::duration took) const {
  size_t endpoint = 0;
  while (endpoint < kEndpoints.size() && (kEndpoints[endpoint].path != request.target ||
                                          kEndpoints[endpoint].method != request.method)) {
    ++endpoint;
  }
  requests_.Observe(endpoint, response.status, std::chrono::duration<double>(took).count());
  if (response.status != 200) return;
  if (endpoint == kQuote) quotes_->At({peer.is_unix ? 0u : 1u, tcb_status_}).Inc();
  if (endpoint == kProgramQuote) quotes_->At({2, tcb_status_}).Inc();
}

}  // namespace scone::las
