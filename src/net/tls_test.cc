// TLS: TlsServerContext, HttpServer::ListenTls and HttpsCall, against each other, against
// hand-made Boost/OpenSSL clients and against curl.
#include "net/tls.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "net/http_client.h"
#include "net/http_server.h"

namespace scone::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A self-signed P-256 certificate and its key, in the encodings the API takes.
struct Identity {
  crypto::EvpPkeyPtr key;
  crypto::X509Ptr cert;
  std::string cert_pem;
  SecretBytes key_pem;
  Bytes cert_der;
  std::string key_hash;
};

Identity MakeIdentity(const std::string& name) {
  Identity id;
  auto key = crypto::GenerateEcP256Key();
  EXPECT_TRUE(key.ok());
  id.key = std::move(key).value();
  crypto::CertificateOptions o;
  o.common_name = name;
  o.not_before = 1700000000;
  o.not_after = 4000000000;
  o.subject_alt_names = {"DNS:localhost", "IP:127.0.0.1"};
  auto cert = crypto::CreateCertificate(id.key.get(), id.key.get(), nullptr, o);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  id.cert = std::move(cert).value();
  id.cert_pem = *crypto::CertificateToPem(id.cert.get());
  id.key_pem = *crypto::PrivateKeyToPkcs8Pem(id.key.get());
  id.cert_der = *crypto::CertificateToDer(id.cert.get());
  id.key_hash = *crypto::KeyHashOfCertificate(id.cert.get());
  return id;
}

// A connected TCP socket to 127.0.0.1:port whose reads give up after 10 s.
int ConnectTcp(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {  // NOLINT
    close(fd);
    return -1;
  }
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Reads until the server closes the connection; returns what it sent, or nullopt if it did
// not close within 10 s.
std::optional<std::string> ReadUntilClosed(int fd) {
  std::string got;
  char buf[512];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return got;
    if (n < 0) return std::nullopt;
    got.append(buf, static_cast<size_t>(n));
  }
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_id_ = MakeIdentity("cas");
    client_id_ = MakeIdentity("user");
    auto tls = TlsServerContext::New(server_id_.cert_pem, server_id_.key_pem);
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    tls_ = *tls;
    ServerOptions o;
    o.read_timeout = std::chrono::milliseconds(500);
    o.first_request_timeout = std::chrono::milliseconds(500);
    auto s = HttpServer::New(
        [this](const HttpRequest& req, const PeerInfo& peer) {
          calls_.fetch_add(1);
          {
            std::lock_guard lock(mu_);
            last_peer_ = peer;
          }
          HttpResponse r;
          r.content_type = "text/plain";
          r.body = req.method + " " + req.target + " " + req.body +
                   " tls=" + std::to_string(peer.tls) +
                   " cert=" + std::to_string(peer.client_certificate_der.size());
          return r;
        },
        o);
    ASSERT_TRUE(s.ok());
    server_ = std::move(s).value();
    ASSERT_TRUE(server_->ListenTls(*ParseEndpoint("127.0.0.1:0", 0), tls_).ok());
    port_ = server_->bound_tcp_port();
    endpoint_ = *ParseEndpoint("127.0.0.1:" + std::to_string(port_), 0);
    server_->Start();
  }
  void TearDown() override { server_.reset(); }  // before the handler's state goes

  // Options that accept the server only if its certificate is `expected_der`.
  TlsClientOptions ClientFor(const Bytes& expected_der) {
    TlsClientOptions o;
    o.base.timeout = std::chrono::milliseconds(5000);
    o.check_server = [this, expected_der](ByteView der) {
      checks_.fetch_add(1);
      if (!std::equal(der.begin(), der.end(), expected_der.begin(), expected_der.end())) {
        return VerificationFailed("unexpected server certificate");
      }
      return Status::Ok();
    };
    return o;
  }

  PeerInfo LastPeer() {
    std::lock_guard lock(mu_);
    return last_peer_;
  }

  Identity server_id_, client_id_;
  std::shared_ptr<TlsServerContext> tls_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  Endpoint endpoint_;
  std::atomic<int> calls_{0};
  std::atomic<int> checks_{0};
  std::mutex mu_;
  PeerInfo last_peer_;
};

TEST_F(TlsServerTest, ServesHttpsAndShowsTheClientCertificate) {
  TlsClientOptions o = ClientFor(server_id_.cert_der);
  o.certificate_pem = client_id_.cert_pem;
  o.private_key_pem = client_id_.key_pem;
  auto r = HttpsCall(endpoint_, {"POST", "/v1/x", "text/plain", "hello"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "POST /v1/x hello tls=1 cert=" + std::to_string(client_id_.cert_der.size()));
  EXPECT_EQ(checks_.load(), 1);
  PeerInfo peer = LastPeer();
  EXPECT_TRUE(peer.tls);
  EXPECT_FALSE(peer.is_unix);
  EXPECT_EQ(peer.client_certificate_der, client_id_.cert_der);
  auto cert = crypto::ParseCertificateDer(peer.client_certificate_der);
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(*crypto::KeyHashOfCertificate(cert->get()), client_id_.key_hash);
  // The key as the certificate carries it, without parsing the certificate again.
  EXPECT_EQ(crypto::KeyHashFromSpkiDer(peer.client_key_spki_der), client_id_.key_hash);
  auto spki = ClientKeySpkiDer(peer);
  ASSERT_TRUE(spki.ok());
  EXPECT_EQ(*spki, peer.client_key_spki_der);
}

TEST(ClientKeySpkiDer, ParsesTheCertificateOnlyWhenTheServerDidNotFillItIn) {
  Identity id = MakeIdentity("user");
  PeerInfo peer;
  auto none = ClientKeySpkiDer(peer);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  peer.client_certificate_der = id.cert_der;
  auto parsed = ClientKeySpkiDer(peer);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(crypto::KeyHashFromSpkiDer(*parsed), id.key_hash);
  peer.client_certificate_der = Bytes{0x30, 0x03, 0x02, 0x01, 0x01};
  EXPECT_EQ(ClientKeySpkiDer(peer).status().code(), Code::kInvalidArgument);
}

TEST_F(TlsServerTest, ClientWithoutCertificateIsServedWithEmptyCertificate) {
  auto r = HttpsCall(endpoint_, {"GET", "/y", "", ""}, ClientFor(server_id_.cert_der));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "GET /y  tls=1 cert=0");
  EXPECT_TRUE(LastPeer().tls);
  EXPECT_TRUE(LastPeer().client_certificate_der.empty());
}

TEST_F(TlsServerTest, CheckServerSeesTheServerLeaf) {
  Bytes seen;
  TlsClientOptions o;
  o.check_server = [&seen](ByteView der) {
    seen.assign(der.begin(), der.end());
    return Status::Ok();
  };
  ASSERT_TRUE(HttpsCall(endpoint_, {"GET", "/", "", ""}, o).ok());
  EXPECT_EQ(seen, server_id_.cert_der);
}

TEST_F(TlsServerTest, FailingCheckAbortsBeforeTheRequestAndIsReturnedAsIs) {
  TlsClientOptions o;
  o.check_server = [](ByteView) { return PermissionDenied("not my CAS"); };
  auto r = HttpsCall(endpoint_, {"POST", "/", "text/plain", "secret"}, o);
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(r.status().message(), "not my CAS");
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(TlsServerTest, PinServerKeyHashAcceptsOnlyThatKey) {
  TlsClientOptions o;
  o.check_server = PinServerKeyHash(server_id_.key_hash);
  auto r = HttpsCall(endpoint_, {"GET", "/", "", ""}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(calls_.load(), 1);
  o.check_server = PinServerKeyHash(client_id_.key_hash);
  EXPECT_EQ(HttpsCall(endpoint_, {"GET", "/", "", ""}, o).status().code(),
            Code::kVerificationFailed);
  o.check_server = PinServerKeyHash("not a key hash");
  EXPECT_EQ(HttpsCall(endpoint_, {"GET", "/", "", ""}, o).status().code(),
            Code::kVerificationFailed);
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(TlsServerTest, RefusesCallsWithoutServerCheckOrOverUnixSockets) {
  TlsClientOptions o;
  EXPECT_EQ(HttpsCall(endpoint_, {"GET", "/", "", ""}, o).status().code(), Code::kInvalidArgument);
  o = ClientFor(server_id_.cert_der);
  EXPECT_EQ(HttpsCall({"/tmp/none.sock", "", 0}, {"GET", "/", "", ""}, o).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(checks_.load(), 0);
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(TlsServerTest, RefusesClientKeyThatDoesNotMatchItsCertificate) {
  TlsClientOptions o = ClientFor(server_id_.cert_der);
  o.certificate_pem = client_id_.cert_pem;
  o.private_key_pem = server_id_.key_pem;
  EXPECT_EQ(HttpsCall(endpoint_, {"GET", "/", "", ""}, o).status().code(), Code::kInvalidArgument);
  o.private_key_pem = SecretBytes();
  EXPECT_EQ(HttpsCall(endpoint_, {"GET", "/", "", ""}, o).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(calls_.load(), 0);
}

// Handshakes with a client context whose highest version is `max_version`.
beast::error_code HandshakeWithMaxVersion(uint16_t port, int max_version) {
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  EXPECT_EQ(SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version), 1);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::error_code ec;
  beast::get_lowest_layer(stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                          ec);
  if (ec) return ec;
  stream.handshake(asio::ssl::stream_base::client, ec);
  return ec;
}

TEST_F(TlsServerTest, RefusesTls12Client) {
  EXPECT_TRUE(HandshakeWithMaxVersion(port_, TLS1_2_VERSION));
  EXPECT_FALSE(HandshakeWithMaxVersion(port_, TLS1_3_VERSION));
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(TlsServerTest, PlainHttpIsDroppedWithoutBlockingOthers) {
  int fd = ConnectTcp(port_);
  ASSERT_GE(fd, 0);
  const char request[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_GT(write(fd, request, sizeof(request) - 1), 0);
  auto r = HttpsCall(endpoint_, {"GET", "/", "", ""}, ClientFor(server_id_.cert_der));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = ReadUntilClosed(fd);
  close(fd);
  ASSERT_TRUE(got.has_value()) << "the server did not close the plain connection";
  EXPECT_EQ(got->find("HTTP/1.1"), std::string::npos);
  EXPECT_EQ(calls_.load(), 1);  // only the HTTPS call
}

TEST_F(TlsServerTest, SilentClientIsDroppedAfterTheReadTimeoutWhileOthersAreServed) {
  int silent = ConnectTcp(port_);  // never starts a handshake
  ASSERT_GE(silent, 0);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    auto r = HttpsCall(endpoint_, {"GET", "/", "", ""}, ClientFor(server_id_.cert_der));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  auto got = ReadUntilClosed(silent);
  close(silent);
  ASSERT_TRUE(got.has_value()) << "the server did not drop the silent client";
  EXPECT_TRUE(got->empty());
  // Dropped by the timeout, not at once (a lower bound only: timings never gate tests).
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
}

TEST_F(TlsServerTest, ReplaceServesTheNewCertificateToNewConnections) {
  // A connection made before Replace keeps working with the old certificate.
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  beast::ssl_stream<beast::tcp_stream> old(ioc, ctx);
  beast::get_lowest_layer(old).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  old.handshake(asio::ssl::stream_base::client);

  Identity next = MakeIdentity("cas-2");
  ASSERT_TRUE(tls_->Replace(next.cert_pem, next.key_pem).ok());
  auto r = HttpsCall(endpoint_, {"GET", "/", "", ""}, ClientFor(next.cert_der));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(
      HttpsCall(endpoint_, {"GET", "/", "", ""}, ClientFor(server_id_.cert_der)).status().code(),
      Code::kVerificationFailed);

  http::request<http::string_body> req(http::verb::get, "/old", 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(old, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(old, buffer, res);
  EXPECT_EQ(res.result_int(), 200u);
  X509* old_cert = SSL_get0_peer_certificate(old.native_handle());
  ASSERT_NE(old_cert, nullptr);
  EXPECT_EQ(*crypto::CertificateToDer(old_cert), server_id_.cert_der);
}

TEST_F(TlsServerTest, RefusesKeyThatDoesNotMatchTheCertificate) {
  auto bad = TlsServerContext::New(server_id_.cert_pem, client_id_.key_pem);
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  // No key material in the message.
  std::string key_text(AsChars(client_id_.key_pem.Reveal()));
  std::string key_base64 = key_text.substr(key_text.find('\n') + 1, 40);
  EXPECT_EQ(bad.status().message().find(key_base64), std::string::npos);

  Identity next = MakeIdentity("cas-2");
  EXPECT_EQ(tls_->Replace(next.cert_pem, client_id_.key_pem).code(), Code::kInvalidArgument);
  EXPECT_EQ(tls_->Replace("not PEM", next.key_pem).code(), Code::kInvalidArgument);
  EXPECT_EQ(tls_->Replace(next.cert_pem, SecretBytes::CopyFrom(AsBytes(next.cert_pem))).code(),
            Code::kInvalidArgument);
  // A key where the certificate chain should be is not skipped.
  std::string key_then_cert = key_text + next.cert_pem;
  EXPECT_EQ(tls_->Replace(key_then_cert, next.key_pem).code(), Code::kInvalidArgument);
  // The old credentials are still served.
  EXPECT_TRUE(HttpsCall(endpoint_, {"GET", "/", "", ""}, ClientFor(server_id_.cert_der)).ok());
}

TEST_F(TlsServerTest, ListenTlsRefusesUnixSocketsAndMissingCredentials) {
  auto other =
      HttpServer::New([](const HttpRequest&, const PeerInfo&) { return HttpResponse{}; }, {});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->ListenTls({"/tmp/x.sock", "", 0}, tls_).code(), Code::kInvalidArgument);
  EXPECT_EQ((*other)->ListenTls(*ParseEndpoint("127.0.0.1:0", 0), nullptr).code(),
            Code::kInvalidArgument);
}

TEST_F(TlsServerTest, HttpsToAPlainServerIsUnavailable) {
  auto plain =
      HttpServer::New([](const HttpRequest&, const PeerInfo&) { return HttpResponse{}; }, {});
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE((*plain)->Listen(*ParseEndpoint("127.0.0.1:0", 0)).ok());
  (*plain)->Start();
  Endpoint e = *ParseEndpoint("127.0.0.1:" + std::to_string((*plain)->bound_tcp_port()), 0);
  auto r = HttpsCall(e, {"GET", "/", "", ""}, ClientFor(server_id_.cert_der));
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(checks_.load(), 0);
}

TEST_F(TlsServerTest, HttpsCallIsBoundedByTheTimeout) {
  // A listening socket that never accepts: connect succeeds, the handshake never starts.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);  // NOLINT
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);  // NOLINT
  Endpoint e = *ParseEndpoint("127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), 0);
  TlsClientOptions o = ClientFor(server_id_.cert_der);
  o.base.timeout = std::chrono::milliseconds(300);
  auto r = HttpsCall(e, {"GET", "/", "", ""}, o);
  close(fd);
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
}

// Runs `command` and returns its standard output.
std::string StdoutOf(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST_F(TlsServerTest, CurlWithAClientCertificateIsServed) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl not found";
  char tmpl[] = "/tmp/scone-tls-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir = tmpl;
  std::ofstream(dir / "cert.pem") << client_id_.cert_pem;
  std::ofstream(dir / "key.pem") << AsChars(client_id_.key_pem.Reveal());
  std::string url = "https://127.0.0.1:" + std::to_string(port_) + "/curl";

  std::string out = StdoutOf("curl -sk --max-time 10 --cert " + (dir / "cert.pem").string() +
                             " --key " + (dir / "key.pem").string() + " " + url);
  EXPECT_EQ(out, "GET /curl  tls=1 cert=" + std::to_string(client_id_.cert_der.size()));
  EXPECT_EQ(LastPeer().client_certificate_der, client_id_.cert_der);

  out = StdoutOf("curl -sk --max-time 10 " + url);
  EXPECT_EQ(out, "GET /curl  tls=1 cert=0");
  // curl must not get through with TLS 1.2.
  out = StdoutOf("curl -sk --max-time 10 --tls-max 1.2 " + url);
  EXPECT_EQ(out, "");
  EXPECT_EQ(calls_.load(), 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scone::net
