#include "net/http.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/secret.h"
#include "crypto/x509.h"

namespace scone::net {

void WipeString(std::string& s) { WipeMemory(s.data(), s.capacity()); }

HttpRequest::HttpRequest(std::string method_, std::string target_, std::string content_type_,
                         std::string body_, bool sensitive_)
    : method(std::move(method_)),
      target(std::move(target_)),
      content_type(std::move(content_type_)),
      body(std::move(body_)),
      sensitive(sensitive_) {}

HttpRequest& HttpRequest::operator=(const HttpRequest& other) {
  if (this == &other) return *this;
  if (sensitive) WipeString(body);
  method = other.method;
  target = other.target;
  content_type = other.content_type;
  body = other.body;
  sensitive = other.sensitive;
  return *this;
}

HttpRequest& HttpRequest::operator=(HttpRequest&& other) noexcept {
  if (this == &other) return *this;
  if (sensitive) WipeString(body);
  method = std::move(other.method);
  target = std::move(other.target);
  content_type = std::move(other.content_type);
  body = std::move(other.body);
  sensitive = other.sensitive;
  return *this;
}

HttpRequest::~HttpRequest() {
  if (sensitive) WipeString(body);
}

HttpResponse::HttpResponse(unsigned status_, std::string content_type_, std::string body_,
                           bool sensitive_)
    : status(status_),
      content_type(std::move(content_type_)),
      body(std::move(body_)),
      sensitive(sensitive_) {}

HttpResponse& HttpResponse::operator=(const HttpResponse& other) {
  if (this == &other) return *this;
  if (sensitive) WipeString(body);
  status = other.status;
  content_type = other.content_type;
  body = other.body;
  sensitive = other.sensitive;
  return *this;
}

HttpResponse& HttpResponse::operator=(HttpResponse&& other) noexcept {
  if (this == &other) return *this;
  if (sensitive) WipeString(body);
  status = other.status;
  content_type = std::move(other.content_type);
  body = std::move(other.body);
  sensitive = other.sensitive;
  return *this;
}

HttpResponse::~HttpResponse() {
  if (sensitive) WipeString(body);
}

std::string Endpoint::ToString() const {
  if (is_unix()) return "unix:" + unix_path;
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Endpoint> ParseEndpoint(std::string_view text, uint16_t default_port) {
  Endpoint e;
  if (text.rfind("unix:", 0) == 0) {
    e.unix_path = std::string(text.substr(5));
    if (e.unix_path.empty()) return InvalidArgument("empty Unix socket path in \"unix:\"");
    return e;
  }
  if (text.empty()) return InvalidArgument("empty address; use HOST:PORT or unix:PATH");
  std::string_view host = text;
  std::string_view port;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return InvalidArgument("missing ']' in address");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return InvalidArgument("expected ':' after ']' in address");
      port = rest.substr(1);
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) {
      return InvalidArgument("an IPv6 address needs brackets, e.g. [::1]:18766");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return InvalidArgument("missing host in address \"" + std::string(text) + "\"");
  e.host = std::string(host);
  e.port = default_port;
  if (!port.empty()) {
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || ptr != port.data() + port.size() || v > 65535) {
      return InvalidArgument("invalid port \"" + std::string(port) + "\"");
    }
    e.port = static_cast<uint16_t>(v);
  }
  return e;
}

Result<Bytes> ClientKeySpkiDer(const PeerInfo& peer) {
  if (!peer.client_key_spki_der.empty() || peer.client_certificate_der.empty()) {
    return peer.client_key_spki_der;
  }
  auto cert = crypto::ParseCertificateDer(peer.client_certificate_der);
  if (!cert.ok()) return InvalidArgument("the TLS client certificate does not parse");
  return crypto::CertificateSpkiDer(cert->get());
}

HttpResponse ErrorResponse(unsigned status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  // A message may quote client input that is not UTF-8; it is replaced, never a throw.
  r.body = nlohmann::json{{"msg", nlohmann::json::array({message})}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

std::string ErrorMessageOf(const HttpResponse& response) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string text;
  if (body.is_object() && body.contains("msg")) {
    const nlohmann::json& msg = body["msg"];
    if (msg.is_string()) text = msg.get<std::string>();
    if (msg.is_array()) {
      for (const auto& m : msg) {
        if (!m.is_string()) continue;
        if (!text.empty()) text += "; ";
        text += m.get<std::string>();
      }
    }
  }
  if (text.empty()) text = "HTTP status " + std::to_string(response.status);
  return text;
}

unsigned HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 412;
    case Code::kVerificationFailed:
    case Code::kPolicyRejected:
      return 403;
    case Code::kUnavailable:
      return 503;
    case Code::kDataLoss:
    case Code::kIoError:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace scone::net
