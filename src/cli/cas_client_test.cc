#include "cli/cas_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/test_util.h"
#include "crypto/x509.h"

namespace scone::cli {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1'780'000'000;

using KeyAndCert = crypto::testing::TestIdentity;

KeyAndCert MakeCert(const char* cn) { return crypto::testing::MakeTestIdentity(cn, kNow); }

TEST(ParseCasAddress, HostGetsTheDefaultPort) {
  auto a = ParseCasAddress("cas.example.com");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "cas.example.com");
  EXPECT_EQ(a->endpoint.host, "cas.example.com");
  EXPECT_EQ(a->endpoint.port, 8081);
  EXPECT_EQ(a->ApiUrl(), "https://cas.example.com:8081/");
}

TEST(ParseCasAddress, KeepsTheNameAsTyped) {
  auto a = ParseCasAddress("127.0.0.1:18081");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "127.0.0.1:18081");
  EXPECT_EQ(a->ApiUrl(), "https://127.0.0.1:18081/");
  auto b = ParseCasAddress("cas.example.com:8081");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->name, "cas.example.com:8081");
}

TEST(ParseCasAddress, Ipv6NeedsBrackets) {
  auto a = ParseCasAddress("[::1]:9000");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->endpoint.host, "::1");
  EXPECT_EQ(a->ApiUrl(), "https://[::1]:9000/");
  auto b = ParseCasAddress("[fe80::1]");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->ApiUrl(), "https://[fe80::1]:8081/");
  EXPECT_EQ(ParseCasAddress("::1").status().code(), Code::kInvalidArgument);
}

TEST(ParseCasAddress, RefusesWhatIsNotHostAndPort) {
  for (const char* bad :
       {"", "https://cas.example.com", "unix:/tmp/cas.sock", "cas/v1", "cas.example.com:", ":8081",
        "cas:0", "cas:70000", "cas:x", "a b", "[::1", "[::1]x"}) {
    auto a = ParseCasAddress(bad);
    EXPECT_EQ(a.status().code(), Code::kInvalidArgument) << bad;
    if (!a.ok()) {
      EXPECT_THAT(a.status().message(), HasSubstr("HOST:PORT")) << bad;
    }
  }
}

TEST(CheckPinnedServerKey, AcceptsTheAttestedKeyOnly) {
  KeyAndCert cas = MakeCert("cas");
  KeyAndCert other = MakeCert("other");
  EXPECT_TRUE(CheckPinnedServerKey(cas.der, "cas:1", cas.key_hash).ok());
  Status s = CheckPinnedServerKey(other.der, "cas:1", cas.key_hash);
  EXPECT_EQ(s.code(), Code::kVerificationFailed);
  EXPECT_THAT(s.message(), HasSubstr("the CAS at cas:1 presents key " + other.key_hash +
                                     ", not the attested CAS key " + cas.key_hash));
  EXPECT_THAT(s.message(), HasSubstr("\"scone cas attest cas:1\""));
}

TEST(CheckPinnedServerKey, KeyGivenWithCNamesTheOption) {
  KeyAndCert cas = MakeCert("cas");
  KeyAndCert other = MakeCert("other");
  Status s = CheckPinnedServerKey(other.der, "cas:1", cas.key_hash, PinSource::kGivenWithC);
  EXPECT_EQ(s.code(), Code::kVerificationFailed);
  EXPECT_THAT(s.message(), HasSubstr("given with -c"));
}

TEST(CheckPinnedServerKey, RefusesGarbage) {
  KeyAndCert cas = MakeCert("cas");
  Bytes garbage = cas.der;
  garbage.resize(garbage.size() / 2);
  EXPECT_EQ(CheckPinnedServerKey(garbage, "cas:1", cas.key_hash).code(), Code::kVerificationFailed);
  EXPECT_EQ(CheckPinnedServerKey({}, "cas:1", cas.key_hash).code(), Code::kVerificationFailed);
}

TEST(RetryBackoff, DoublesFrom200MsAndIsBounded) {
  EXPECT_EQ(RetryBackoff(1).count(), 200);
  EXPECT_EQ(RetryBackoff(2).count(), 400);
  EXPECT_EQ(RetryBackoff(3).count(), 800);
  EXPECT_EQ(RetryBackoff(5).count(), 3200);
  EXPECT_EQ(RetryBackoff(10).count(), 3200);
}

// A server that presents `cert`, honours check_server, and records what reached it.
struct FakeServer {
  KeyAndCert cert = MakeCert("cas");
  int unavailable_left = 0;
  int calls = 0;
  std::vector<net::HttpRequest> delivered;
  std::vector<std::string> client_certificates;
  net::HttpResponse answer{200, "application/json", "{}"};

  HttpsTransport Transport() {
    return [this](const net::Endpoint&, const net::HttpRequest& request,
                  const net::TlsClientOptions& options) -> Result<net::HttpResponse> {
      ++calls;
      if (unavailable_left > 0) {
        --unavailable_left;
        return Status(Code::kUnavailable, "connection refused");
      }
      SCONE_RETURN_IF_ERROR(options.check_server(cert.der));
      delivered.push_back(request);
      client_certificates.push_back(options.certificate_pem);
      return answer;
    };
  }
};

class CallCasTest : public ::testing::Test {
 protected:
  CasLink Link(int retries) {
    return CasLink{*ParseCasAddress("127.0.0.1:18081"), server_.Transport(),
                   [this](std::chrono::milliseconds d) { waits_.push_back(d.count()); }, retries};
  }
  static Status Accept(ByteView /*unused*/) { return Status::Ok(); }

  FakeServer server_;
  std::vector<int64_t> waits_;
};

TEST_F(CallCasTest, RetriesOnlyWhileUnreachableWithGrowingWaits) {
  server_.unavailable_left = 2;
  auto r = CallCas(Link(3), {"GET", "/v1/version", "", ""}, Accept, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(server_.calls, 3);
  EXPECT_EQ(waits_, (std::vector<int64_t>{200, 400}));
}

TEST_F(CallCasTest, GivesUpAfterTheLastAttemptSayingHowMany) {
  server_.unavailable_left = 100;
  auto r = CallCas(Link(3), {"GET", "/v1/version", "", ""}, Accept, nullptr);
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "cannot reach CAS at 127.0.0.1:18081 (4 attempts): connection refused");
  EXPECT_EQ(server_.calls, 4);
  EXPECT_EQ(waits_, (std::vector<int64_t>{200, 400, 800}));
}

TEST_F(CallCasTest, NoRetriesMeansOneAttempt) {
  server_.unavailable_left = 100;
  auto r = CallCas(Link(0), {"GET", "/v1/version", "", ""}, Accept, nullptr);
  EXPECT_EQ(r.status().message(), "cannot reach CAS at 127.0.0.1:18081: connection refused");
  EXPECT_EQ(server_.calls, 1);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(CallCasTest, NeverRetriesARefusedServer) {
  auto r = CallCas(
      Link(3), {"GET", "/v1/version", "", ""},
      [](ByteView) { return VerificationFailed("wrong key"); }, nullptr);
  EXPECT_EQ(r.status().code(), Code::kVerificationFailed);
  EXPECT_EQ(server_.calls, 1);
  EXPECT_TRUE(server_.delivered.empty());
}

TEST_F(CallCasTest, PinnedCallSendsNothingToAnotherKey) {
  KeyAndCert attested = MakeCert("attested");
  auto r = CallPinned<cas::api::ConfigUpdateResponse>(
      Link(0), attested.key_hash, PinSource::kAttested, cas::api::Endpoint::kPutConfig,
      "{\"secret\": 1}", nullptr, "the configuration update");
  EXPECT_EQ(r.status().code(), Code::kVerificationFailed);
  EXPECT_THAT(r.status().message(), HasSubstr("not the attested CAS key " + attested.key_hash));
  EXPECT_TRUE(server_.delivered.empty());
}

TEST_F(CallCasTest, PinnedCallReturnsTheAnswerAndOffersTheIdentity) {
  Identity identity = *GenerateIdentity(kNow);
  server_.answer.body =
      R"({"cas_key_hash": "x", "cas_certificate": "", "owner": "o", "rekeyed": false})";
  auto r = CallPinned<cas::api::ProvisionResponse>(
      Link(0), server_.cert.key_hash, PinSource::kAttested, cas::api::Endpoint::kProvision, "{}",
      &identity, "the provisioning");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->cas_key_hash, "x");
  EXPECT_EQ(server_.delivered.back().target, "/v1/provision");
  ASSERT_EQ(server_.client_certificates.size(), 1u);
  EXPECT_EQ(server_.client_certificates[0], identity.certificate_pem);
  server_.answer.body = "";
  auto empty = CallPinned<cas::api::ConfigUpdateResponse>(
      Link(0), server_.cert.key_hash, PinSource::kAttested, cas::api::Endpoint::kPutConfig, "{}",
      &identity, "x");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  for (const char* bad : {"[1]", R"({"unexpected": 1})"}) {
    server_.answer.body = bad;
    EXPECT_EQ(CallPinned<cas::api::ConfigUpdateResponse>(
                  Link(0), server_.cert.key_hash, PinSource::kAttested,
                  cas::api::Endpoint::kPutConfig, "{}", &identity, "x")
                  .status()
                  .code(),
              Code::kVerificationFailed)
        << bad;
  }
}

TEST(RefusalFromAnswer, ShowsCasMessageWithAFittingCode) {
  Status s = RefusalFromAnswer(
      {403, "application/json", R"({"msg": ["wrong provisioning token"]})"}, "the provisioning");
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_EQ(s.message(), "CAS refused the provisioning: wrong provisioning token");
  EXPECT_EQ(RefusalFromAnswer({409, "", R"({"msg": ["already"]})"}, "x").code(),
            Code::kAlreadyExists);
  EXPECT_EQ(RefusalFromAnswer({412, "", "{}"}, "x").code(), Code::kFailedPrecondition);
  EXPECT_EQ(RefusalFromAnswer({400, "", "{}"}, "x").code(), Code::kInvalidArgument);
  EXPECT_EQ(RefusalFromAnswer({401, "", "{}"}, "x").code(), Code::kPermissionDenied);
  EXPECT_EQ(RefusalFromAnswer({404, "", "{}"}, "x").code(), Code::kNotFound);
  EXPECT_EQ(RefusalFromAnswer({503, "", "{}"}, "x").code(), Code::kUnavailable);
  EXPECT_EQ(RefusalFromAnswer({500, "", "not json"}, "x").message(),
            "CAS refused x: HTTP status 500");
}

TEST(RefusalFromAnswer, NeutralisesControlCharactersAndBoundsLength) {
  Status s = RefusalFromAnswer({400, "", R"({"msg": ["a\u001b[31mb", "c"]})"}, "x");
  EXPECT_EQ(s.message(), "CAS refused x: a?[31mb; c");
  std::string huge = "{\"msg\": [\"" + std::string(5000, 'z') + "\"]}";
  EXPECT_LT(RefusalFromAnswer({400, "", huge}, "x").message().size(), 1100u);
  EXPECT_THAT(s.message(), Not(HasSubstr("\x1b")));
}

}  // namespace
}  // namespace scone::cli
