#include "net/server_metrics.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "common/metrics.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/metrics_listener.h"

namespace scone::net {
namespace {

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
  timeval tv{};
  tv.tv_sec = 20;  // a liveness bound only: turns a hang into a failure
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Writes `request` to `fd` and reads until the answer's status line is complete.
std::string Exchange(int fd, const std::string& request) {
  EXPECT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  std::string got;
  char buf[512];
  while (got.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

class ServerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override { metrics_ = ServerMetrics::Register(registry_, "t", {"one", "two"}); }

  // A started server that counts as server `index`.
  std::unique_ptr<HttpServer> Start(size_t index, size_t max_connections) {
    ServerOptions o;
    o.max_body_bytes = 1024;
    o.max_connections = max_connections;
    o.metrics = metrics_[index];
    auto s = HttpServer::New([](const HttpRequest&, const PeerInfo&) { return HttpResponse(); }, o);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE((*s)->Listen(*ParseEndpoint("127.0.0.1:0", 0)).ok());
    (*s)->Start();
    return std::move(s).value();
  }

  static Endpoint At(const HttpServer& server) {
    return *ParseEndpoint("127.0.0.1:" + std::to_string(server.bound_tcp_port()), 0);
  }

  // The value of the series `series` (name and labels as rendered).
  std::string Value(const std::string& series) {
    std::string text = registry_.Render();
    size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return "missing";
    at += series.size() + 2;
    return text.substr(at, text.find('\n', at) - at);
  }

  metrics::Registry registry_;
  std::vector<ServerMetrics> metrics_;
};

TEST_F(ServerMetricsTest, CountsAcceptedOpenAndRefusedByReason) {
  auto server = Start(0, 64);
  ASSERT_TRUE(HttpCall(At(*server), {"GET", "/", "", ""}).ok());
  auto big = HttpCall(At(*server), {"POST", "/", "text/plain", std::string(5000, 'a')});
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413u);
  EXPECT_EQ(Value("t_refusals_total{server=\"one\",reason=\"body_too_large\"}"), "1");

  int fd = ConnectTcp(server->bound_tcp_port());
  ASSERT_GE(fd, 0);
  EXPECT_NE(Exchange(fd, "NOT HTTP AT ALL\r\n\r\n").find(" 400 "), std::string::npos);
  close(fd);
  EXPECT_EQ(Value("t_refusals_total{server=\"one\",reason=\"malformed_request\"}"), "1");
  EXPECT_EQ(Value("t_connections_accepted_total{server=\"one\"}"), "3");
  EXPECT_EQ(Value("t_refusals_total{server=\"one\",reason=\"lane_full\"}"), "0");
  // The other server's series are its own.
  EXPECT_EQ(Value("t_connections_accepted_total{server=\"two\"}"), "0");
}

TEST_F(ServerMetricsTest, CountsOpenConnectionsAndTheOneClosedToMakeRoom) {
  auto server = Start(1, 1);
  // A connection that has sent nothing waits from its accept on; the next one, accepted
  // after it, at max_connections = 1 closes it to make room.
  int fd = ConnectTcp(server->bound_tcp_port());
  ASSERT_GE(fd, 0);
  auto r = HttpCall(At(*server), {"GET", "/", "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  char c = 0;
  EXPECT_EQ(read(fd, &c, 1), 0);  // closed by the server
  close(fd);
  EXPECT_EQ(Value("t_refusals_total{server=\"two\",reason=\"connection_limit_closed_waiting\"}"),
            "1");
  EXPECT_EQ(Value("t_connections_accepted_total{server=\"two\"}"), "2");
  // Every connection opened was counted closed once the server is gone.
  server.reset();
  EXPECT_EQ(Value("t_connections_open{server=\"two\"}"), "0");
}

TEST(RequestMetricsTest, CountsByEndpointAndStatusWithOtherForUnlistedStatuses) {
  metrics::Registry r;
  RequestMetrics m(r, "x", {"GET /a", "unmatched"});
  m.Observe(0, 200, 0.002);
  m.Observe(1, 404, 0.0001);
  m.Observe(1, 418, 20);
  std::string text = r.Render();
  EXPECT_NE(text.find("\nx_requests_total{endpoint=\"GET /a\",status=\"200\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nx_requests_total{endpoint=\"unmatched\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nx_requests_total{endpoint=\"unmatched\",status=\"other\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nx_request_duration_seconds_bucket{endpoint=\"GET /a\",le=\"0.0025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nx_request_duration_seconds_count{endpoint=\"unmatched\"} 2\n"),
            std::string::npos);
}

TEST(MetricsListenerTest, ServesGetMetricsOnlyAsTextFormat004) {
  metrics::Registry r;
  r.AddCounter("c_total", "C.").At({}).Inc(2);
  HttpResponse ok = MetricsResponse({"GET", "/metrics?x=1", "", ""}, r);
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(ok.body.find("\nc_total 2\n"), std::string::npos);
  EXPECT_EQ(MetricsResponse({"POST", "/metrics", "", ""}, r).status, 405u);
  EXPECT_EQ(MetricsResponse({"GET", "/", "", ""}, r).status, 404u);

  auto server = StartMetricsListener(*ParseEndpoint("127.0.0.1:0", 0), r);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto ep = *ParseEndpoint("127.0.0.1:" + std::to_string((*server)->bound_tcp_port()), 0);
  auto got = HttpCall(ep, {"GET", "/metrics", "", ""});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, 200u);
  EXPECT_NE(got->body.find("\nc_total 2\n"), std::string::npos);

  Endpoint unix_ep;
  unix_ep.unix_path = "/tmp/never-created.sock";
  EXPECT_EQ(StartMetricsListener(unix_ep, r).status().code(), Code::kInvalidArgument);
}

TEST(MetricsListenerTest, KnowsLoopbackAddresses) {
  EXPECT_TRUE(IsLoopback(*ParseEndpoint("127.0.0.1:1", 0)));
  EXPECT_TRUE(IsLoopback(*ParseEndpoint("[::1]:1", 0)));
  EXPECT_FALSE(IsLoopback(*ParseEndpoint("0.0.0.0:1", 0)));
  EXPECT_FALSE(IsLoopback(*ParseEndpoint("192.0.2.1:1", 0)));
}

}  // namespace
}  // namespace scone::net
