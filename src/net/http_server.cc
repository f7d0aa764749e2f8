#include "net/http_server.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <system_error>
#include <type_traits>
#include <unordered_map>

#include "common/resource_limit.h"
#include "net/iovec_internal.h"
#include "net/tls_internal.h"

namespace scone::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

// A TCP listener; with `tls` set, its connections speak TLS.
struct TcpListener {
  std::unique_ptr<tcp::acceptor> acceptor;
  std::shared_ptr<TlsServerContext> tls;
};

namespace {

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

}  // namespace

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
  std::list<Connection::Entry> waiting;
  std::unordered_map<uid_t, size_t> per_uid;

  size_t connections_open() {
    std::lock_guard lock(mu);
    return connections;
  }

  std::atomic<size_t> body_bytes{0};        // of the request bodies in flight
  std::atomic<bool> accept_starved{false};  // accepting failed for lack of resources
  LogLimiter connection_cap_log, uid_cap_log, body_memory_log, lane_log;
  std::vector<std::unique_ptr<LanePool>> lanes;
  uint16_t tcp_port = 0;
  bool started = false;
  bool stopped = false;
  asio::io_context ioc;
  std::vector<TcpListener> tcp_listeners;
  std::vector<std::unique_ptr<local::acceptor>> unix_acceptors;
  std::vector<std::filesystem::path> unix_paths;
  std::vector<std::thread> threads;
};

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool kIsTls = false;
template <class NextLayer>
constexpr bool kIsTls<beast::ssl_stream<NextLayer>> = true;

template <class Executor>
PeerInfo PeerOf(asio::basic_stream_socket<tcp, Executor>& s) {
  PeerInfo p;
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (!ec) p.address = ep.address().to_string() + ":" + std::to_string(ep.port());
  return p;
}

// A Unix connection's peer is known per request (CredentialStream), not per connection.
template <class Executor>
PeerInfo PeerOf(asio::basic_stream_socket<local, Executor>& /*socket*/) {
  PeerInfo p;
  p.is_unix = true;
  return p;
}

// A server's side of a Unix stream connection that knows which process wrote each request.
// With SO_PASSCRED set, the kernel attaches the writing process's credentials to every
// write and never returns the bytes of two writers from one recvmsg, so each read is
// attributed to one process. A connection may be shared (fork, SCM_RIGHTS): the process
// that connected is not necessarily the one that writes, and only the writer counts.
// Models Beast's AsyncReadStream and AsyncWriteStream; expires_after() works like
// beast::basic_stream's, except that the deadline closes the socket (which ends the
// pending operation with an error).
template <class Socket>
class CredentialStream {
 public:
  using executor_type = typename Socket::executor_type;

  explicit CredentialStream(Socket socket) : impl_(std::make_shared<Impl>(std::move(socket))) {
    boost::system::error_code ignored;
    impl_->socket.non_blocking(true, ignored);
    int on = 1;  // also inherited from the listener; set again so as not to depend on it
    ::setsockopt(impl_->socket.native_handle(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
  }

  executor_type get_executor() noexcept { return impl_->socket.get_executor(); }
  Socket& socket() { return impl_->socket; }

  // Sets the deadline of the operations that follow. The timer is not re-armed for every
  // operation (a system call each, and a cancelled wait to dispatch): one wait runs at a
  // time, and when it ends before the current deadline it waits again until then.
  void expires_after(std::chrono::milliseconds timeout) {
    impl_->deadline = std::chrono::steady_clock::now() + timeout;
    if (!impl_->waiting) Wait(impl_);
  }

  // Removes the deadline (while a request is being handled, nothing is read).
  void expires_never() { impl_->deadline = std::chrono::steady_clock::time_point::max(); }

  // Starts attributing a new request: `carried_over` says whether the buffer already holds
  // bytes of it (read together with the previous request, so from that request's writer).
  void BeginMessage(bool carried_over) {
    impl_->mixed = false;
    impl_->unknown = carried_over && impl_->last_unknown;
    impl_->sender = carried_over ? impl_->last : std::nullopt;
  }

  // The process that wrote every byte read since BeginMessage.
  Result<ucred> MessageSender() const {
    if (impl_->unknown || !impl_->sender) {
      return PermissionDenied("the kernel did not say which process wrote the request");
    }
    if (impl_->mixed) return PermissionDenied("the request was written by more than one process");
    return *impl_->sender;
  }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return asio::async_initiate<Handler, void(boost::system::error_code, size_t)>(
        [impl = impl_](auto h, const MutableBuffers& b) {
          Receive(impl, b, std::move(h), /*from_initiation=*/true);
        },
        handler, buffers);
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return impl_->socket.async_write_some(buffers, std::forward<Handler>(handler));
  }

 private:
  struct Impl {
    explicit Impl(Socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    Socket socket;
    asio::steady_timer timer;
    std::chrono::steady_clock::time_point deadline;
    bool waiting = false;         // a wait on `timer` is pending
    std::optional<ucred> last;    // the writer of the last bytes read
    bool last_unknown = false;    // the last bytes read came without credentials
    std::optional<ucred> sender;  // the writer of the current request
    bool mixed = false;           // the current request has bytes of two writers
    bool unknown = false;         // ... or bytes without credentials

    void Attribute(const std::optional<ucred>& writer) {
      last = writer;
      last_unknown = !writer;
      if (!writer) {
        unknown = true;
      } else if (!sender) {
        sender = writer;
      } else if (sender->pid != writer->pid || sender->uid != writer->uid ||
                 sender->gid != writer->gid) {
        mixed = true;
      }
    }
  };

  static void Wait(const std::shared_ptr<Impl>& stream) {
    stream->waiting = true;
    stream->timer.expires_at(stream->deadline);
    stream->timer.async_wait([weak = std::weak_ptr<Impl>(stream)](boost::system::error_code ec) {
      auto impl = weak.lock();
      if (!impl) return;  // the stream is gone
      impl->waiting = false;
      if (ec) return;
      if (std::chrono::steady_clock::now() < impl->deadline) return Wait(impl);
      boost::system::error_code ignored;
      impl->socket.close(ignored);  // ends the pending operation with an error
    });
  }

  // Reads what is there into `buffers` with recvmsg (to get the credentials) and completes
  // `handler`, or, if nothing is there yet, waits until something is and tries again. Trying
  // first matters: a client that has just received an answer often sends its next request
  // before this read starts, and the bytes are then taken at once, on this thread. A
  // completion found at once is deferred (run on this thread after the initiating call
  // returns, without waking another); one found after a wait runs from the wait's handler,
  // already on the stream's strand.
  template <class MutableBuffers, class Handler>
  static void Receive(const std::shared_ptr<Impl>& impl, const MutableBuffers& buffers,
                      Handler handler, bool from_initiation) {
    auto complete = [&](boost::system::error_code ec, size_t n) {
      if (!from_initiation) return handler(ec, n);
      auto ex = asio::get_associated_executor(handler, impl->socket.get_executor());
      asio::defer(ex, [h = std::move(handler), ec, n]() mutable { h(ec, n); });
    };
    iovec_internal::Iovecs iov{};
    size_t count = iovec_internal::FromBuffers(buffers, iov);
    if (count == 0) return complete({}, 0);
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(ucred))> control{};
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = count;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    ssize_t n = ::recvmsg(impl->socket.native_handle(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR) {
      n = ::recvmsg(impl->socket.native_handle(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      impl->socket.async_wait(
          asio::socket_base::wait_read,
          [impl, buffers, handler = std::move(handler)](boost::system::error_code ec) mutable {
            if (ec) return handler(ec, 0);
            Receive(impl, buffers, std::move(handler), /*from_initiation=*/false);
          });
      return;
    }
    if (n < 0) return complete({errno, boost::system::system_category()}, 0);
    std::optional<ucred> writer;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET) continue;
      if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(ucred))) {
        ucred u{};
        std::memcpy(&u, CMSG_DATA(c), sizeof(u));
        if (u.pid > 0) writer = u;
      } else if (c->cmsg_type == SCM_RIGHTS) {  // descriptors nobody asked for: close them
        size_t fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < fds; ++i) {
          int fd = -1;
          std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
          ::close(fd);
        }
      }
    }
    if (n == 0) return complete(asio::error::eof, 0);
    impl->Attribute(writer);
    complete({}, static_cast<size_t>(n));
  }

  std::shared_ptr<Impl> impl_;
};

template <class Stream>
constexpr bool kIsUnix = false;
template <class Socket>
constexpr bool kIsUnix<CredentialStream<Socket>> = true;

// A share of HttpServer::Impl::body_bytes, given back on destruction.
class BodyReservation {
 public:
  BodyReservation() = default;
  // Takes `n` bytes from `pool` if that keeps it at most `limit`; an empty reservation if not.
  static std::optional<BodyReservation> Take(std::atomic<size_t>& pool, size_t n, size_t limit) {
    size_t used = pool.load();
    do {
      if (n > limit || used > limit - n) return std::nullopt;
    } while (!pool.compare_exchange_weak(used, used + n));
    BodyReservation r;
    r.pool_ = &pool;
    r.bytes_ = n;
    return r;
  }
  BodyReservation(BodyReservation&& other) noexcept
      : pool_(std::exchange(other.pool_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  BodyReservation& operator=(BodyReservation&& other) noexcept {
    if (this != &other) {
      Release();
      pool_ = std::exchange(other.pool_, nullptr);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;
  ~BodyReservation() { Release(); }

  void Release() {
    if (pool_ != nullptr) pool_->fetch_sub(bytes_);
    pool_ = nullptr;
    bytes_ = 0;
  }

 private:
  std::atomic<size_t>* pool_ = nullptr;
  size_t bytes_ = 0;
};

// Runs the handler; an exception becomes a 500 (its text is not the client's business).
HttpResponse Invoke(HttpServer::Impl& server, const HttpRequest& request, const PeerInfo& peer) {
  try {
    return server.handler(request, peer);
  } catch (const std::exception&) {
    return ErrorResponse(500, "internal error");
  }
}

// The registry of connections (HttpServer::Impl::mu and what it guards).

// Puts `c` at the end of the waiting list, or takes it off.
void SetWaiting(HttpServer::Impl& server, const std::shared_ptr<Connection>& c, bool waiting) {
  std::lock_guard lock(server.mu);
  if (c->waiting == waiting) return;
  if (waiting) {
    c->position = server.waiting.insert(server.waiting.end(), {c, c->uid});
  } else {
    server.waiting.erase(c->position);
  }
  c->waiting = waiting;
}

// Takes the connection that has waited longest (of user `uid`, if set) off the waiting list.
// Called with server.mu held; the caller must release the result only after unlocking (it
// may be the last reference, and the destructor takes the lock).
std::shared_ptr<Connection> TakeLongestWaiting(HttpServer::Impl& server, std::optional<uid_t> uid) {
  for (auto it = server.waiting.begin(); it != server.waiting.end(); ++it) {
    if (uid && it->uid != uid) continue;
    auto c = it->connection.lock();
    if (!c) continue;  // being destroyed; its destructor removes it
    server.waiting.erase(it);
    c->waiting = false;
    return c;
  }
  return nullptr;
}

// Counts a new connection (of user `uid` on a Unix socket) if the caps allow, closing the
// longest-waiting connection to make room where needed. False if every connection that
// could make room has a request in progress: the new one is then to be closed.
bool Admit(HttpServer::Impl& server, std::optional<uid_t> uid) {
  std::shared_ptr<Connection> victim;  // released after the lock, see TakeLongestWaiting
  enum { kNone, kUidEvicted, kUidRefused, kEvicted, kRefused } event = kNone;
  size_t count = 0;
  {
    std::lock_guard lock(server.mu);
    if (uid) {
      count = server.per_uid[*uid];
      if (count >= server.options.max_connections_per_uid) {
        victim = TakeLongestWaiting(server, uid);
        event = victim ? kUidEvicted : kUidRefused;
      }
    }
    if (event == kNone && server.connections >= server.options.max_connections) {
      count = server.connections;
      victim = TakeLongestWaiting(server, std::nullopt);
      event = victim ? kEvicted : kRefused;
    }
    if (event != kUidRefused && event != kRefused) {
      ++server.connections;
      if (uid) ++server.per_uid[*uid];
    }
  }
  if (victim) victim->Evict();
  uint64_t suppressed = 0;
  switch (event) {
    case kNone:
      break;
    case kUidEvicted:
    case kUidRefused:
      if (server.uid_cap_log.Allow(&suppressed)) {
        spdlog::warn(
            "user id {} has {} connections, the limit per user: {} ({} more such events not "
            "logged)",
            *uid, count,
            event == kUidEvicted ? "closed its longest-waiting one"
                                 : "refused a new one (all busy)",
            suppressed);
      }
      break;
    case kEvicted:
    case kRefused:
      if (server.connection_cap_log.Allow(&suppressed)) {
        spdlog::warn(
            "{} connections open, the limit: {} ({} more such events not logged)", count,
            event == kEvicted ? "closed the longest-waiting one" : "refused a new one (all busy)",
            suppressed);
      }
      break;
  }
  return event != kUidRefused && event != kRefused;
}

// Forgets a connection that is being destroyed.
void Unregister(HttpServer::Impl& server, Connection& c) {
  std::lock_guard lock(server.mu);
  if (c.waiting) server.waiting.erase(c.position);
  c.waiting = false;
  --server.connections;
  if (c.uid) {
    auto it = server.per_uid.find(*c.uid);
    if (it != server.per_uid.end() && --it->second == 0) server.per_uid.erase(it);
  }
}

// Whether `ec` says that the bytes received are not a valid HTTP request (as opposed to a
// failure of the connection or of TLS, which leaves nobody to answer).
bool IsHttpError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

// One connection: for TLS streams a handshake first, then requests and responses until the
// client or an error ends it. `Stream` is a beast::basic_stream over TCP or a Unix socket,
// or a TlsStream; the session owns it, and it runs on its own strand. It is registered (see
// Admit) from construction to destruction, and waiting (closable at a cap) except while a
// request is in progress: from its complete arrival until its response is written.
template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `stream_args` construct the stream; `credentials` (TLS only) are kept alive with it. The
  // connection must have been counted by Admit with `uid`.
  template <class... StreamArgs>
  Session(HttpServer::Impl& server, PeerInfo peer, std::optional<uid_t> connecting_uid,
          std::shared_ptr<TlsServerContext::Credentials> credentials, StreamArgs&&... stream_args)
      : peer_(std::move(peer)),
        credentials_(std::move(credentials)),
        stream_(std::forward<StreamArgs>(stream_args)...),
        server_(server) {
    uid = connecting_uid;
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() override { Unregister(server_, *this); }

  // Starts the session on its strand (the accept handler that calls this is not on it).
  void Run() {
    SetWaiting(server_, this->shared_from_this(), true);
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Start(); });
  }

  void Evict() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->CloseSocket();
    });
  }

 private:
  // One deadline covers the handshake and the first request's header.
  void Start() {
    beast::get_lowest_layer(stream_).expires_after(server_.options.first_request_timeout);
    if constexpr (kIsTls<Stream>) {
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      Read();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      // Debug only: scanners and clients that do not speak TLS 1.3 are normal on the Internet.
      spdlog::debug("TLS handshake with {} failed: {}", peer_.address,
                    ec == beast::error::timeout ? std::string("timed out") : ec.message());
      return CloseSocket();
    }
    auto der = tls_internal::PeerCertificateDer(stream_.native_handle());
    if (!der.ok()) {
      spdlog::debug("TLS client {}: {}", peer_.address, der.status().ToString());
      return CloseSocket();
    }
    peer_.client_certificate_der = std::move(der).value();
    Read();
  }

  // Reads a request's header (the first one within the deadline Start set), then its body.
  void Read() {
    if constexpr (kIsUnix<Stream>) stream_.BeginMessage(buffer_.size() != 0);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    if (requests_ != 0) {
      beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    }
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnRead(ec);
    ++requests_;
    // The body's bytes count against the server's budget from now until the handler is done.
    size_t declared = 0;
    if (auto length = parser_->content_length(); length.has_value()) {
      declared = static_cast<size_t>(*length);
    } else if (parser_->chunked()) {
      declared = server_.options.max_body_bytes;
    }
    if (declared != 0) {
      auto taken =
          BodyReservation::Take(server_.body_bytes, declared, server_.options.max_body_memory);
      if (!taken) {
        uint64_t suppressed = 0;
        if (server_.body_memory_log.Allow(&suppressed)) {
          spdlog::warn(
              "request bodies in flight reached the limit of {} bytes: answering 503 ({} more "
              "such events not logged)",
              server_.options.max_body_memory, suppressed);
        }
        return Reply(ErrorResponse(503,
                                   "the server is receiving too many request bodies; "
                                   "retry later"),
                     false);
      }
      body_reservation_ = std::move(*taken);
    }
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code e, size_t) { self->OnRead(e); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) body_reservation_.Release();
    if (ec == http::error::end_of_stream) return Close();
    if (ec == http::error::body_limit) {
      return Reply(
          ErrorResponse(413, "request body larger than " +
                                 std::to_string(server_.options.max_body_bytes) + " bytes"),
          false);
    }
    if (ec && IsHttpError(ec)) return Reply(ErrorResponse(400, "malformed HTTP request"), false);
    // A timeout, a reset, a TLS failure or truncation: there is nobody to answer.
    if (ec) return CloseSocket();

    SetBusy(true);
    if constexpr (kIsUnix<Stream>) {
      auto sender = stream_.MessageSender();
      if (!sender.ok()) return Reply(ErrorResponse(403, sender.status().message()), false);
      peer_.pid = sender->pid;
      peer_.uid = sender->uid;
    }
    auto req = parser_->release();
    parser_.reset();
    HttpRequest r;
    auto method = req.method_string();
    r.method.assign(method.data(), method.size());
    auto target = req.target();
    r.target.assign(target.data(), target.size());
    if (auto it = req.find(http::field::content_type); it != req.end()) {
      r.content_type.assign(it->value().data(), it->value().size());
    }
    r.body = std::move(req.body());
    bool keep_alive = req.keep_alive();
    req = {};

    size_t lane = server_.options.classify ? server_.options.classify(r, peer_) : kServerThreads;
    if (lane == kServerThreads || lane >= server_.lanes.size()) {
      HttpResponse response = Invoke(server_, r, peer_);
      r = {};
      body_reservation_.Release();
      return Reply(std::move(response), keep_alive);
    }
    // On the lane's pool; the answer comes back to this strand. No deadline meanwhile.
    beast::get_lowest_layer(stream_).expires_never();
    struct Job {
      HttpRequest request;
      PeerInfo peer;
      BodyReservation reservation;
    };
    auto job = std::make_shared<Job>(Job{std::move(r), peer_, std::move(body_reservation_)});
    LanePool& pool = *server_.lanes[lane];
    bool queued = pool.TryPost([self = this->shared_from_this(), job, keep_alive]() mutable {
      HttpResponse response = Invoke(self->server_, job->request, job->peer);
      job.reset();
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response), keep_alive]() mutable {
                   self->Reply(std::move(response), keep_alive);
                 });
    });
    if (!queued) {
      job.reset();
      uint64_t suppressed = 0;
      if (server_.lane_log.Allow(&suppressed)) {
        spdlog::warn("lane {} is full ({} waiting): answering 503 ({} more such events not logged)",
                     pool.lane().name, pool.lane().max_queued, suppressed);
      }
      Reply(ErrorResponse(503,
                          "the server is busy with " + pool.lane().name + " requests; retry later"),
            keep_alive);
    }
  }

  void Reply(HttpResponse r, bool keep_alive) {
    SetBusy(true);
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-store");
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    http::async_write(
        stream_, *res,
        [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
          if (ec) return self->CloseSocket();
          if (!keep_alive) return self->Close();
          self->SetBusy(false);
          self->Read();
        });
  }

  void SetBusy(bool busy) {
    if (busy_ == busy) return;
    busy_ = busy;
    SetWaiting(server_, this->shared_from_this(), !busy);
  }

  // Ends a healthy connection: TLS sends close_notify and waits (bounded) for the client's.
  void Close() {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
    } else {
      CloseSocket();
    }
  }

  void CloseSocket() {
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(asio::socket_base::shutdown_both, ec);
    socket.close(ec);
  }

  PeerInfo peer_;
  std::shared_ptr<TlsServerContext::Credentials> credentials_;  // declared before stream_
  Stream stream_;
  beast::flat_buffer buffer_{8192};
  std::optional<http::request_parser<http::string_body>> parser_;
  BodyReservation body_reservation_;
  size_t requests_ = 0;  // whose header has arrived
  bool busy_ = false;    // a request is in progress
  HttpServer::Impl& server_;
};

// The user id of the process that connected a Unix socket (SO_PEERCRED); nullopt for TCP.
template <class Socket>
std::optional<uid_t> ConnectingUid(Socket& socket) {
  if constexpr (std::is_same_v<typename Socket::protocol_type, local>) {
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
      return cred.uid;
    }
    return static_cast<uid_t>(-1);  // unknown: all such connections share one count
  } else {
    return std::nullopt;
  }
}

template <class Socket>
void StartSession(Socket socket, HttpServer::Impl& server, TlsServerContext* tls,
                  std::optional<uid_t> uid) {
  using Protocol = typename Socket::protocol_type;
  PeerInfo peer = PeerOf(socket);
  if constexpr (std::is_same_v<Protocol, tcp>) {
    // Small requests and responses: do not let Nagle's algorithm wait for delayed ACKs.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls != nullptr) {
      peer.tls = true;
      auto credentials = tls->current();
      asio::ssl::context& ssl = credentials->ssl;
      std::make_shared<Session<TlsStream>>(server, std::move(peer), uid, std::move(credentials),
                                           std::move(socket), ssl)
          ->Run();
      return;
    }
  }
  if constexpr (std::is_same_v<Protocol, local>) {
    using Stream = CredentialStream<Socket>;
    std::make_shared<Session<Stream>>(server, std::move(peer), uid, nullptr, std::move(socket))
        ->Run();
  } else {
    using Stream = beast::basic_stream<Protocol>;
    std::make_shared<Session<Stream>>(server, std::move(peer), uid, nullptr, std::move(socket))
        ->Run();
  }
}

// How long to wait before accepting again after running out of file descriptors or memory,
// when no connection could be closed to make room, and when some could.
constexpr std::chrono::milliseconds kAcceptBackoff{50};
constexpr std::chrono::milliseconds kAcceptRetry{2};
// How many waiting connections to close when accept runs out of descriptors.
constexpr size_t kEvictWhenStarved = 8;

// Closes up to `n` of the longest-waiting connections; returns how many.
size_t EvictLongestWaiting(HttpServer::Impl& server, size_t n) {
  std::vector<std::shared_ptr<Connection>> victims;  // released after the lock
  {
    std::lock_guard lock(server.mu);
    while (victims.size() < n) {
      auto c = TakeLongestWaiting(server, std::nullopt);
      if (!c) break;
      victims.push_back(std::move(c));
    }
  }
  for (auto& c : victims) c->Evict();
  return victims.size();
}

// Whether accept failed because the process or system ran out of a resource: retrying at
// once would fail again (and spin) until some connection closes.
bool IsOutOfResources(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors ||                         // EMFILE
         ec == boost::system::errc::too_many_files_open_in_system ||  // ENFILE
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

template <class Acceptor>
void Accept(Acceptor& acceptor, HttpServer::Impl& server, std::shared_ptr<TlsServerContext> tls) {
  // Each connection gets its own strand: Beast requires a stream's operations (including
  // its timeout handler) never to run concurrently, and the io_context has several threads.
  acceptor.async_accept(
      asio::make_strand(server.ioc),
      [&acceptor, &server, tls](boost::system::error_code ec, auto socket) mutable {
        if (ec == asio::error::operation_aborted) return;
        if (IsOutOfResources(ec)) {
          // Make room by closing connections that wait; without any, wait for one to end.
          size_t evicted = EvictLongestWaiting(server, kEvictWhenStarved);
          if (!server.accept_starved.exchange(true)) {
            spdlog::warn(
                "cannot accept connections: {} (with {} open); closed {} waiting ones, "
                "retrying",
                ec.message(), server.connections_open(), evicted);
          }
          auto timer = std::make_shared<asio::steady_timer>(
              server.ioc, evicted != 0 ? kAcceptRetry : kAcceptBackoff);
          timer->async_wait([timer, &acceptor, &server,
                             tls = std::move(tls)](boost::system::error_code wec) mutable {
            if (!wec) Accept(acceptor, server, std::move(tls));
          });
          return;
        }
        if (!ec) {
          if (server.accept_starved.exchange(false)) spdlog::info("accepting connections again");
          auto uid = ConnectingUid(socket);
          if (Admit(server, uid)) {
            StartSession(std::move(socket), server, tls.get(), uid);
          } else {
            boost::system::error_code ignored;
            socket.close(ignored);
          }
        }
        Accept(acceptor, server, std::move(tls));
      });
}

// Gives the socket file at `path`, just created by bind, the mode `mode` without following
// a symlink: whoever may write the directory could otherwise swap the socket for a link and
// have the server chmod the link's target. The path is opened with O_PATH | O_NOFOLLOW
// (which yields the link itself if it is one), must be a socket of ours, and that very
// inode is chmod-ed through /proc/self/fd.
Status ChmodSocketFile(const std::filesystem::path& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    return IoError("cannot set the mode of " + path.string() + ": " +
                   std::error_code(errno, std::generic_category()).message());
  }
  Status result;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != ::geteuid()) {
    result = FailedPrecondition(path.string() +
                                " is no longer the socket this server created; not changing it");
  } else if (::chmod(("/proc/self/fd/" + std::to_string(fd)).c_str(), mode) != 0) {
    result = IoError("cannot set the mode of " + path.string() + ": " +
                     std::error_code(errno, std::generic_category()).message());
  }
  ::close(fd);
  return result;
}

// A listening TCP socket on `endpoint` (an IP address, not a name).
Result<std::unique_ptr<tcp::acceptor>> ListenTcp(asio::io_context& ioc, const Endpoint& endpoint) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (ec) {
    return InvalidArgument("cannot listen on \"" + endpoint.host + "\": not an IP address (" +
                           ec.message() + ")");
  }
  auto acceptor = std::make_unique<tcp::acceptor>(ioc);
  tcp::endpoint ep(address, endpoint.port);
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return IoError("cannot listen on " + endpoint.ToString() + ": " + ec.message());
  return acceptor;
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::New(HttpHandler handler, ServerOptions options) {
  if (!handler) return InvalidArgument("no handler");
  for (const auto& lane : options.lanes) {
    if (lane.threads == 0) return InvalidArgument("lane \"" + lane.name + "\" has no thread");
  }
  if (options.max_connections == 0) {
    size_t fds = OpenFileLimit();
    options.max_connections = fds > 256 ? (fds - 64) / 2 : fds / 2;
  }
  if (options.max_connections_per_uid == 0) {
    options.max_connections_per_uid = std::max<size_t>(1, options.max_connections / 2);
  }
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  for (const auto& lane : options.lanes) impl->lanes.push_back(std::make_unique<LanePool>(lane));
  impl->options = std::move(options);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

Status HttpServer::Listen(const Endpoint& endpoint, mode_t unix_mode) {
  boost::system::error_code ec;
  if (endpoint.is_unix()) {
    std::filesystem::path path = endpoint.unix_path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        return FailedPrecondition(path.string() + " exists and is not a socket; not replacing it");
      }
      // A socket file from an earlier run: refuse if a server still answers on it.
      local::socket probe(impl_->ioc);
      probe.connect(local::endpoint(path.string()), ec);
      if (!ec) return FailedPrecondition("another server is listening on " + path.string());
      ::unlink(path.c_str());
    }
    auto acceptor = std::make_unique<local::acceptor>(impl_->ioc);
    acceptor->open(local(), ec);
    if (!ec) acceptor->bind(local::endpoint(path.string()), ec);
    // Before listen: every byte a client writes, even before accept, carries its writer.
    int on = 1;
    if (!ec &&
        ::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return IoError("cannot listen on " + path.string() + ": " + ec.message());
    SCONE_RETURN_IF_ERROR(ChmodSocketFile(path, unix_mode));
    impl_->unix_acceptors.push_back(std::move(acceptor));
    impl_->unix_paths.push_back(path);
    return Status::Ok();
  }
  SCONE_ASSIGN_OR_RETURN(auto acceptor, ListenTcp(impl_->ioc, endpoint));
  impl_->tcp_port = acceptor->local_endpoint().port();
  impl_->tcp_listeners.push_back({std::move(acceptor), nullptr});
  return Status::Ok();
}

Status HttpServer::ListenTls(const Endpoint& endpoint, std::shared_ptr<TlsServerContext> tls) {
  if (endpoint.is_unix()) {
    return InvalidArgument("TLS needs a TCP endpoint, not " + endpoint.ToString());
  }
  if (!tls) return InvalidArgument("no TLS credentials for " + endpoint.ToString());
  SCONE_ASSIGN_OR_RETURN(auto acceptor, ListenTcp(impl_->ioc, endpoint));
  impl_->tcp_port = acceptor->local_endpoint().port();
  impl_->tcp_listeners.push_back({std::move(acceptor), std::move(tls)});
  return Status::Ok();
}

uint16_t HttpServer::bound_tcp_port() const { return impl_->tcp_port; }

void HttpServer::Start() {
  if (impl_->started) return;
  impl_->started = true;
  for (auto& l : impl_->tcp_listeners) Accept(*l.acceptor, *impl_, l.tls);
  for (auto& a : impl_->unix_acceptors) Accept(*a, *impl_, nullptr);
  for (auto& lane : impl_->lanes) lane->Start();
  size_t n = impl_->options.threads == 0 ? 1 : impl_->options.threads;
  for (size_t i = 0; i < n; ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  for (auto& lane : impl_->lanes) lane->Stop();
  boost::system::error_code ec;
  for (auto& l : impl_->tcp_listeners) l.acceptor->close(ec);
  for (auto& a : impl_->unix_acceptors) a->close(ec);
  for (auto& p : impl_->unix_paths) ::unlink(p.c_str());
}

}  // namespace scone::net
