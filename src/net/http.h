// Plain HTTP/1.1 messages and endpoints shared by the server and the client.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/status.h"

namespace scone::net {

// Bodies that carry a secret (a provisioning token, a database key, a seal key) are marked
// `sensitive`. Such a message wipes its body when it is freed or assigned over (also a
// moved-from one, which may keep bytes in its small-string buffer), and a sensitive request
// makes its exchange sensitive: the client marks the answer sensitive too. Independently of
// the mark, net wipes every buffer of its own that held message bytes (the server's and the
// client's read buffers, parsed bodies, serialized answers) before freeing it, since a
// server cannot know which request carries a secret before it has parsed it. A sensitive
// body is best built in one piece (or reserved first): a string that grows gives its old
// buffers back unwiped.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, e.g. "/v1/quote"
  std::string content_type;
  std::string body;
  bool sensitive = false;  // the body, or the answer's, carries a secret (see above)

  HttpRequest() = default;
  HttpRequest(std::string method_, std::string target_, std::string content_type_ = {},
              std::string body_ = {}, bool sensitive_ = false);
  HttpRequest(const HttpRequest& other) = default;
  HttpRequest(HttpRequest&& other) noexcept = default;
  HttpRequest& operator=(const HttpRequest& other);
  HttpRequest& operator=(HttpRequest&& other) noexcept;
  ~HttpRequest();
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool sensitive = false;  // the body carries a secret (see above)

  HttpResponse() = default;
  HttpResponse(unsigned status_, std::string content_type_, std::string body_ = {},
               bool sensitive_ = false);
  HttpResponse(const HttpResponse& other) = default;
  HttpResponse(HttpResponse&& other) noexcept = default;
  HttpResponse& operator=(const HttpResponse& other);
  HttpResponse& operator=(HttpResponse&& other) noexcept;
  ~HttpResponse();
};

// Wipes the whole buffer of `s` (its capacity, not only its size).
void WipeString(std::string& s);

// Where a server listens or a client connects: "unix:/path/to.sock" or "HOST:PORT"
// (HOST may be a name, an IPv4 address or a bracketed IPv6 address).
struct Endpoint {
  std::string unix_path;  // set for Unix sockets
  std::string host;       // set for TCP
  uint16_t port = 0;

  bool is_unix() const { return !unix_path.empty(); }
  std::string ToString() const;
};

// Parses an endpoint; `default_port` applies to "HOST" without a port.
Result<Endpoint> ParseEndpoint(std::string_view text, uint16_t default_port);

// Who sent a request. On a Unix socket: the process that wrote every byte of this request,
// as the kernel reports it with each write (SCM_CREDENTIALS), which is not necessarily the
// process that connected (a connection can be inherited or passed on); a request whose
// bytes came from two processes, or without credentials, is refused before any handler
// sees it. On TCP: the remote address, and for TLS connections the client's certificate.
struct PeerInfo {
  bool is_unix = false;
  pid_t pid = 0;        // Unix: the writer of this request
  uid_t uid = 0;        // Unix: its real user id
  std::string address;  // TCP: "ip:port"
  bool tls = false;     // accepted by a HttpServer::ListenTls listener
  // TLS: the client's leaf certificate (DER) if it sent one, else empty. The client proved
  // that it holds the certificate's private key, but nothing else in the certificate was
  // checked (see net/tls.h): authorize by its public key (crypto::KeyHashOfCertificate).
  Bytes client_certificate_der;
  // TLS: that certificate's SubjectPublicKeyInfo (DER, exactly as in the certificate), taken
  // from the certificate the handshake already parsed; empty without a certificate. Parsing
  // the DER again costs OpenSSL 3's key decoders on every request (docs/runtime.md
  // "Throughput"). A PeerInfo made outside the server may leave it empty while
  // client_certificate_der is set: read it through ClientKeySpkiDer.
  Bytes client_key_spki_der;
};

// The client certificate's SubjectPublicKeyInfo (DER): peer.client_key_spki_der, or, when a
// caller outside the server set only client_certificate_der, parsed from that. Empty without
// a client certificate; kInvalidArgument if the certificate does not parse.
Result<Bytes> ClientKeySpkiDer(const PeerInfo& peer);

// A JSON error body in the project's API convention: {"msg": [message]}.
HttpResponse ErrorResponse(unsigned status, const std::string& message);
// The text of an error answer in that convention: the "msg" strings joined with "; ", or
// "HTTP status N" when the body is not such an object. Not sanitised for terminals.
std::string ErrorMessageOf(const HttpResponse& response);
// The HTTP status that fits a Status code (400, 403, 404, 409, 412, 500, 503, ...).
unsigned HttpStatusFor(Code code);

}  // namespace scone::net
