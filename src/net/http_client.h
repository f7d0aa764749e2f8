// A minimal blocking HTTP/1.1 client over TCP, TLS 1.3 or a Unix socket (Boost.Beast), for
// talking to local services such as `las` (HttpCall, HttpClient) and to the CAS
// (HttpsCall). HttpCall and HttpsCall make one request per connection; HttpClient keeps
// connections open between calls. Each exchange is bounded by `timeout`, and the response
// body by `max_response_bytes`. Name resolution happens before and is not bounded.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "net/http.h"

namespace scone::net {

struct ClientOptions {
  std::chrono::milliseconds timeout{10000};
  size_t max_response_bytes = 4 << 20;
};

// Sends `request` to `endpoint`. kUnavailable if the server cannot be reached or does not
// answer in time (the caller may retry); kInvalidArgument for a response body over the
// limit. Any HTTP status is a successful exchange: check HttpResponse::status.
Result<HttpResponse> HttpCall(const Endpoint& endpoint, const HttpRequest& request,
                              const ClientOptions& options = {});

struct HttpClientOptions {
  // Connections kept open between calls, at most, and for at most this long: shorter than
  // the server's read timeout (net::ServerOptions, 5 s by default), after which the server
  // closes an idle connection.
  size_t max_idle = 4;
  std::chrono::milliseconds idle_timeout{2000};
};

// Plain HTTP/1.1 with keep-alive to one endpoint (Unix or TCP), for a program that calls a
// local service often, such as CAS calling las: a kept connection saves the connection set-up
// and the server's per-connection work. Thread-safe; concurrent calls use separate
// connections. Errors as HttpCall; options.timeout bounds a whole call.
class HttpClient {
 public:
  explicit HttpClient(Endpoint endpoint, ClientOptions options = {}, HttpClientOptions reuse = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Whether a request may be sent twice. A request on a kept connection that fails before
  // any byte of the response arrives (most likely the server closed the connection
  // meanwhile, but it may also have run the request and then failed) is sent once more on
  // a new connection if it may be repeated: GET, HEAD and OPTIONS, or any request with kYes.
  enum class Repeat { kIfSafeMethod, kYes };
  Result<HttpResponse> Call(const HttpRequest& request, Repeat repeat = Repeat::kIfSafeMethod);
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct Connection;
  std::unique_ptr<Connection> TakeIdle();

  Endpoint endpoint_;
  ClientOptions options_;
  HttpClientOptions reuse_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // the most recently used last
};

// Checks the server's leaf certificate (DER) after the TLS handshake; see TlsClientOptions.
using ServerCertificateCheck = std::function<Status(ByteView server_certificate_der)>;

struct TlsClientOptions {
  ClientOptions base;  // timeout (for connect, handshake, check and exchange together), limits
  // The server's name for SNI and the Host header; empty means the endpoint's host. SNI is
  // not sent for an IP address.
  std::string server_name;
  // A client certificate (PEM; the leaf first, then any intermediates) and its private key
  // (unencrypted PKCS#8 PEM), sent when the server asks for one; both empty for none.
  std::string certificate_pem;
  SecretBytes private_key_pem;
  // Mandatory. Called with the server's leaf certificate after the handshake and before any
  // byte of the request is sent; a non-OK status aborts the call and is returned unchanged.
  // There is no CA-based verification: this check is what authenticates the server, e.g.
  // by pinning its key (PinServerKeyHash). The handshake has already proven that the server
  // holds the private key of this certificate.
  ServerCertificateCheck check_server;
};

// Sends `request` to the TCP `endpoint` over TLS 1.3 and returns the response. Errors as
// HttpCall; also kUnavailable, with OpenSSL's reason, for a failed handshake (e.g. a server
// without TLS 1.3), kInvalidArgument for a Unix socket endpoint, a missing check_server or
// unusable client credentials, and check_server's status if it rejects the server.
Result<HttpResponse> HttpsCall(const Endpoint& endpoint, const HttpRequest& request,
                               const TlsClientOptions& options);

// A check_server that accepts exactly the server key with SCONE key hash
// `expected_key_hash` (Base58Check(0x01 || SHA-256(SPKI DER)), crypto/key_hash.h), and
// fails with kVerificationFailed, naming both hashes, for any other key.
ServerCertificateCheck PinServerKeyHash(std::string expected_key_hash);

}  // namespace scone::net
