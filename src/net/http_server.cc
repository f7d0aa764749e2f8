// HttpServer: its listeners (TCP, TLS, Unix socket files), accepting connections within the
// caps (server_connections.cc), and starting and stopping. A connection itself is served by
// server_session.cc; docs/net.md ("Files") says which file holds what.
#include "net/http_server.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <optional>
#include <system_error>
#include <type_traits>

#include "common/resource_limit.h"
#include "net/server_internal.h"

namespace scone::net {
namespace asio = boost::asio;
using server_internal::local;
using server_internal::tcp;

namespace {

// How long to wait before accepting again after running out of file descriptors or memory,
// when no connection could be closed to make room, and when some could.
constexpr std::chrono::milliseconds kAcceptBackoff{50};
constexpr std::chrono::milliseconds kAcceptRetry{2};
// How many waiting connections to close when accept runs out of descriptors.
constexpr size_t kEvictWhenStarved = 8;

// Whether accept failed because the process or system ran out of a resource: retrying at
// once would fail again (and spin) until some connection closes.
bool IsOutOfResources(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors ||                         // EMFILE
         ec == boost::system::errc::too_many_files_open_in_system ||  // ENFILE
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

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

template <class Acceptor>
void Accept(Acceptor& acceptor, HttpServer::Impl& server, std::shared_ptr<TlsServerContext> tls) {
  using Socket = typename Acceptor::protocol_type::socket::template rebind_executor<
      server_internal::Strand>::other;
  // Each connection gets its own strand: Beast requires a stream's operations (including
  // its timeout handler) never to run concurrently, and the io_context has several threads.
  acceptor.async_accept(
      asio::make_strand(server.ioc),
      [&acceptor, &server, tls](boost::system::error_code ec, Socket socket) mutable {
        if (ec == asio::error::operation_aborted) return;
        if (IsOutOfResources(ec)) {
          // Make room by closing connections that wait; without any, wait for one to end.
          size_t evicted = server_internal::EvictLongestWaiting(server, kEvictWhenStarved);
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
          if (server_internal::Admit(server, uid)) {
            if constexpr (std::is_same_v<Socket, server_internal::UnixSocket>) {
              server_internal::StartSession(std::move(socket), server, uid);
            } else {
              server_internal::StartSession(std::move(socket), server, tls.get(), uid);
            }
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
  for (const auto& lane : options.lanes)
    impl->lanes.push_back(std::make_unique<server_internal::LanePool>(lane));
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
