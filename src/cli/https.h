// The one place where the CLI meets the HTTPS client of src/net: every `scone cas ...`
// request goes through an HttpsTransport, which is net::HttpsCall outside of tests.
//
// PENDING: net::TlsClientOptions and net::HttpsCall belong to src/net/tls.h and
// src/net/http_client.h, which are being written. Until they are merged, this header
// declares them exactly as announced and https.cc stands in for HttpsCall (it answers
// kUnavailable). After the merge, replace the block below by the two includes and delete
// the stand-in from https.cc; nothing else in src/cli changes.
#pragma once

#include <functional>
#include <string>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "net/http.h"
#include "net/http_client.h"

// ---- PENDING src/net/tls.h (see above) -------------------------------------------------
namespace scone::net {

struct TlsClientOptions {
  ClientOptions base;           // timeout, max_response_bytes
  std::string server_name;      // SNI; default the endpoint host
  std::string certificate_pem;  // client certificate sent when asked; empty = none
  SecretBytes private_key_pem;  // its key (PKCS#8 PEM)
  // Mandatory: called with the server's leaf certificate (DER) after the handshake and
  // BEFORE any request byte is sent; a non-OK status aborts and is returned unchanged.
  std::function<Status(ByteView server_certificate_der)> check_server;
};

// kUnavailable when the server cannot be reached / the handshake fails (retryable).
Result<HttpResponse> HttpsCall(const Endpoint& endpoint, const HttpRequest& request,
                               const TlsClientOptions& options);

}  // namespace scone::net
// ---- end PENDING -----------------------------------------------------------------------

namespace scone::cli {

// Sends one request over TLS; the contract of net::HttpsCall (check_server runs before any
// request byte leaves, and its refusal is returned unchanged).
using HttpsTransport = std::function<Result<net::HttpResponse>(
    const net::Endpoint&, const net::HttpRequest&, const net::TlsClientOptions&)>;

// net::HttpsCall.
HttpsTransport RealHttpsTransport();

}  // namespace scone::cli
