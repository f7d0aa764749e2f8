// One connection of an HttpServer (server_internal.h): the TLS handshake if any, then
// requests and their answers until the client or an error ends it, within the deadlines and
// the body budget of ServerOptions, with each request run on the server's threads or its lane.
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "net/credential_stream_internal.h"
#include "net/server_internal.h"
#include "net/tls_internal.h"
#include "net/wiping_internal.h"

namespace scone::net::server_internal {
namespace beast = boost::beast;
namespace http = beast::http;

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
      server_.options.metrics.Refused(ec == beast::error::timeout ? Refusal::kTimeout
                                                                  : Refusal::kTlsHandshakeFailed);
      // Debug only: scanners and clients that do not speak TLS 1.3 are normal on the Internet.
      spdlog::debug("TLS handshake with {} failed: {}", peer_.address,
                    ec == beast::error::timeout ? std::string("timed out") : ec.message());
      return CloseSocket();
    }
    auto der = tls_internal::PeerCertificateDer(stream_.native_handle());
    if (!der.ok()) {
      server_.options.metrics.Refused(Refusal::kClientCertificateInvalid);
      spdlog::debug("TLS client {}: {}", peer_.address, der.status().ToString());
      return CloseSocket();
    }
    auto spki = tls_internal::PeerCertificateSpkiDer(stream_.native_handle());
    if (!spki.ok()) {
      spdlog::debug("TLS client {}: {}", peer_.address, spki.status().ToString());
      return CloseSocket();
    }
    peer_.client_certificate_der = std::move(der).value();
    peer_.client_key_spki_der = std::move(spki).value();
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
        server_.options.metrics.Refused(Refusal::kBodyMemory);
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
      server_.options.metrics.Refused(Refusal::kBodyTooLarge);
      return Reply(
          ErrorResponse(413, "request body larger than " +
                                 std::to_string(server_.options.max_body_bytes) + " bytes"),
          false);
    }
    if (ec && IsHttpError(ec)) {
      server_.options.metrics.Refused(Refusal::kMalformedRequest);
      return Reply(ErrorResponse(400, "malformed HTTP request"), false);
    }
    // A timeout, a reset, a TLS failure or truncation: there is nobody to answer.
    if (ec) {
      // A kept-alive connection left idle past the read timeout is no refusal; one that had
      // sent nothing yet, or part of a request, is.
      bool partial = buffer_.size() != 0 || (parser_.has_value() && parser_->got_some());
      if (ec == beast::error::timeout && (requests_ == 0 || partial)) {
        server_.options.metrics.Refused(Refusal::kTimeout);
      }
      return CloseSocket();
    }

    SetBusy(true);
    if constexpr (kIsUnix<Stream>) {
      auto sender = stream_.MessageSender();
      if (!sender.ok()) {
        server_.options.metrics.Refused(Refusal::kMultipleWriters);
        return Reply(ErrorResponse(403, sender.status().message()), false);
      }
      peer_.pid = sender->pid;
      peer_.uid = sender->uid;
    }
    auto req = parser_->release();
    parser_.reset();
    // Consumed bytes (this request's, perhaps a secret) stay in the read buffer's storage
    // until overwritten: with nothing of the next request in it, give it back (wiped).
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    HttpRequest r;
    r.sensitive = true;  // which request carries a secret is the handler's knowledge
    auto method = req.method_string();
    r.method.assign(method.data(), method.size());
    auto target = req.target();
    r.target.assign(target.data(), target.size());
    if (auto it = req.find(http::field::content_type); it != req.end()) {
      r.content_type.assign(it->value().data(), it->value().size());
    }
    r.body.assign(req.body().data(), req.body().size());
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
      server_.options.metrics.Refused(Refusal::kLaneFull);
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
    auto res = std::make_shared<http::response<wiping_internal::StringBody>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-store");
    res->keep_alive(keep_alive);
    res->body().assign(r.body.data(), r.body.size());
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
  wiping_internal::FlatBuffer buffer_{8192};
  std::optional<http::request_parser<wiping_internal::StringBody>> parser_;
  BodyReservation body_reservation_;
  size_t requests_ = 0;  // whose header has arrived
  bool busy_ = false;    // a request is in progress
  HttpServer::Impl& server_;
};

// Starts a session on `socket` with stream type `Stream`, built from the socket (and `ssl`).
template <class Stream, class... StreamArgs>
void Run(HttpServer::Impl& server, PeerInfo peer, std::optional<uid_t> uid,
         std::shared_ptr<TlsServerContext::Credentials> credentials, StreamArgs&&... stream_args) {
  std::make_shared<Session<Stream>>(server, std::move(peer), uid, std::move(credentials),
                                    std::forward<StreamArgs>(stream_args)...)
      ->Run();
}

}  // namespace

void StartSession(TcpSocket socket, HttpServer::Impl& server, TlsServerContext* tls,
                  std::optional<uid_t> uid) {
  PeerInfo peer = PeerOf(socket);
  // Small requests and responses: do not let Nagle's algorithm wait for delayed ACKs.
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls == nullptr) {
    return Run<beast::basic_stream<tcp>>(server, std::move(peer), uid, nullptr, std::move(socket));
  }
  peer.tls = true;
  auto credentials = tls->current();
  asio::ssl::context& ssl = credentials->ssl;
  Run<TlsStream>(server, std::move(peer), uid, std::move(credentials), std::move(socket), ssl);
}

void StartSession(UnixSocket socket, HttpServer::Impl& server, std::optional<uid_t> uid) {
  PeerInfo peer = PeerOf(socket);
  Run<CredentialStream<UnixSocket>>(server, std::move(peer), uid, nullptr, std::move(socket));
}

}  // namespace scone::net::server_internal
