// A small HTTP/1.1 server over TCP, TLS 1.3 over TCP, and Unix sockets (Boost.Beast), for
// local services such as `las` and for the CAS's HTTPS API.
//
// Robustness against hostile or broken clients, each bounded by ServerOptions: the header
// and the body are size-limited (413 for a body over the limit), a request must arrive
// within the read timeout (slow clients are dropped), malformed requests get 400 and the
// connection is closed, and the number of open connections is capped (further ones are
// closed at once). None of this blocks other clients: every connection is asynchronous.
// On TLS listeners the handshake, too, must complete within the read timeout.
//
// Connections are kept alive (HTTP/1.1) on every listener. On a Unix socket each request is
// attributed to the process that wrote it (PeerInfo), per request, not per connection.
//
// The handler runs on the server's threads and may be called concurrently; an exception
// escaping it becomes a 500 response (and never reaches the client's text).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "common/status.h"
#include "net/http.h"
#include "net/tls.h"

namespace scone::net {

using HttpHandler = std::function<HttpResponse(const HttpRequest&, const PeerInfo&)>;

struct ServerOptions {
  size_t max_header_bytes = 8 << 10;
  size_t max_body_bytes = 64 << 10;
  std::chrono::milliseconds read_timeout{5000};
  size_t max_connections = 256;
  size_t threads = 2;
};

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> New(HttpHandler handler, ServerOptions options);
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listens on `endpoint` (before Start). A TCP port of 0 picks a free port (see
  // bound_tcp_port). A Unix socket path that exists as a stale socket is replaced; the
  // socket file gets `unix_mode`.
  Status Listen(const Endpoint& endpoint, mode_t unix_mode = 0666);
  // Listens with TLS on the TCP `endpoint` (before Start); kInvalidArgument for a Unix
  // socket or a null `tls`. A connection first completes a TLS 1.3 handshake with the
  // credentials `tls` holds at accept time, within the read timeout; a failed or timed-out
  // handshake (e.g. plain HTTP sent to this port) only closes the connection and is logged
  // at debug level, so that Internet noise does not fill the log. Then requests are served
  // exactly as on a plain listener, with PeerInfo::tls set and the client's certificate, if
  // any, in PeerInfo::client_certificate_der. The server ends a connection with a TLS
  // close_notify and waits at most the read timeout for the client's before closing.
  Status ListenTls(const Endpoint& endpoint, std::shared_ptr<TlsServerContext> tls);
  // The port of the last TCP or TLS listener (useful with port 0).
  uint16_t bound_tcp_port() const;

  // Starts the worker threads; returns at once.
  void Start();
  // Stops accepting and joins the threads; open connections are closed when the server is
  // destroyed. Idempotent.
  void Stop();

  struct Impl;  // opaque; public only so that the implementation's helpers can name it

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace scone::net
