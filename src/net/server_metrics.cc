#include "net/server_metrics.h"

namespace scone::net {

std::string_view RefusalName(Refusal reason) {
  switch (reason) {
    case Refusal::kConnectionLimitClosedWaiting:
      return "connection_limit_closed_waiting";
    case Refusal::kConnectionLimitRefused:
      return "connection_limit_refused";
    case Refusal::kUidLimitClosedWaiting:
      return "uid_limit_closed_waiting";
    case Refusal::kUidLimitRefused:
      return "uid_limit_refused";
    case Refusal::kBodyMemory:
      return "body_memory";
    case Refusal::kLaneFull:
      return "lane_full";
    case Refusal::kBodyTooLarge:
      return "body_too_large";
    case Refusal::kMalformedRequest:
      return "malformed_request";
    case Refusal::kMultipleWriters:
      return "multiple_writers";
    case Refusal::kTlsHandshakeFailed:
      return "tls_handshake_failed";
    case Refusal::kClientCertificateInvalid:
      return "client_certificate_invalid";
    case Refusal::kTimeout:
      return "timeout";
  }
  return "unknown";
}

std::vector<ServerMetrics> ServerMetrics::Register(metrics::Registry& registry,
                                                   std::string_view prefix,
                                                   const std::vector<std::string>& servers) {
  std::string p(prefix);
  std::vector<std::string> reasons;
  reasons.reserve(kRefusalCount);
  for (size_t i = 0; i < kRefusalCount; ++i) {
    reasons.emplace_back(RefusalName(static_cast<Refusal>(i)));
  }
  auto& accepted = registry.AddCounter(p + "_connections_accepted_total",
                                       "Connections accepted, per server.", {{"server", servers}});
  auto& open = registry.AddGauge(p + "_connections_open", "Connections open now, per server.",
                                 {{"server", servers}});
  auto& refused =
      registry.AddCounter(p + "_refusals_total",
                          "Connections and requests the server refused or closed early, by reason.",
                          {{"server", servers}, {"reason", reasons}});
  std::vector<ServerMetrics> out(servers.size());
  for (size_t s = 0; s < servers.size(); ++s) {
    out[s].accepted_ = &accepted.At({s});
    out[s].open_ = &open.At({s});
    for (size_t r = 0; r < kRefusalCount; ++r) out[s].refused_[r] = &refused.At({s, r});
  }
  return out;
}

RequestMetrics::RequestMetrics(metrics::Registry& registry, std::string_view prefix,
                               std::vector<std::string> endpoints) {
  std::string p(prefix);
  std::vector<std::string> statuses;
  statuses.reserve(kStatuses.size() + 1);
  for (unsigned s : kStatuses) statuses.push_back(std::to_string(s));
  statuses.emplace_back("other");
  requests_ =
      &registry.AddCounter(p + "_requests_total", "Requests answered, by endpoint and HTTP status.",
                           {{"endpoint", endpoints}, {"status", statuses}});
  duration_ = &registry.AddHistogram(
      p + "_request_duration_seconds",
      "Time the handler took to answer a request, by endpoint (without a lane's queue "
      "and without network I/O).",
      metrics::LatencyBuckets(), {{"endpoint", endpoints}});
}

void RequestMetrics::Observe(size_t endpoint, unsigned status, double seconds) const {
  if (requests_ == nullptr) return;
  size_t s = 0;
  while (s < kStatuses.size() && kStatuses[s] != status) ++s;  // kStatuses.size(): "other"
  requests_->At({endpoint, s}).Inc();
  duration_->At({endpoint}).Observe(seconds);
}

}  // namespace scone::net
