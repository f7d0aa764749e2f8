// The one place where the CLI meets the HTTPS client of src/net: every `scone cas ...`
// request goes through an HttpsTransport, which is net::HttpsCall outside of tests.
#pragma once

#include <functional>

#include "common/status.h"
#include "net/http.h"
#include "net/http_client.h"

namespace scone::cli {

// Sends one request over TLS; the contract of net::HttpsCall (check_server runs before any
// request byte leaves, and its refusal is returned unchanged).
using HttpsTransport = std::function<Result<net::HttpResponse>(
    const net::Endpoint&, const net::HttpRequest&, const net::TlsClientOptions&)>;

// net::HttpsCall.
HttpsTransport RealHttpsTransport();

}  // namespace scone::cli
