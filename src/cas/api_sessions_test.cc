#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cas/api.h"

namespace scone::cas::api {
namespace {
using nlohmann::json;
using ::testing::HasSubstr;

const std::string kHash(64, 'a');
const std::string kOtherHash(64, 'b');

TEST(SessionRoutes, NameSegmentMatchesOneSegmentOnly) {
  auto read = FindRoute("GET", "/v1/sessions/app");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ((*read)->endpoint, Endpoint::kReadSession);
  auto history = FindRoute("GET", "/v1/sessions/app/history");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)->endpoint, Endpoint::kSessionHistory);
  auto update = FindRoute("PUT", "/v1/sessions/ns%2Fapp");
  ASSERT_TRUE(update.ok());
  EXPECT_EQ((*update)->endpoint, Endpoint::kUpdateSession);
  auto list = FindRoute("GET", "/v1/sessions?namespace=ns");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)->endpoint, Endpoint::kListSessions);
  auto create = FindRoute("POST", "/v1/sessions");
  ASSERT_TRUE(create.ok());
  EXPECT_EQ((*create)->endpoint, Endpoint::kCreateSession);
  auto legacy = FindRoute("POST", "/session");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ((*legacy)->endpoint, Endpoint::kLegacySession);

  // A raw '/' inside the name is an extra segment: no route.
  EXPECT_EQ(FindRoute("GET", "/v1/sessions/ns/app").status().code(), Code::kNotFound);
  EXPECT_EQ(FindRoute("GET", "/v1/sessions/ns/app/history").status().code(), Code::kNotFound);
  EXPECT_EQ(FindRoute("GET", "/v1/sessions//history").status().code(), Code::kNotFound);
  EXPECT_EQ(FindRoute("GET", "/v1/sessions/").status().code(), Code::kNotFound);
  std::string allowed;
  EXPECT_EQ(FindRoute("DELETE", "/v1/sessions/app", &allowed).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(allowed, "PUT or GET");
  EXPECT_FALSE(RouteOf(Endpoint::kReadSession).enclave_port);
  EXPECT_TRUE(RouteOf(Endpoint::kCreateSession).client_certificate);
}

TEST(SessionRoutes, TargetsDecodeTheNameAndTheOneQueryParameter) {
  const Route& read = RouteOf(Endpoint::kReadSession);
  auto t = ParseTarget(read, "/v1/sessions/ns%2fapp?hash=" + kHash);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->name, "ns/app");
  EXPECT_EQ(t->query, kHash);
  auto plain = ParseTarget(read, "/v1/sessions/app");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->query.has_value());

  for (const char* bad : {"/v1/sessions/a%2", "/v1/sessions/a%zz", "/v1/sessions/a?other=1",
                          "/v1/sessions/a?hash=1&hash=2", "/v1/sessions/a?ha%sh=1"}) {
    EXPECT_EQ(ParseTarget(read, bad).status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_THAT(ParseTarget(read, "/v1/sessions/a?namespace=x").status().message(),
              HasSubstr("\"namespace\""));
  // Routes without a query parameter take none.
  EXPECT_EQ(ParseTarget(RouteOf(Endpoint::kVersion), "/v1/version?x=1").status().code(),
            Code::kInvalidArgument);
  auto list = ParseTarget(RouteOf(Endpoint::kListSessions), "/v1/sessions?namespace=a%2Fb");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->query, "a/b");
}

TEST(SessionRoutes, PathHelpersEncodeWhatTheServerDecodes) {
  EXPECT_EQ(SessionPath("ns/app"), "/v1/sessions/ns%2Fapp");
  EXPECT_EQ(SessionPath("a", kHash), "/v1/sessions/a?hash=" + kHash);
  EXPECT_EQ(SessionHistoryPath("ns/x.y~z"), "/v1/sessions/ns%2Fx.y~z/history");
  EXPECT_EQ(SessionListPath(), "/v1/sessions");
  EXPECT_EQ(SessionListPath("ns/sub"), "/v1/sessions?namespace=ns%2Fsub");
  EXPECT_EQ(PercentEncode("a b%\n"), "a%20b%25%0A");
  for (const std::string name : {"a", "ns/app", "x-y_z.~", "a/b/c"}) {
    auto route = FindRoute("GET", SessionPath(name));
    ASSERT_TRUE(route.ok()) << name;
    auto t = ParseTarget(**route, SessionPath(name));
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->name, name);
    auto h = FindRoute("GET", SessionHistoryPath(name));
    ASSERT_TRUE(h.ok());
    EXPECT_EQ((*h)->endpoint, Endpoint::kSessionHistory);
  }
}

TEST(SessionTypes, RoundTrip) {
  SessionUploadResponse up{"ns/app", kHash};
  auto up_back = SessionUploadResponse::FromJson(up.ToJson());
  ASSERT_TRUE(up_back.ok());
  EXPECT_EQ(up_back->name, "ns/app");
  EXPECT_EQ(up_back->hash, kHash);

  SessionVersion first{kHash, "creator-key-hash", std::nullopt, 1764489600};
  SessionVersion second{kOtherHash, "other-key-hash", kHash, 1764489601};
  EXPECT_EQ(first.ToJson()["created"], "2025-11-30T08:00:00Z");
  EXPECT_TRUE(first.ToJson()["predecessor"].is_null());

  SessionReadResponse read{"app", "name: app\nversion: \"0.3\"\n", second};
  json j = read.ToJson();
  EXPECT_EQ(j.size(), 6u);
  auto read_back = SessionReadResponse::FromJson(j);
  ASSERT_TRUE(read_back.ok()) << read_back.status().ToString();
  EXPECT_EQ(read_back->session, read.session);
  EXPECT_EQ(read_back->version.predecessor, kHash);
  EXPECT_EQ(read_back->version.created, 1764489601);
  EXPECT_EQ(read_back->version.creator, "other-key-hash");

  SessionHistoryResponse history{"app", {first, second}};
  auto history_back = SessionHistoryResponse::FromJson(history.ToJson());
  ASSERT_TRUE(history_back.ok());
  ASSERT_EQ(history_back->versions.size(), 2u);
  EXPECT_FALSE(history_back->versions[0].predecessor.has_value());
  EXPECT_EQ(history_back->versions[1].hash, kOtherHash);

  SessionListResponse list{{"a", "ns/b"}};
  auto list_back = SessionListResponse::FromJson(list.ToJson());
  ASSERT_TRUE(list_back.ok());
  EXPECT_EQ(list_back->sessions, list.sessions);
}

TEST(SessionTypes, RefuseMalformedMembersByName) {
  json version = SessionVersion{kHash, "k", std::nullopt, 0}.ToJson();
  struct Case {
    json body;
    const char* member;
  };
  auto with = [&](const char* name, json value) {
    json j = version;
    j[name] = std::move(value);
    return j;
  };
  auto without = [&](const char* name) {
    json j = version;
    j.erase(name);
    return j;
  };
  for (auto& c : std::vector<Case>{
           {with("hash", std::string(64, 'A')), "\"hash\""},
           {with("hash", "abc"), "\"hash\""},
           {with("hash", 5), "\"hash\""},
           {with("predecessor", "xyz"), "\"predecessor\""},
           {with("predecessor", 1), "\"predecessor\""},
           {with("created", "yesterday"), "\"created\""},
           {with("created", 12), "\"created\""},
           {with("creator", ""), "\"creator\""},
           {with("extra", true), "\"extra\""},
           {without("predecessor"), "\"predecessor\""},
           {without("created"), "\"created\""},
       }) {
    auto s = SessionVersion::FromJson(c.body).status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.body.dump();
    EXPECT_THAT(s.message(), HasSubstr(c.member)) << c.body.dump();
  }
  EXPECT_THAT(SessionUploadResponse::FromJson({{"name", ""}, {"hash", kHash}}).status().message(),
              HasSubstr("\"name\""));
  EXPECT_THAT(SessionUploadResponse::FromJson({{"name", std::string(129, 'a')}, {"hash", kHash}})
                  .status()
                  .message(),
              HasSubstr("\"name\""));
  EXPECT_THAT(SessionHistoryResponse::FromJson({{"name", "a"}, {"versions", {with("hash", 1)}}})
                  .status()
                  .message(),
              HasSubstr("\"versions\"[0]"));
  EXPECT_FALSE(SessionHistoryResponse::FromJson({{"name", "a"}, {"versions", 1}}).ok());
  EXPECT_FALSE(SessionListResponse::FromJson({{"sessions", {1}}}).ok());
  EXPECT_FALSE(SessionListResponse::FromJson({{"sessions", {""}}}).ok());
  EXPECT_FALSE(SessionListResponse::FromJson(json::object()).ok());
  json read = SessionReadResponse{"a", "x", SessionVersion{kHash, "k", std::nullopt, 0}}.ToJson();
  read["session"] = json::array();
  EXPECT_THAT(SessionReadResponse::FromJson(read).status().message(), HasSubstr("\"session\""));
}

}  // namespace
}  // namespace scone::cas::api
