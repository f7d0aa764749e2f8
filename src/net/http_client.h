// A minimal blocking HTTP/1.1 client over TCP or a Unix socket (Boost.Beast), for talking
// to local services such as `las`. One request per connection; the whole exchange is
// bounded by `timeout`, and the response body by `max_response_bytes`.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"
#include "net/http.h"

namespace scone::net {

struct ClientOptions {
  std::chrono::milliseconds timeout{10000};
  size_t max_response_bytes = 4 << 20;
};

// Sends `request` to `endpoint`. kUnavailable if the server cannot be reached or does not
// answer in time (the caller may retry); kInvalidArgument for a malformed response. Any
// HTTP status is a successful exchange: check HttpResponse::status.
Result<HttpResponse> HttpCall(const Endpoint& endpoint, const HttpRequest& request,
                              const ClientOptions& options = {});

}  // namespace scone::net
