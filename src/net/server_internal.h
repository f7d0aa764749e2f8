// The parts of HttpServer (http_server.h) that its files share: the server's state
// (HttpServer::Impl), the registry of connections for the caps, the lanes' thread pools and
// the rate limiter of log lines. Not part of the net API: it exposes Boost.Asio types.
//
// Which file holds what (docs/net.md, "Files"):
//   http_server.cc                listeners (TCP, TLS, Unix socket files) and accepting
//   server_connections.cc         the registry: admitting, evicting, forgetting connections
//   server_session.cc             one connection: handshake, requests, handler, answers
//   credential_stream_internal.h  a Unix connection that knows who wrote each request
#pragma once

#include <sys/types.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/http_server.h"
#include "net/tls.h"

namespace scone::net {
namespace server_internal {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

// Every connection runs on a strand of its own (see Accept in http_server.cc).
using Strand = asio::strand<asio::io_context::executor_type>;
using TcpSocket = asio::basic_stream_socket<tcp, Strand>;
using UnixSocket = asio::basic_stream_socket<local, Strand>;

// A TCP listener; with `tls` set, its connections speak TLS.
struct TcpListener {
  std::unique_ptr<tcp::acceptor> acceptor;
  std::shared_ptr<TlsServerContext> tls;
};

// Allows a log line at most once per interval, and counts the ones it held back, so that a
// flood that keeps hitting a limit cannot flood the log.
class LogLimiter {
 public:
  // Whether to log now; if so, `*suppressed` is the number of lines held back since the last.
  bool Allow(uint64_t* suppressed) {
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    int64_t next = next_.load(std::memory_order_relaxed);
    if (now < next || !next_.compare_exchange_strong(next, now + kIntervalMs)) {
      skipped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    *suppressed = skipped_.exchange(0, std::memory_order_relaxed);
    return true;
  }

 private:
  static constexpr int64_t kIntervalMs = 10000;
  std::atomic<int64_t> next_{0};
  std::atomic<uint64_t> skipped_{0};
};

// A connection as the registry of connections sees it (see HttpServer::Impl). The fields are
// guarded by HttpServer::Impl::mu.
struct Connection {
  virtual ~Connection() = default;
  // Closes the connection on its strand, unless a request has come to be in progress by then.
  virtual void Evict() = 0;

  struct Entry {
    std::weak_ptr<Connection> connection;
    std::optional<uid_t> uid;
  };
  std::optional<uid_t> uid;  // Unix: the connecting process's user id
  bool waiting = false;      // in HttpServer::Impl::waiting, at `position`
  std::list<Entry>::iterator position;
};

// A thread pool with a bounded queue that runs the handlers of one Lane.
class LanePool {
 public:
  explicit LanePool(Lane lane) : lane_(std::move(lane)) {}
  LanePool(const LanePool&) = delete;
  LanePool& operator=(const LanePool&) = delete;
  ~LanePool() { Stop(); }

  const Lane& lane() const { return lane_; }

  void Start() {
    for (size_t i = 0; i < lane_.threads; ++i) threads_.emplace_back([this] { Run(); });
  }

  // Queues `task`; false if `threads` tasks are running and `max_queued` waiting already (or
  // the pool stopped).
  bool TryPost(std::function<void()> task) {
    std::lock_guard lock(mu_);
    if (stopping_ || in_flight_ >= lane_.threads + lane_.max_queued) return false;
    ++in_flight_;
    queue_.push_back(std::move(task));
    cv_.notify_one();
    return true;
  }

  // Lets the running tasks finish, drops the waiting ones and joins the threads.
  void Stop() {
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      dropped.swap(queue_);
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // releases what the task holds before the lock is taken again
      lock.lock();
      --in_flight_;
    }
  }

  Lane lane_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t in_flight_ = 0;  // tasks queued or running
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace server_internal

// Declaration order matters for destruction: the io_context destroys pending sessions,
// which use `handler`, `options`, the registry and the body budget, so those are declared
// before it, and the acceptors, which use the io_context, after it. The lanes are stopped
// (their queued tasks, which hold sessions, dropped) by Stop, before any of this goes.
struct HttpServer::Impl {
  HttpHandler handler;
  ServerOptions options;

  // The registry of connections, for the caps. `waiting` lists the connections that have no
  // request in progress (in their handshake, idle, or still sending a request), the one that
  // has waited longest first: that one is closed when a cap is reached.
  std::mutex mu;
  size_t connections = 0;
  std::list<server_internal::Connection::Entry> waiting;
  std::unordered_map<uid_t, size_t> per_uid;

  size_t connections_open() {
    std::lock_guard lock(mu);
    return connections;
  }

  std::atomic<size_t> body_bytes{0};        // of the request bodies in flight
  std::atomic<bool> accept_starved{false};  // accepting failed for lack of resources
  server_internal::LogLimiter connection_cap_log, uid_cap_log, body_memory_log, lane_log;
  std::vector<std::unique_ptr<server_internal::LanePool>> lanes;
  uint16_t tcp_port = 0;
  bool started = false;
  bool stopped = false;
  boost::asio::io_context ioc;
  std::vector<server_internal::TcpListener> tcp_listeners;
  std::vector<std::unique_ptr<server_internal::local::acceptor>> unix_acceptors;
  std::vector<std::filesystem::path> unix_paths;
  std::vector<std::thread> threads;
};

namespace server_internal {

// ---- the registry of connections (server_connections.cc) ----------------------------------

// Puts `c` at the end of the waiting list, or takes it off.
void SetWaiting(HttpServer::Impl& server, const std::shared_ptr<Connection>& c, bool waiting);

// Takes the connection that has waited longest (of user `uid`, if set) off the waiting list.
// Called with server.mu held; the caller must release the result only after unlocking (it
// may be the last reference, and the destructor takes the lock).
std::shared_ptr<Connection> TakeLongestWaiting(HttpServer::Impl& server, std::optional<uid_t> uid);

// Counts a new connection (of user `uid` on a Unix socket) if the caps allow, closing the
// longest-waiting connection to make room where needed. False if every connection that
// could make room has a request in progress: the new one is then to be closed.
bool Admit(HttpServer::Impl& server, std::optional<uid_t> uid);

// Forgets a connection that is being destroyed.
void Unregister(HttpServer::Impl& server, Connection& c);

// Closes up to `n` of the longest-waiting connections; returns how many.
size_t EvictLongestWaiting(HttpServer::Impl& server, size_t n);

// ---- sessions (server_session.cc) ---------------------------------------------------------

// Serves a connection that Admit counted with `uid`: with `tls` set, a TLS session with the
// credentials `tls` holds now, else plain HTTP.
void StartSession(TcpSocket socket, HttpServer::Impl& server, TlsServerContext* tls,
                  std::optional<uid_t> uid);
// Serves a Unix connection, attributing each request to the process that wrote it.
void StartSession(UnixSocket socket, HttpServer::Impl& server, std::optional<uid_t> uid);

}  // namespace server_internal
}  // namespace scone::net
