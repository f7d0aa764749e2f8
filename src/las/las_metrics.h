// las's metrics (docs/metrics.md), beside its HTTP server's (net/server_metrics.h): requests
// by endpoint (las's fixed paths of las_protocol.h; any other target is "unmatched") and
// status, the handler's latency, and the quotes issued by kind with the platform's TCB
// status. `las --metrics-listen` serves them.
//
// Thread safety: Observe may be called from any thread (atomics only).
#pragma once

#include <chrono>

#include "attestation/tcb_status.h"
#include "common/metrics.h"
#include "net/http.h"
#include "net/server_metrics.h"

namespace scone::las {

class LasMetrics {
 public:
  // Registers the las_* families in `registry`, which must outlive this. `tcb_status` is the
  // platform's: every quote las issues shows it.
  LasMetrics(metrics::Registry& registry, attestation::TcbStatus tcb_status);

  // One answered request. A 200 answer to a quote request counts one quote, of kind
  // "caller" (POST /v1/quote on the Unix socket: the measured caller's own), "named_program"
  // (POST /v1/quote on the testing-only TCP listener: DEBUG quotes of a program the caller
  // names) or "passed_program" (POST /v1/program-quote: the program the runtime passes).
  void Observe(const net::HttpRequest& request, const net::PeerInfo& peer,
               const net::HttpResponse& response, std::chrono::steady_clock::duration took) const;

 private:
  net::RequestMetrics requests_;
  metrics::Family<metrics::Counter>* quotes_;
  size_t tcb_status_;
};

}  // namespace scone::las
