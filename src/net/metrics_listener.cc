#include "net/metrics_listener.h"

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>

namespace scone::net {

HttpResponse MetricsResponse(const HttpRequest& request, const metrics::Registry& registry) {
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") return ErrorResponse(404, "this listener serves GET /metrics only");
  if (request.method != "GET") return ErrorResponse(405, "use GET for /metrics");
  HttpResponse r;
  r.content_type = std::string(metrics::Registry::kContentType);
  r.body = registry.Render();
  return r;
}

Result<std::unique_ptr<HttpServer>> StartMetricsListener(const Endpoint& endpoint,
                                                         const metrics::Registry& registry) {
  if (endpoint.is_unix()) {
    return InvalidArgument("the metrics listener takes a TCP address, HOST:PORT, not " +
                           endpoint.ToString());
  }
  ServerOptions options;
  options.threads = 1;
  options.max_connections = 64;
  options.max_body_bytes = 1024;
  SCONE_ASSIGN_OR_RETURN(auto server, HttpServer::New(
                                          [&registry](const HttpRequest& r, const PeerInfo&) {
                                            return MetricsResponse(r, registry);
                                          },
                                          options));
  SCONE_RETURN_IF_ERROR(server->Listen(endpoint));
  server->Start();
  return server;
}

bool IsLoopback(const Endpoint& endpoint) {
  if (endpoint.is_unix()) return false;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(endpoint.host, ec);
  return !ec && address.is_loopback();
}

}  // namespace scone::net
