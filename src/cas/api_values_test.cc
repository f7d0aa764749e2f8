// The public values route and its types (api.h, "public secret values").
#include <gtest/gtest.h>

#include "cas/api.h"

namespace scone::cas::api {
namespace {

TEST(ValuesTarget, ParsesTheTwoDocumentedForms) {
  auto all = ParseValuesTarget("session=ns/app");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->session, "ns/app");
  EXPECT_FALSE(all->secret.has_value());
  auto one = ParseValuesTarget("session=app,secret=answer");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->session, "app");
  EXPECT_EQ(one->secret, "answer");
  for (const char* bad :
       {"", "app", "session=", "session=a,", "session=a,secret=", "session=a,secret=b,c",
        "session=a,other=b", "secret=b,session=a", "session=a=b", "session=a,secret=b=c"}) {
    EXPECT_EQ(ParseValuesTarget(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(ValuesTarget, PathRoundTripsThroughTheRoute) {
  std::string path = ValuesPath("ns/app", "answer");
  EXPECT_EQ(path, "/v1/values/session=ns%2Fapp,secret=answer");
  auto route = FindRoute("GET", path);
  ASSERT_TRUE(route.ok());
  EXPECT_EQ((*route)->endpoint, Endpoint::kPublicValues);
  EXPECT_FALSE((*route)->client_certificate);
  auto target = ParseTarget(**route, path);
  ASSERT_TRUE(target.ok());
  auto parsed = ParseValuesTarget(target->name);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->session, "ns/app");
  EXPECT_EQ(parsed->secret, "answer");
}

TEST(PublicValues, RoundTripStrictly) {
  PublicValuesResponse r;
  r.values["answer"] = PublicValue{"ascii", "42"};
  auto back = PublicValuesResponse::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->values.at("answer").value, "42");
  EXPECT_EQ(r.ToJson().dump(), R"({"values":{"answer":{"kind":"ascii","value":"42"}}})");
  EXPECT_FALSE(PublicValue::FromJson(nlohmann::json::parse(R"({"kind":"ascii"})")).ok());
  EXPECT_FALSE(
      PublicValue::FromJson(nlohmann::json::parse(R"({"kind":"a","value":"b","x":1})")).ok());
}

}  // namespace
}  // namespace scone::cas::api
