#include "net/http.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

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

// Whether `what` occurs in the bytes of `storage`.
template <size_t N>
bool Holds(const unsigned char (&storage)[N], std::string_view what) {
  const auto* begin = reinterpret_cast<const char*>(storage);  // NOLINT: object bytes
  return std::search(begin, begin + N, what.begin(), what.end()) != begin + N;
}

// A short body lives inside the message object (small-string buffer), so what a destroyed
// message leaves behind can be inspected in the storage it occupied.
TEST(SensitiveMessages, WipeTheirBodyWhenDestroyed) {
  for (bool sensitive : {false, true}) {
    alignas(HttpRequest) unsigned char request[sizeof(HttpRequest)];
    auto* q = new (request) HttpRequest("POST", "/", "", "tok3n", sensitive);
    q->~HttpRequest();
    EXPECT_EQ(Holds(request, "tok3n"), !sensitive);

    alignas(HttpResponse) unsigned char response[sizeof(HttpResponse)];
    auto* r = new (response) HttpResponse(200, "application/json", "k3y", sensitive);
    r->~HttpResponse();
    EXPECT_EQ(Holds(response, "k3y"), !sensitive);
  }
}

TEST(SensitiveMessages, WipeTheBodyTheyGiveUpAndTheirMovedFromSelf) {
  alignas(HttpRequest) unsigned char moved_from[sizeof(HttpRequest)];
  auto* source = new (moved_from) HttpRequest("POST", "/", "", "tok3n", true);
  HttpRequest target = std::move(*source);
  EXPECT_EQ(target.body, "tok3n");
  EXPECT_TRUE(target.sensitive);
  source->~HttpRequest();
  EXPECT_FALSE(Holds(moved_from, "ok3n"));  // a move may clear only the first byte

  alignas(HttpResponse) unsigned char assigned[sizeof(HttpResponse)];
  auto* r = new (assigned) HttpResponse(200, "", "k3y-long", true);
  *r = HttpResponse(404, "", "x");  // assigned over: the old body is wiped first
  EXPECT_FALSE(Holds(assigned, "-long"));
  EXPECT_EQ(r->body, "x");
  r->~HttpResponse();
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
