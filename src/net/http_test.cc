#include "net/http.h"

#include <gtest/gtest.h>

namespace scone::net {
namespace {

TEST(Endpoint, ParsesTcpUnixAndIpv6) {
  auto e = ParseEndpoint("127.0.0.1:8081", 1);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8081);
  e = ParseEndpoint("cas.example.com", 8081);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->port, 8081);
  e = ParseEndpoint("[::1]:99", 1);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->ToString(), "[::1]:99");
  e = ParseEndpoint("unix:/run/las.sock", 1);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->is_unix());
  EXPECT_EQ(e->ToString(), "unix:/run/las.sock");
}

TEST(Endpoint, RejectsMalformed) {
  for (const char* bad : {"", "unix:", "host:99999", "host:abc", ":80", "::1:80", "[::1"}) {
    EXPECT_EQ(ParseEndpoint(bad, 1).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(ErrorResponse, UsesMsgArray) {
  auto r = ErrorResponse(404, "no such session");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, R"({"msg":["no such session"]})");
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404u);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403u);
}

TEST(ErrorResponse, InvalidUtf8IsReplacedNotThrown) {
  HttpResponse r = ErrorResponse(404, std::string("no such path: /\xff\xfe"));
  EXPECT_EQ(r.status, 404U);
  EXPECT_NE(r.body.find("no such path"), std::string::npos);
}

}  // namespace
}  // namespace scone::net
