// A small HTTP/1.1 server over TCP, TLS 1.3 over TCP, and Unix sockets (Boost.Beast), for
// local services such as `las` and for the CAS's HTTPS API.
//
// Robustness against hostile or broken clients, each bounded by ServerOptions (docs/net.md,
// "Limits"): the header and the body are size-limited (413 for a body over the limit); a new
// connection must complete its TLS handshake and send its first request header within a
// short deadline, and every later request within the read timeout; malformed requests get
// 400 and the connection is closed. The number of open connections is capped, and so, on
// Unix sockets, is the number per user id. At a cap the server closes the connection that
// has waited longest without a request being handled (idle, in its handshake or still
// sending its request), so that idle or slow connections, however many, cannot keep a new
// client out; only when every connection is busy is the new one closed at once. The bytes of
// all request bodies in flight together are bounded too (503 beyond). None of this blocks
// other clients: every connection is asynchronous. Reaching a limit is logged (rate-limited).
//
// Connections are kept alive (HTTP/1.1) on every listener. On a Unix socket each request is
// attributed to the process that wrote it (PeerInfo), per request, not per connection.
//
// The handler runs on the server's threads, or, for requests that ServerOptions::classify
// assigns to a lane, on that lane's own bounded pool, and may be called concurrently; an
// exception escaping it becomes a 500 response (and never reaches the client's text).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "net/http.h"
#include "net/server_metrics.h"
#include "net/tls.h"

namespace scone::net {

using HttpHandler = std::function<HttpResponse(const HttpRequest&, const PeerInfo&)>;

// A bounded pool of its own for a class of requests (see ServerOptions::classify): requests
// whose handler blocks (e.g. on another service) run here, so that they cannot occupy the
// server's threads and delay everything else.
struct Lane {
  std::string name;        // for logs and the 503 message, e.g. "attestation"
  size_t threads = 2;      // handlers of this lane running at once
  size_t max_queued = 64;  // requests waiting for a thread; beyond that the answer is 503
};

// Which lane serves a request: an index into ServerOptions::lanes, or kServerThreads for the
// server's own threads. Called on the server's threads with the complete request; must be
// cheap and must not block (a lookup in a route table).
using LaneClassifier = std::function<size_t(const HttpRequest&, const PeerInfo&)>;
inline constexpr size_t kServerThreads = static_cast<size_t>(-1);

struct ServerOptions {
  size_t max_header_bytes = 8 << 10;
  size_t max_body_bytes = 64 << 10;
  // A new connection must complete its TLS handshake (if any) and send the complete header
  // of its first request within this; scanners and idle connections are closed after it.
  std::chrono::milliseconds first_request_timeout{2000};
  // Every later request (the wait of a kept-alive connection included) must arrive within
  // this, and every request's body within this of its header; a response must be taken
  // within this too.
  std::chrono::milliseconds read_timeout{5000};
  // Open connections over all listeners. 0: derived from the descriptor limit at New(),
  // (soft RLIMIT_NOFILE - 64) / 2, leaving room for a second server in the process and for
  // files. At the cap the connection that waited longest without a request in progress is
  // closed to make room (see the header comment).
  size_t max_connections = 0;
  // Open connections per user id on Unix sockets (the connecting process's, SO_PEERCRED).
  // 0: max_connections / 2. At the cap, that user's longest-waiting connection is closed.
  size_t max_connections_per_uid = 0;
  // Bytes of request bodies being received or handled at once, over all connections (a
  // body counts with its declared Content-Length, a chunked one with max_body_bytes). A
  // request whose body does not fit gets 503 and its connection is closed.
  size_t max_body_memory = 32 << 20;
  size_t threads = 2;
  // Optional lanes and the classifier that assigns requests to them (unset: every request
  // runs on the server's threads). A request waiting in a full lane gets 503.
  std::vector<Lane> lanes;
  LaneClassifier classify;
  // Where the server counts connections and refusals (docs/metrics.md); by default nowhere.
  ServerMetrics metrics;
};

class HttpServer {
 public:
  // kInvalidArgument without a handler, or with lanes of no thread.
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
  // Stops accepting and joins the threads (of the lanes too; requests still waiting in a
  // lane are dropped); open connections are closed when the server is destroyed. Idempotent.
  void Stop();

  struct Impl;  // opaque; public only so that the implementation's helpers can name it

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace scone::net
