#include "net/http_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "common/secret.h"
#include "crypto/key_hash.h"
#include "crypto/x509.h"
#include "net/iovec_internal.h"
#include "net/tls_internal.h"
#include "net/wiping_internal.h"

namespace scone::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// "cannot <stage> <endpoint>: <reason>"; kInvalidArgument for a response over the limit,
// else kUnavailable (the caller may retry).
Status ExchangeError(std::string_view stage, const Endpoint& endpoint,
                     const beast::error_code& ec) {
  std::string m = "cannot " + std::string(stage) + " " + endpoint.ToString() + ": " +
                  (ec == beast::error::timeout ? std::string("timed out") : ec.message());
  if (ec == http::error::body_limit) return InvalidArgument(m);
  return Status(Code::kUnavailable, m);
}

using Clock = std::chrono::steady_clock;

// A connected socket (Unix or TCP) for Beast's synchronous HTTP and asio::ssl's synchronous
// TLS, whose reads, writes and connect wait at most until one deadline (poll), so that a
// whole exchange is bounded by one timeout without an event loop: a blocking client needs
// three system calls per small exchange (send, poll, receive). Models SyncReadStream and
// SyncWriteStream; asio::ssl also asks its lowest layer for an executor, which comes from
// the io_context given for TLS (never run).
class DeadlineSocket {
 public:
  using lowest_layer_type = DeadlineSocket;
  using executor_type = asio::io_context::executor_type;

  DeadlineSocket() = default;
  explicit DeadlineSocket(asio::io_context& ioc) : ioc_(&ioc) {}
  ~DeadlineSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  DeadlineSocket(const DeadlineSocket&) = delete;
  DeadlineSocket& operator=(const DeadlineSocket&) = delete;

  DeadlineSocket& lowest_layer() { return *this; }
  executor_type get_executor() { return ioc_->get_executor(); }
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }

  beast::error_code ConnectUnix(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path)) return asio::error::name_too_long;
    std::memcpy(addr.sun_path, path.data(), path.size());
    return Connect(AF_UNIX, reinterpret_cast<const sockaddr*>(&addr),  // NOLINT: sockets API
                   static_cast<socklen_t>(sizeof(addr)));
  }

  // Tries `addresses` in turn; the last failure if none accepts.
  beast::error_code ConnectTcp(const tcp::resolver::results_type& addresses) {
    beast::error_code ec = asio::error::host_not_found;
    for (const auto& entry : addresses) {
      const auto& ep = entry.endpoint();
      ec = Connect(ep.protocol().family(), ep.data(), static_cast<socklen_t>(ep.size()));
      if (!ec) {
        int on = 1;  // small requests: do not wait for delayed ACKs (Nagle)
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
        return ec;
      }
      if (ec == beast::error::timeout) return ec;
    }
    return ec;
  }

  template <class MutableBuffers>
  size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
    // Right after a request the answer cannot be there yet: wait before trying to read.
    bool wait_first = wrote_last_;
    wrote_last_ = false;
    return Transfer(buffers, POLLIN, wait_first, ec,
                    [this](msghdr& msg) { return ::recvmsg(fd_, &msg, 0); });
  }
  template <class ConstBuffers>
  size_t write_some(const ConstBuffers& buffers, beast::error_code& ec) {
    wrote_last_ = true;
    // MSG_NOSIGNAL: a server that closed the connection is an error, not a SIGPIPE.
    return Transfer(buffers, POLLOUT, false, ec,
                    [this](msghdr& msg) { return ::sendmsg(fd_, &msg, MSG_NOSIGNAL); });
  }
  template <class MutableBuffers>
  size_t read_some(const MutableBuffers& buffers) {
    beast::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <class ConstBuffers>
  size_t write_some(const ConstBuffers& buffers) {
    beast::error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  beast::error_code Connect(int family, const sockaddr* addr, socklen_t length) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return {errno, boost::system::system_category()};
    beast::error_code ec;
    int r = ::connect(fd_, addr, length);
    // A Unix socket whose listen queue is full refuses at once (EAGAIN): try again until
    // the deadline, as a blocking connect would wait.
    while (r != 0 && errno == EAGAIN && family == AF_UNIX) {
      auto left = deadline_ - Clock::now();
      if (left <= Clock::duration::zero()) return beast::error::timeout;
      std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(5)));
      r = ::connect(fd_, addr, length);
    }
    if (r != 0) {
      if (errno != EINPROGRESS) return {errno, boost::system::system_category()};
      if (!Wait(POLLOUT, ec)) return ec;
      int error = 0;
      socklen_t len = sizeof(error);
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
      if (error != 0) return {error, boost::system::system_category()};
    }
    return ec;
  }

  // Calls `io` on `buffers` until it moves at least one byte, waiting for `events` (up to
  // the deadline) while the socket is not ready, and first if `wait_first`. End of stream
  // is asio::error::eof.
  template <class Buffers, class Io>
  size_t Transfer(const Buffers& buffers, short events, bool wait_first, beast::error_code& ec,
                  Io io) {
    iovec_internal::Iovecs iov{};
    size_t count = iovec_internal::FromBuffers(buffers, iov);
    ec = {};
    if (count == 0) return 0;
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = count;
    if (wait_first && !Wait(events, ec)) return 0;
    for (;;) {
      ssize_t n = io(msg);
      if (n > 0) return static_cast<size_t>(n);
      if (n == 0) {
        ec = asio::error::eof;
        return 0;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ec = {errno, boost::system::system_category()};
        return 0;
      }
      if (!Wait(events, ec)) return 0;
    }
  }

  // Waits until the socket is ready for `events`; false with `ec` set at the deadline or
  // on an error.
  bool Wait(short events, beast::error_code& ec) {
    for (;;) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) {
        ec = beast::error::timeout;
        return false;
      }
      pollfd p{fd_, events, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) {
        ec = {errno, boost::system::system_category()};
        return false;
      }
    }
  }

  asio::io_context* ioc_ = nullptr;
  int fd_ = -1;
  bool wrote_last_ = false;
  Clock::time_point deadline_ = Clock::now();
};

// What an exchange learnt about its connection, for keeping it alive.
struct ExchangeInfo {
  bool reusable = false;   // the server keeps the connection open and nothing is left unread
  bool retryable = false;  // it failed before any response byte, and not by timing out
};

// Sends `request` on the open `stream` and reads the response (before the deadline the
// stream's DeadlineSocket holds). With `keep_alive`, the request asks the server to keep
// the connection open (`info` says whether it will).
template <class Stream>
Result<HttpResponse> Exchange(Stream& stream, const Endpoint& endpoint, const std::string& host,
                              const HttpRequest& request, const ClientOptions& options,
                              bool keep_alive = false, ExchangeInfo* info = nullptr) {
  if (info != nullptr) *info = {};
  // net's own copies of the messages wipe themselves (wiping_internal.h); a sensitive
  // request makes the answer sensitive too (http.h).
  http::request<wiping_internal::StringBody> req(http::string_to_verb(request.method),
                                                 request.target, 11);
  req.set(http::field::host, host);
  if (!request.content_type.empty()) req.set(http::field::content_type, request.content_type);
  req.keep_alive(keep_alive);
  req.body().assign(request.body.data(), request.body.size());
  req.prepare_payload();

  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) {
    if (info != nullptr) info->retryable = ec != beast::error::timeout;
    return ExchangeError("send to", endpoint, ec);
  }
  wiping_internal::FlatBuffer buffer;
  buffer.reserve(16 << 10);  // a quote's answer in one or two reads, not in 512-byte pieces
  http::response_parser<wiping_internal::StringBody> parser;
  parser.body_limit(options.max_response_bytes);
  http::read(stream, buffer, parser, ec);
  if (ec) {
    if (info != nullptr) info->retryable = ec != beast::error::timeout && !parser.got_some();
    return ExchangeError("read from", endpoint, ec);
  }
  auto res = parser.release();
  if (info != nullptr) info->reusable = keep_alive && res.keep_alive() && buffer.size() == 0;
  HttpResponse out;
  out.sensitive = request.sensitive;
  out.status = res.result_int();
  if (auto it = res.find(http::field::content_type); it != res.end()) {
    out.content_type.assign(it->value().data(), it->value().size());
  }
  out.body.assign(res.body().data(), res.body().size());
  return out;
}

Result<tcp::resolver::results_type> Resolve(const Endpoint& endpoint) {
  asio::io_context resolver_ctx;
  tcp::resolver resolver(resolver_ctx);
  boost::system::error_code ec;
  auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
  if (ec) {
    return Status(Code::kUnavailable, "cannot resolve " + endpoint.host + ": " + ec.message());
  }
  return results;
}

bool IsIpAddress(const std::string& name) {
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  return !ec;
}

// A plain connection to an endpoint (Unix or TCP): what HttpCall uses once and HttpClient
// keeps.
class PlainConnection {
 public:
  explicit PlainConnection(const Endpoint& endpoint) : endpoint_(endpoint) {}

  // Connects (on the first call) and exchanges `request`, all before `deadline` (name
  // resolution excepted).
  Result<HttpResponse> Call(const HttpRequest& request, const ClientOptions& options,
                            Clock::time_point deadline, bool keep_alive, ExchangeInfo* info) {
    socket_.set_deadline(deadline);
    if (!connected_) {
      beast::error_code ec;
      if (endpoint_.is_unix()) {
        ec = socket_.ConnectUnix(endpoint_.unix_path);
      } else {
        SCONE_ASSIGN_OR_RETURN(auto addresses, Resolve(endpoint_));
        ec = socket_.ConnectTcp(addresses);
      }
      if (ec) return ExchangeError("connect to", endpoint_, ec);
      connected_ = true;
    }
    return Exchange(socket_, endpoint_, endpoint_.is_unix() ? "localhost" : endpoint_.host, request,
                    options, keep_alive, info);
  }

 private:
  Endpoint endpoint_;
  DeadlineSocket socket_;
  bool connected_ = false;
};

}  // namespace

Result<HttpResponse> HttpCall(const Endpoint& endpoint, const HttpRequest& request,
                              const ClientOptions& options) {
  PlainConnection connection(endpoint);
  return connection.Call(request, options, Clock::now() + options.timeout, /*keep_alive=*/false,
                         nullptr);
}

struct HttpClient::Connection {
  explicit Connection(const Endpoint& endpoint) : plain(endpoint) {}
  PlainConnection plain;
  Clock::time_point idle_since;
};

HttpClient::HttpClient(Endpoint endpoint, ClientOptions options, HttpClientOptions reuse)
    : endpoint_(std::move(endpoint)), options_(options), reuse_(reuse) {}

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Connection> HttpClient::TakeIdle() {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = Clock::now();
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    if (now - c->idle_since < reuse_.idle_timeout) return c;
    // Too old: the server may be closing it; so are the older ones below it.
    idle_.clear();
  }
  return nullptr;
}

Result<HttpResponse> HttpClient::Call(const HttpRequest& request, Repeat repeat) {
  const bool may_repeat = repeat == Repeat::kYes || request.method == "GET" ||
                          request.method == "HEAD" || request.method == "OPTIONS";
  const auto deadline = Clock::now() + options_.timeout;  // for both attempts together
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> c = attempt == 0 ? TakeIdle() : nullptr;
    const bool reused = c != nullptr;
    if (!c) c = std::make_unique<Connection>(endpoint_);
    ExchangeInfo info;
    auto r = c->plain.Call(request, options_, deadline, /*keep_alive=*/true, &info);
    if (r.ok()) {
      if (info.reusable) {
        c->idle_since = Clock::now();
        std::lock_guard<std::mutex> lock(mu_);
        if (idle_.size() < reuse_.max_idle) idle_.push_back(std::move(c));
      }
      return r;
    }
    // A kept connection the server closed meanwhile: once more on a new one.
    if (!reused || !info.retryable || !may_repeat) return r;
  }
}

Result<HttpResponse> HttpsCall(const Endpoint& endpoint, const HttpRequest& request,
                               const TlsClientOptions& options) {
  if (endpoint.is_unix()) {
    return InvalidArgument("TLS needs a TCP endpoint, not " + endpoint.ToString());
  }
  if (!options.check_server) {
    return InvalidArgument("no check_server for " + endpoint.ToString() +
                           "; refusing TLS without authenticating the server");
  }
  if (options.certificate_pem.empty() != options.private_key_pem.empty()) {
    return InvalidArgument("a client certificate needs its private key, and a key its certificate");
  }

  // The server is authenticated by check_server, not by a CA: no chain verification here
  // (SSL_VERIFY_NONE still checks the server's CertificateVerify signature).
  asio::ssl::context ssl(asio::ssl::context::tls_client);
  SCONE_RETURN_IF_ERROR(tls_internal::ConfigureTls13(ssl.native_handle()));
  if (!options.certificate_pem.empty()) {
    SCONE_RETURN_IF_ERROR(tls_internal::UseCertificateAndKey(
        ssl.native_handle(), options.certificate_pem, options.private_key_pem, "client"));
  }
  std::string server_name = options.server_name.empty() ? endpoint.host : options.server_name;

  SCONE_ASSIGN_OR_RETURN(auto addresses, Resolve(endpoint));
  asio::io_context ioc;  // never run: the exchange is synchronous
  beast::ssl_stream<DeadlineSocket> stream(ioc, ssl);
  // RFC 6066: SNI carries host names only. (SSL_set_tlsext_host_name, without the macro's
  // C cast.)
  if (!IsIpAddress(server_name) && SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                            TLSEXT_NAMETYPE_host_name, server_name.data()) != 1) {
    return crypto::OpenSslError("setting the TLS server name", Code::kInvalidArgument);
  }
  DeadlineSocket& socket = stream.next_layer();
  socket.set_deadline(Clock::now() + options.base.timeout);
  if (auto ec = socket.ConnectTcp(addresses)) return ExchangeError("connect to", endpoint, ec);
  beast::error_code ec;
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return ExchangeError("make a TLS handshake with", endpoint, ec);
  SCONE_ASSIGN_OR_RETURN(Bytes der, tls_internal::PeerCertificateDer(stream.native_handle()));
  if (der.empty()) {
    return Status(Code::kVerificationFailed, endpoint.ToString() + " sent no TLS certificate");
  }
  SCONE_RETURN_IF_ERROR(options.check_server(der));
  return Exchange(stream, endpoint, server_name, request, options.base);
}

ServerCertificateCheck PinServerKeyHash(std::string expected_key_hash) {
  return [expected = std::move(expected_key_hash)](ByteView der) -> Status {
    SCONE_ASSIGN_OR_RETURN(auto cert, crypto::ParseCertificateDer(der));
    SCONE_ASSIGN_OR_RETURN(auto actual, crypto::KeyHashOfCertificate(cert.get()));
    if (!ConstantTimeEquals(AsBytes(actual), AsBytes(expected))) {
      return VerificationFailed("the server's key hash is " + actual + ", expected " + expected);
    }
    return Status::Ok();
  };
}

}  // namespace scone::net
