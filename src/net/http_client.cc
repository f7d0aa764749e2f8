#include "net/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace scone::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

template <class Protocol, class Connect>
Result<HttpResponse> Exchange(const Endpoint& endpoint, const HttpRequest& request,
                              const ClientOptions& options, Connect connect) {
  asio::io_context ioc;
  beast::basic_stream<Protocol> stream(ioc);
  stream.expires_after(options.timeout);

  http::request<http::string_body> req(http::string_to_verb(request.method), request.target, 11);
  req.set(http::field::host, endpoint.is_unix() ? "localhost" : endpoint.host);
  if (!request.content_type.empty()) req.set(http::field::content_type, request.content_type);
  req.keep_alive(false);
  req.body() = request.body;
  req.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  beast::error_code result;
  const char* stage = "connect to";

  connect(stream, [&](beast::error_code ec) {
    if (ec) {
      result = ec;
      return;
    }
    stage = "send to";
    http::async_write(stream, req, [&](beast::error_code wec, size_t) {
      if (wec) {
        result = wec;
        return;
      }
      stage = "read from";
      http::async_read(stream, buffer, parser,
                       [&](beast::error_code rec, size_t) { result = rec; });
    });
  });
  ioc.run();

  if (result) {
    std::string m = std::string("cannot ") + stage + " " + endpoint.ToString() + ": " +
                    (result == beast::error::timeout ? std::string("timed out") : result.message());
    if (result == http::error::body_limit) return InvalidArgument(m);
    return Status(Code::kUnavailable, m);
  }
  auto res = parser.release();
  HttpResponse out;
  out.status = res.result_int();
  if (auto it = res.find(http::field::content_type); it != res.end()) {
    out.content_type.assign(it->value().data(), it->value().size());
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

Result<HttpResponse> HttpCall(const Endpoint& endpoint, const HttpRequest& request,
                              const ClientOptions& options) {
  if (endpoint.is_unix()) {
    using local = asio::local::stream_protocol;
    return Exchange<local>(endpoint, request, options, [&](auto& stream, auto done) {
      stream.async_connect(local::endpoint(endpoint.unix_path), done);
    });
  }
  using tcp = asio::ip::tcp;
  asio::io_context resolver_ctx;
  tcp::resolver resolver(resolver_ctx);
  boost::system::error_code ec;
  auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
  if (ec) {
    return Status(Code::kUnavailable, "cannot resolve " + endpoint.host + ": " + ec.message());
  }
  return Exchange<tcp>(endpoint, request, options, [&](auto& stream, auto done) {
    stream.async_connect(results,
                         [done](beast::error_code cec, const tcp::endpoint&) { done(cec); });
  });
}

}  // namespace scone::net
