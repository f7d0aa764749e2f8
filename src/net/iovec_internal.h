// Plumbing shared by the server's Unix sessions (credential_stream_internal.h) and the client
// (http_client.cc), which both call sendmsg/recvmsg themselves. Not part of the net API.
#pragma once

#include <sys/uio.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <cstddef>

namespace scone::net::iovec_internal {

using Iovecs = std::array<iovec, 16>;

// The non-empty buffers of an Asio buffer sequence (mutable or const), as many as fit in
// `out`; returns how many. A read or write then moves at most that much, which Beast's
// read_some/write_some callers handle.
template <class Buffers>
size_t FromBuffers(const Buffers& buffers, Iovecs& out) {
  size_t count = 0;
  for (auto it = boost::asio::buffer_sequence_begin(buffers);
       it != boost::asio::buffer_sequence_end(buffers) && count < out.size(); ++it) {
    boost::asio::const_buffer b(*it);
    if (b.size() == 0) continue;
    out[count++] = {const_cast<void*>(b.data()), b.size()};  // NOLINT: iovec is not const
  }
  return count;
}

}  // namespace scone::net::iovec_internal
