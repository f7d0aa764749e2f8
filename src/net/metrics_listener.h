// GET /metrics over plain HTTP (docs/metrics.md): the listener `cas --metrics-listen` and
// `las --metrics-listen` open, apart from every API listener.
//
// Why a listener of its own: CAS's API port is TLS with CAS's attested key, where a scraper
// would have to pin that key (it changes with a re-key) and where anything served is served
// to the Internet; las's Unix socket measures its callers. A plain listener that the
// operator binds (to loopback unless said otherwise) keeps metrics scrapable by any
// Prometheus without a client certificate and keeps them off the attested ports. The text
// holds counts only: no secret, no session name, no client identity (docs/metrics.md).
#pragma once

#include <memory>

#include "common/metrics.h"
#include "common/status.h"
#include "net/http.h"
#include "net/http_server.h"

namespace scone::net {

// The answer to a request on the metrics listener: GET /metrics (a query is ignored) gets
// `registry.Render()`; another path 404, another method on /metrics 405.
HttpResponse MetricsResponse(const HttpRequest& request, const metrics::Registry& registry);

// A started server that answers MetricsResponse on `endpoint` (TCP, plain HTTP; port 0 picks
// one, see HttpServer::bound_tcp_port), with one thread and small limits (a scrape is one
// short GET). `registry` must outlive it. kInvalidArgument for a Unix socket, IoError if it
// cannot listen.
Result<std::unique_ptr<HttpServer>> StartMetricsListener(const Endpoint& endpoint,
                                                         const metrics::Registry& registry);

// Whether `endpoint` is a loopback address (127.0.0.0/8, ::1): elsewhere the programs warn
// that everyone who reaches it can read the metrics.
bool IsLoopback(const Endpoint& endpoint);

}  // namespace scone::net
