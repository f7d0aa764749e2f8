#include "cas/api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/hex.h"

namespace scone::cas::api {
namespace {
using nlohmann::json;
using ::testing::HasSubstr;

TEST(Routes, EveryEndpointHasOneRouteAndPathsAreFound) {
  for (Endpoint e : {Endpoint::kVersion, Endpoint::kAttestation, Endpoint::kProvision,
                     Endpoint::kGetConfig, Endpoint::kPutConfig, Endpoint::kCreateSession,
                     Endpoint::kUpdateSession, Endpoint::kReadSession, Endpoint::kSessionHistory,
                     Endpoint::kListSessions, Endpoint::kLegacySession, Endpoint::kPublicValues}) {
    const Route& r = RouteOf(e);
    EXPECT_EQ(r.endpoint, e);
    auto found = FindRoute(r.method, r.path);
    ASSERT_TRUE(found.ok()) << r.path;
    EXPECT_EQ((*found)->endpoint, e);
  }
  EXPECT_EQ(FindRoute("GET", "/v1/nothing").status().code(), Code::kNotFound);
  std::string allowed;
  auto wrong = FindRoute("DELETE", "/v1/config", &allowed);
  EXPECT_EQ(wrong.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(allowed, "GET or PUT");
  // Only attestation and version are served on the enclave port; owner calls have their lane.
  EXPECT_TRUE(RouteOf(Endpoint::kAttestation).enclave_port);
  EXPECT_FALSE(RouteOf(Endpoint::kProvision).enclave_port);
  EXPECT_EQ(RouteOf(Endpoint::kAttestation).lane, Lane::kAttestation);
  EXPECT_EQ(RouteOf(Endpoint::kPutConfig).lane, Lane::kServerThreads);
}

TEST(StatusMapping, BothDirectionsAgree) {
  for (Code c :
       {Code::kInvalidArgument, Code::kNotFound, Code::kAlreadyExists, Code::kPermissionDenied,
        Code::kFailedPrecondition, Code::kVerificationFailed, Code::kPolicyRejected,
        Code::kDataLoss, Code::kUnavailable, Code::kIoError, Code::kInternal}) {
    unsigned status = HttpStatusOf(c);
    EXPECT_EQ(HttpStatusOf(CodeOfHttpStatus(status)), status) << static_cast<int>(c);
  }
  EXPECT_EQ(HttpStatusOf(Code::kAlreadyExists), 409u);
  EXPECT_EQ(CodeOfHttpStatus(401), Code::kPermissionDenied);
  EXPECT_EQ(CodeOfHttpStatus(405), Code::kFailedPrecondition);
  EXPECT_EQ(CodeOfHttpStatus(502), Code::kInternal);
}

TEST(AttestationRequest, RoundTripsAndRefusesBadNonces) {
  AttestationRequest r{Bytes(32, 7)};
  auto back = AttestationRequest::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->nonce, r.nonce);
  for (const json& bad : {json::object(), json{{"nonce", "00"}}, json{{"nonce", "zz"}},
                          json{{"nonce", std::string(130, '0')}}, json{{"nonce", 5}}}) {
    auto s = AttestationRequest::FromJson(bad).status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad.dump();
    EXPECT_THAT(s.message(), HasSubstr("\"nonce\"")) << bad.dump();
  }
}

TEST(AttestationRequest, RefusesUnknownMembersByName) {
  auto s = AttestationRequest::FromJson({{"nonce", std::string(32, 'a')}, {"extra", 1}}).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("\"extra\""));
}

TEST(ProvisionRequest, RoundTripsAndWipesTheSecretsItReads) {
  ProvisionRequest r;
  r.token = SecretBytes::CopyFrom(Bytes(kTokenSize, 0xab));
  r.database_key = SecretBytes::CopyFrom(Bytes(kDatabaseKeySize, 0xcd));
  r.config.format = ConfigFormat::kYaml;
  r.config.text = "name: x\n";
  json j = r.ToJson();
  auto back = ProvisionRequest::FromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(HexEncode(back->token.Reveal()), HexEncode(Bytes(kTokenSize, 0xab)));
  ASSERT_TRUE(back->database_key.has_value());
  EXPECT_EQ(back->database_key->size(), kDatabaseKeySize);
  EXPECT_EQ(back->config.format, ConfigFormat::kYaml);
  EXPECT_EQ(back->config.text, "name: x\n");
  // The hex text in the parsed JSON is wiped.
  EXPECT_EQ(j["token"].get<std::string>().find("ab"), std::string::npos);
  EXPECT_EQ(j["database_key"].get<std::string>().find("cd"), std::string::npos);
}

TEST(ProvisionRequest, ItsHttpRequestIsSensitiveAndParsesBack) {
  for (bool with_key : {false, true}) {
    ProvisionRequest r;
    r.token = SecretBytes::CopyFrom(Bytes(kTokenSize, 0xab));
    if (with_key) r.database_key = SecretBytes::CopyFrom(Bytes(kDatabaseKeySize, 0xcd));
    r.config.format = ConfigFormat::kToml;
    r.config.text = "[ias]\nlinkable_quotes = \"a\\\"b\"\n";
    net::HttpRequest http = r.ToHttpRequest();
    EXPECT_TRUE(http.sensitive);
    EXPECT_EQ(http.method, "POST");
    EXPECT_EQ(http.target, "/v1/provision");
    auto back = ParseBody<ProvisionRequest>(http.body, "the request");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(back->token == r.token);
    EXPECT_EQ(back->database_key.has_value(), with_key);
    if (with_key) {
      EXPECT_TRUE(*back->database_key == *r.database_key);
    }
    EXPECT_EQ(back->config.text, r.config.text);
  }
}

TEST(ProvisionRequest, RefusesWrongTypesSizesAndMembersByName) {
  json config = {{"format", "toml"}, {"text", "a = 1"}};
  struct Case {
    json body;
    const char* member;
  };
  for (auto& c : std::vector<Case>{
           {{{"config", config}}, "\"token\""},
           {{{"token", "00"}, {"config", config}}, "\"token\""},
           {{{"token", std::string(32, '0')}, {"config", config}, {"database_key", 1}},
            "\"database_key\""},
           {{{"token", std::string(32, '0')}}, "\"config\""},
           {{{"token", std::string(32, '0')}, {"config", {{"format", "ini"}, {"text", ""}}}},
            "\"format\""},
           {{{"token", std::string(32, '0')},
             {"config", {{"format", "toml"}, {"text", std::string(kMaxOwnerConfigSize + 1, 'a')}}}},
            "\"text\""},
           {{{"token", std::string(32, '0')}, {"config", config}, {"owner", "me"}}, "\"owner\""},
       }) {
    auto s = ProvisionRequest::FromJson(c.body).status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.member;
    EXPECT_THAT(s.message(), HasSubstr(c.member));
  }
}

TEST(Responses, RoundTripAndAreStrict) {
  ProvisionResponse p{"hash", "PEM", "owner", true};
  auto back = ProvisionResponse::FromJson(p.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->cas_key_hash, "hash");
  EXPECT_TRUE(back->rekeyed);
  json missing = p.ToJson();
  missing.erase("rekeyed");
  EXPECT_THAT(ProvisionResponse::FromJson(missing).status().message(), HasSubstr("\"rekeyed\""));

  ConfigResponse c{{{"name", "x"}}, "owner"};
  auto config = ConfigResponse::FromJson(c.ToJson());
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->config, c.config);
  EXPECT_TRUE(ConfigUpdateResponse::FromJson(json::object()).ok());
  EXPECT_FALSE(ConfigUpdateResponse::FromJson({{"x", 1}}).ok());

  VersionResponse v;
  v.version = "1.2.3";
  auto version = VersionResponse::FromJson(v.ToJson());
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->version, "1.2.3");

  auto e = ErrorBody::FromJson(ErrorBody{{"a", "b"}}.ToJson());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->msg, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(ErrorBody::FromJson({{"msg", {1}}}).ok());
}

TEST(Bodies, OnlyJsonObjectsParse) {
  EXPECT_TRUE(ParseObject("", "x").ok());
  EXPECT_FALSE(ParseObject("[1]", "x").ok());
  EXPECT_FALSE(ParseObject("{", "x").ok());
  auto r = ParseBody<AttestationRequest>("{\"nonce\": 1}", "the request");
  EXPECT_THAT(r.status().message(), HasSubstr("the request"));
}

}  // namespace
}  // namespace scone::cas::api
