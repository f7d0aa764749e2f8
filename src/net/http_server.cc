#include "net/http_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace scone::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

// Declaration order matters for destruction: the io_context destroys pending sessions,
// which use `handler`, `options` and `connections`, so those are declared before it, and
// the acceptors, which use the io_context, after it.
struct HttpServer::Impl {
  HttpHandler handler;
  ServerOptions options;
  std::atomic<size_t> connections{0};
  uint16_t tcp_port = 0;
  bool started = false;
  bool stopped = false;
  asio::io_context ioc;
  std::vector<std::unique_ptr<tcp::acceptor>> tcp_acceptors;
  std::vector<std::unique_ptr<local::acceptor>> unix_acceptors;
  std::vector<std::filesystem::path> unix_paths;
  std::vector<std::thread> threads;
};

namespace {

PeerInfo PeerOf(tcp::socket& s) {
  PeerInfo p;
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (!ec) p.address = ep.address().to_string() + ":" + std::to_string(ep.port());
  return p;
}

PeerInfo PeerOf(local::socket& s) {
  PeerInfo p;
  p.is_unix = true;
  struct ucred cred {};
  socklen_t len = sizeof(cred);
  if (::getsockopt(s.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    p.pid = cred.pid;
    p.uid = cred.uid;
  }
  return p;
}

template <class Protocol>
class Session : public std::enable_shared_from_this<Session<Protocol>> {
 public:
  using Socket = typename Protocol::socket;
  Session(Socket socket, HttpServer::Impl& server)
      : peer_(PeerOf(socket)), stream_(std::move(socket)), server_(server) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { server_.connections.fetch_sub(1); }

  void Run() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(server_.options.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Reply(
          ErrorResponse(413, "request body larger than " +
                                 std::to_string(server_.options.max_body_bytes) + " bytes"),
          false);
    }
    if (ec) return Reply(ErrorResponse(400, "malformed HTTP request"), false);

    auto req = parser_->release();
    HttpRequest r;
    auto method = req.method_string();
    r.method.assign(method.data(), method.size());
    auto target = req.target();
    r.target.assign(target.data(), target.size());
    if (auto it = req.find(http::field::content_type); it != req.end()) {
      r.content_type.assign(it->value().data(), it->value().size());
    }
    r.body = std::move(req.body());
    HttpResponse response;
    try {
      response = server_.handler(r, peer_);
    } catch (const std::exception&) {
      response = ErrorResponse(500, "internal error");
    }
    // A Unix socket peer is identified by the pid that connected; after a fork that pid may
    // end up naming another process, so every request gets its own connection.
    Reply(std::move(response), req.keep_alive() && !peer_.is_unix);
  }

  void Reply(HttpResponse r, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-store");
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    stream_.expires_after(server_.options.read_timeout);
    http::async_write(
        stream_, *res,
        [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
          if (ec || !keep_alive) return self->Close();
          self->Read();
        });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(Socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  PeerInfo peer_;
  beast::basic_stream<Protocol> stream_;
  beast::flat_buffer buffer_{8192};
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl& server_;
};

template <class Acceptor>
void Accept(Acceptor& acceptor, HttpServer::Impl& server) {
  // Each connection gets its own strand: Beast requires a stream's operations (including
  // its timeout handler) never to run concurrently, and the io_context has several threads.
  acceptor.async_accept(asio::make_strand(server.ioc),
                        [&acceptor, &server](boost::system::error_code ec, auto socket) {
                          if (ec == asio::error::operation_aborted) return;
                          if (!ec) {
                            if (server.connections.fetch_add(1) >= server.options.max_connections) {
                              server.connections.fetch_sub(1);
                              boost::system::error_code ignored;
                              socket.close(ignored);
                            } else {
                              using Protocol =
                                  typename std::decay_t<decltype(socket)>::protocol_type;
                              std::make_shared<Session<Protocol>>(std::move(socket), server)->Run();
                            }
                          }
                          Accept(acceptor, server);
                        });
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::New(HttpHandler handler, ServerOptions options) {
  if (!handler) return InvalidArgument("no handler");
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->options = options;
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
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return IoError("cannot listen on " + path.string() + ": " + ec.message());
    if (::chmod(path.c_str(), unix_mode) != 0) {
      return IoError("cannot set the mode of " + path.string());
    }
    impl_->unix_acceptors.push_back(std::move(acceptor));
    impl_->unix_paths.push_back(path);
    return Status::Ok();
  }
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (ec) {
    return InvalidArgument("cannot listen on \"" + endpoint.host + "\": not an IP address (" +
                           ec.message() + ")");
  }
  auto acceptor = std::make_unique<tcp::acceptor>(impl_->ioc);
  tcp::endpoint ep(address, endpoint.port);
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return IoError("cannot listen on " + endpoint.ToString() + ": " + ec.message());
  impl_->tcp_port = acceptor->local_endpoint().port();
  impl_->tcp_acceptors.push_back(std::move(acceptor));
  return Status::Ok();
}

uint16_t HttpServer::bound_tcp_port() const { return impl_->tcp_port; }

void HttpServer::Start() {
  if (impl_->started) return;
  impl_->started = true;
  for (auto& a : impl_->tcp_acceptors) Accept(*a, *impl_);
  for (auto& a : impl_->unix_acceptors) Accept(*a, *impl_);
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
  boost::system::error_code ec;
  for (auto& a : impl_->tcp_acceptors) a->close(ec);
  for (auto& a : impl_->unix_acceptors) a->close(ec);
  for (auto& p : impl_->unix_paths) ::unlink(p.c_str());
}

}  // namespace scone::net
