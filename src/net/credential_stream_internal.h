// The server's side of a Unix stream connection that attributes every read to the process
// that wrote the bytes (docs/net.md, "Unix sockets: who wrote the request"). Used by the
// server's sessions (server_session.cc). Not part of the net API.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include "common/status.h"
#include "net/iovec_internal.h"

namespace scone::net::server_internal {
namespace asio = boost::asio;

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

}  // namespace scone::net::server_internal
