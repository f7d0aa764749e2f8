#include "net/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <utility>

#include "common/secret.h"
#include "crypto/key_hash.h"
#include "crypto/x509.h"
#include "net/tls_internal.h"

namespace scone::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// "cannot <stage> <endpoint>: <reason>"; kInvalidArgument for a response over the limit,
// else kUnavailable (the caller may retry).
Status ExchangeError(std::string_view stage, const Endpoint& endpoint,
                     const beast::error_code& ec) {
  std::string m = "cannot " + std::string(stage) + " " + endpoint.ToString() + ": " +
                  (ec == beast::error::timeout ? std::string("timed out") : ec.message());
  if (ec == http::error::body_limit) return InvalidArgument(m);
  return Status(Code::kUnavailable, m);
}

// Opens `stream` with `open` (connect; for TLS also the handshake and the server check),
// which calls its argument with the outcome; then sends `request` and reads the response.
// Everything runs on `ioc` and within options.timeout.
template <class Stream, class Open>
Result<HttpResponse> Exchange(asio::io_context& ioc, Stream& stream, const Endpoint& endpoint,
                              const std::string& host, const HttpRequest& request,
                              const ClientOptions& options, Open open) {
  beast::get_lowest_layer(stream).expires_after(options.timeout);

  http::request<http::string_body> req(http::string_to_verb(request.method), request.target, 11);
  req.set(http::field::host, host);
  if (!request.content_type.empty()) req.set(http::field::content_type, request.content_type);
  req.keep_alive(false);
  req.body() = request.body;
  req.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  Status result = Internal("the connection to " + endpoint.ToString() + " was never opened");

  open([&](Status opened) {
    result = std::move(opened);
    if (!result.ok()) return;
    http::async_write(stream, req, [&](beast::error_code wec, size_t) {
      if (wec) {
        result = ExchangeError("send to", endpoint, wec);
        return;
      }
      http::async_read(stream, buffer, parser, [&](beast::error_code rec, size_t) {
        if (rec) result = ExchangeError("read from", endpoint, rec);
      });
    });
  });
  ioc.run();

  SCONE_RETURN_IF_ERROR(result);
  auto res = parser.release();
  HttpResponse out;
  out.status = res.result_int();
  if (auto it = res.find(http::field::content_type); it != res.end()) {
    out.content_type.assign(it->value().data(), it->value().size());
  }
  out.body = std::move(res.body());
  return out;
}

Result<tcp::resolver::results_type> Resolve(const Endpoint& endpoint) {
  asio::io_context resolver_ctx;
  tcp::resolver resolver(resolver_ctx);
  boost::system::error_code ec;
  auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
  if (ec) {
    return Status(Code::kUnavailable, "cannot resolve " + endpoint.host + ": " + ec.message());
  }
  return results;
}

// Connects the TCP layer of `stream` to one of `addresses`, then calls `next(ec)`.
template <class Stream, class Next>
void ConnectTcp(Stream& stream, const tcp::resolver::results_type& addresses, Next next) {
  beast::get_lowest_layer(stream).async_connect(
      addresses,
      [&stream, next = std::move(next)](beast::error_code ec, const tcp::endpoint&) mutable {
        // Without this, the request after TLS's Finished waits for a delayed ACK (~40 ms).
        boost::system::error_code ignored;
        if (!ec) beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true), ignored);
        next(ec);
      });
}

bool IsIpAddress(const std::string& name) {
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  return !ec;
}

}  // namespace

Result<HttpResponse> HttpCall(const Endpoint& endpoint, const HttpRequest& request,
                              const ClientOptions& options) {
  asio::io_context ioc;
  if (endpoint.is_unix()) {
    using local = asio::local::stream_protocol;
    beast::basic_stream<local> stream(ioc);
    return Exchange(ioc, stream, endpoint, "localhost", request, options, [&](auto done) {
      stream.async_connect(local::endpoint(endpoint.unix_path), [&, done](beast::error_code ec) {
        done(ec ? ExchangeError("connect to", endpoint, ec) : Status::Ok());
      });
    });
  }
  SCONE_ASSIGN_OR_RETURN(auto addresses, Resolve(endpoint));
  beast::tcp_stream stream(ioc);
  return Exchange(ioc, stream, endpoint, endpoint.host, request, options, [&](auto done) {
    ConnectTcp(stream, addresses, [&, done](beast::error_code ec) {
      done(ec ? ExchangeError("connect to", endpoint, ec) : Status::Ok());
    });
  });
}

Result<HttpResponse> HttpsCall(const Endpoint& endpoint, const HttpRequest& request,
                               const TlsClientOptions& options) {
  if (endpoint.is_unix()) {
    return InvalidArgument("TLS needs a TCP endpoint, not " + endpoint.ToString());
  }
  if (!options.check_server) {
    return InvalidArgument("no check_server for " + endpoint.ToString() +
                           "; refusing TLS without authenticating the server");
  }
  if (options.certificate_pem.empty() != options.private_key_pem.empty()) {
    return InvalidArgument("a client certificate needs its private key, and a key its certificate");
  }

  // The server is authenticated by check_server, not by a CA: no chain verification here
  // (SSL_VERIFY_NONE still checks the server's CertificateVerify signature).
  asio::ssl::context ssl(asio::ssl::context::tls_client);
  SCONE_RETURN_IF_ERROR(tls_internal::ConfigureTls13(ssl.native_handle()));
  if (!options.certificate_pem.empty()) {
    SCONE_RETURN_IF_ERROR(tls_internal::UseCertificateAndKey(
        ssl.native_handle(), options.certificate_pem, options.private_key_pem, "client"));
  }
  std::string server_name = options.server_name.empty() ? endpoint.host : options.server_name;

  SCONE_ASSIGN_OR_RETURN(auto addresses, Resolve(endpoint));
  asio::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ssl);
  // RFC 6066: SNI carries host names only. (SSL_set_tlsext_host_name, without the macro's
  // C cast.)
  if (!IsIpAddress(server_name) && SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                            TLSEXT_NAMETYPE_host_name, server_name.data()) != 1) {
    return crypto::OpenSslError("setting the TLS server name", Code::kInvalidArgument);
  }
  return Exchange(ioc, stream, endpoint, server_name, request, options.base, [&](auto done) {
    ConnectTcp(stream, addresses, [&, done](beast::error_code ec) {
      if (ec) return done(ExchangeError("connect to", endpoint, ec));
      stream.async_handshake(asio::ssl::stream_base::client, [&, done](beast::error_code hec) {
        if (hec) return done(ExchangeError("make a TLS handshake with", endpoint, hec));
        auto der = tls_internal::PeerCertificateDer(stream.native_handle());
        if (!der.ok()) return done(der.status());
        if (der->empty()) {
          return done(
              Status(Code::kVerificationFailed, endpoint.ToString() + " sent no TLS certificate"));
        }
        done(options.check_server(*der));
      });
    });
  });
}

ServerCertificateCheck PinServerKeyHash(std::string expected_key_hash) {
  return [expected = std::move(expected_key_hash)](ByteView der) -> Status {
    SCONE_ASSIGN_OR_RETURN(auto cert, crypto::ParseCertificateDer(der));
    SCONE_ASSIGN_OR_RETURN(auto actual, crypto::KeyHashOfCertificate(cert.get()));
    if (!ConstantTimeEquals(AsBytes(actual), AsBytes(expected))) {
      return VerificationFailed("the server's key hash is " + actual + ", expected " + expected);
    }
    return Status::Ok();
  };
}

}  // namespace scone::net
