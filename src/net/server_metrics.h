// The metrics of an HTTP server (docs/metrics.md), registered in a metrics::Registry:
//
//   ServerMetrics   what HttpServer counts itself, per server: connections accepted and
//                   open, and every refusal by its reason (the limits of docs/net.md,
//                   malformed or oversized requests, failed TLS handshakes, timeouts)
//   RequestMetrics  what a service counts per request: by endpoint (a name from the
//                   service's route table, never the raw path) and status, and the
//                   handler's latency per endpoint
//
// Both are cheap to copy (pointers into the registry, which must outlive them and every
// server given them) and lock-free to update. A default-constructed one counts nothing.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.h"

namespace scone::net {

// Why a server refused a connection or a request, or closed a connection early. Each is
// one value of the "reason" label (RefusalName).
enum class Refusal {
  kConnectionLimitClosedWaiting,  // at max_connections: the longest-waiting one was closed
  kConnectionLimitRefused,        // at max_connections, every connection busy: new one closed
  kUidLimitClosedWaiting,         // at max_connections_per_uid (Unix sockets), likewise
  kUidLimitRefused,
  kBodyMemory,                // max_body_memory reached: 503
  kLaneFull,                  // a lane's queue was full: 503
  kBodyTooLarge,              // 413
  kMalformedRequest,          // 400 before any handler
  kMultipleWriters,           // a Unix request written by more than one process (or none): 403
  kTlsHandshakeFailed,        // no TLS 1.3, a bad CertificateVerify, scanners, ...
  kClientCertificateInvalid,  // the handshake passed but the client certificate is unreadable
  kTimeout,                   // handshake, first request or a later request took too long
};
inline constexpr size_t kRefusalCount = static_cast<size_t>(Refusal::kTimeout) + 1;
std::string_view RefusalName(Refusal reason);

class ServerMetrics {
 public:
  ServerMetrics() = default;  // counts nothing

  // Registers PREFIX_connections_accepted_total{server}, PREFIX_connections_open{server}
  // and PREFIX_refusals_total{server,reason} once, and returns one ServerMetrics per name
  // in `servers` (in that order), to be given to that server's ServerOptions::metrics.
  static std::vector<ServerMetrics> Register(metrics::Registry& registry, std::string_view prefix,
                                             const std::vector<std::string>& servers);

  void Accepted() const {
    if (accepted_ != nullptr) accepted_->Inc();
  }
  void Opened() const {
    if (open_ != nullptr) open_->Add(1);
  }
  void Closed() const {
    if (open_ != nullptr) open_->Add(-1);
  }
  void Refused(Refusal reason) const {
    if (refused_[0] != nullptr) refused_[static_cast<size_t>(reason)]->Inc();
  }

 private:
  metrics::Counter* accepted_ = nullptr;
  metrics::Gauge* open_ = nullptr;
  std::array<metrics::Counter*, kRefusalCount> refused_{};
};

class RequestMetrics {
 public:
  RequestMetrics() = default;  // counts nothing

  // Registers PREFIX_requests_total{endpoint,status} and
  // PREFIX_request_duration_seconds{endpoint}. `endpoints` are the service's names of its
  // routes, the last one its catch-all for requests that match none ("unmatched").
  RequestMetrics(metrics::Registry& registry, std::string_view prefix,
                 std::vector<std::string> endpoints);

  // One answered request: `endpoint` an index into the endpoints given above, `status` the
  // HTTP status (one not in kStatuses counts as "other"), `seconds` the handler's time.
  // Unless default-constructed; an endpoint index out of range aborts (a programming error).
  void Observe(size_t endpoint, unsigned status, double seconds) const;

  // The statuses that have a value of their own in the "status" label.
  static constexpr std::array<unsigned, 13> kStatuses = {200, 201, 400, 401, 403, 404, 405,
                                                         409, 412, 413, 500, 503, 504};

 private:
  metrics::Family<metrics::Counter>* requests_ = nullptr;
  metrics::Family<metrics::Histogram>* duration_ = nullptr;
};

}  // namespace scone::net
