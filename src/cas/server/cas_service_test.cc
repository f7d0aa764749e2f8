// The CAS service in this process (cas_test_util.h): its startup checks and what it does
// when its platform changes. The whole API is exercised through the CLI's tests
// (src/cli/cas_commands_test.cc) and end to end (tests/e2e/test_cas_server.py).
#include "cas/server/cas_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cas/protocol.h"
#include "cas/server/cas_config.h"
#include "cas/server/cas_test_util.h"
#include "crypto/test_util.h"
#include "platform/platform.h"

namespace scone::cas {
namespace {
using ::testing::HasSubstr;
using testing::TestCas;
using testing::TestCasIdentity;

constexpr int64_t kNow = 1'780'000'000;

std::shared_ptr<const platform::Platform> NewPlatform(const std::filesystem::path& dir) {
  auto p = platform::Platform::OpenOrCreate(dir, {}, kNow);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::shared_ptr<const platform::Platform>(std::move(*p));
}

std::string Nonce() { return api::Serialize(api::AttestationRequest{Bytes(32, 9)}.ToJson()); }

class CasServiceTest : public ::testing::Test {
 protected:
  scone::testing::TempDir dir_{"scone-cas-service"};
};

TEST_F(CasServiceTest, AnswersAttestationInProcess) {
  TestCas cas(NewPlatform(dir_.path() / "a"), TestCasIdentity(), kNow);
  ASSERT_TRUE(cas.ok()) << cas.status().ToString();
  auto r = cas.Call("POST", "/v1/attestation", Nonce());
  ASSERT_EQ(r.status, 200u) << r.body;
  auto answer = api::ParseBody<api::AttestationResponse>(r.body, "answer");
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_FALSE(answer->flags.provisioned);
  EXPECT_EQ(cas.Call("GET", "/v1/attestation", "").status, 405u);
  EXPECT_EQ(cas.Call("GET", "/v1/nothing", "").status, 404u);
  EXPECT_EQ(cas.Call("POST", "/v1/attestation", R"({"nonce": "00"})").status, 400u);
  EXPECT_EQ(cas.Call("GET", "/v1/config", "").status, 401u);
}

// issue 12 item 6: las restarted on another platform directory.
TEST_F(CasServiceTest, RefusesToAttestWithQuotesOfAnotherPlatform) {
  TestCas cas(NewPlatform(dir_.path() / "a"), TestCasIdentity(), kNow);
  ASSERT_TRUE(cas.ok()) << cas.status().ToString();
  ASSERT_EQ(cas.Call("POST", "/v1/attestation", Nonce()).status, 200u);
  cas.las().SetPlatform(NewPlatform(dir_.path() / "b"));
  auto r = cas.Call("POST", "/v1/attestation", Nonce());
  EXPECT_EQ(r.status, 412u) << r.body;
  EXPECT_THAT(r.body, HasSubstr("platform changed"));
  // las back on CAS's own platform: served again.
  cas.las().SetPlatform(NewPlatform(dir_.path() / "a"));
  EXPECT_EQ(cas.Call("POST", "/v1/attestation", Nonce()).status, 200u);
}

std::unique_ptr<las::Las> LasOf(std::shared_ptr<const platform::Platform> p) {
  return std::make_unique<las::PlatformLas>(std::move(p), TestCasIdentity(), [] { return kNow; });
}

CasServiceOptions Options(const std::filesystem::path& db) {
  CasServiceOptions o;
  o.db_path = db;
  o.clock = [] { return kNow; };
  return o;
}

// issue 12 item 7.
TEST_F(CasServiceTest, ADatabasePathThatIsADirectoryIsNamedSo) {
  auto platform = NewPlatform(dir_.path() / "a");
  std::filesystem::create_directory(dir_.path() / "db");
  auto s = CasService::Open(Options(dir_.path() / "db"), LasOf(platform));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("is a directory"));
}

TEST_F(CasServiceTest, DatabaseFilesAre0600AndReadableOnesAreRefusedWithTheChmod) {
  auto platform = NewPlatform(dir_.path() / "a");
  const auto db = dir_.path() / "cas.db";
  {
    auto s = CasService::Open(Options(db), LasOf(platform));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }
  for (const std::string suffix : {"", ".key-store"}) {
    struct stat st {};
    ASSERT_EQ(::stat((db.string() + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
  }
  for (const std::string suffix : {"", ".key-store"}) {
    std::string file = db.string() + suffix;
    ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
    auto s = CasService::Open(Options(db), LasOf(platform));
    ASSERT_FALSE(s.ok()) << suffix;
    EXPECT_EQ(s.status().code(), Code::kPermissionDenied);
    EXPECT_THAT(s.status().message(), HasSubstr("chmod 600 " + file));
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  }
  EXPECT_TRUE(CasService::Open(Options(db), LasOf(platform)).ok());
}

TEST_F(CasServiceTest, CountsRequestsByRouteAndStatusAndReportsItsState) {
  metrics::Registry registry;
  {
    TestCas cas(NewPlatform(dir_.path() / "a"), TestCasIdentity(), kNow,
                [&registry](CasServiceOptions& o) { o.metrics = &registry; });
    ASSERT_TRUE(cas.ok()) << cas.status().ToString();
    auto value = [&registry](const std::string& series) {
      std::string text = registry.Render();
      size_t at = text.find("\n" + series + " ");
      if (at == std::string::npos) return std::string("missing");
      at += series.size() + 2;
      return text.substr(at, text.find('\n', at) - at);
    };
    EXPECT_EQ(value("cas_provisioned"), "0");
    ASSERT_EQ(cas.Call("POST", "/v1/attestation", Nonce()).status, 200u);
    ASSERT_EQ(cas.Call("POST", "/v1/attestation", Nonce()).status, 200u);
    ASSERT_EQ(cas.Call("GET", "/v1/attestation", "").status, 405u);
    ASSERT_EQ(cas.Call("GET", "/v1/nothing/secret-name", "").status, 404u);
    ASSERT_EQ(cas.Call("GET", "/v1/config", "").status, 401u);
    EXPECT_EQ(value(R"(cas_requests_total{endpoint="POST /v1/attestation",status="200"})"), "2");
    EXPECT_EQ(value(R"(cas_requests_total{endpoint="GET /v1/config",status="401"})"), "1");
    EXPECT_EQ(value(R"(cas_requests_total{endpoint="unmatched",status="404"})"), "1");
    EXPECT_EQ(value(R"(cas_requests_total{endpoint="unmatched",status="405"})"), "1");
    EXPECT_EQ(value(R"(cas_request_duration_seconds_count{endpoint="POST /v1/attestation"})"), "2");
    EXPECT_NE(value(R"(cas_store_bytes{file="database"})"), "0");
    const std::string rows_before = value("cas_store_rows");
    EXPECT_NE(rows_before, "missing");
    // What a client sent never becomes a label.
    EXPECT_EQ(registry.Render().find("secret-name"), std::string::npos);

    auto owner = crypto::testing::MakeTestIdentity("owner", kNow);
    ASSERT_EQ(cas.Provision(owner.der).status, 200u);
    EXPECT_EQ(value("cas_provisioned"), "1");
    // Provisioning stored the owner's configuration.
    EXPECT_GT(std::stoll(value("cas_store_rows")), std::stoll(rows_before));
  }
}

TEST(CheckCasConfig, RefusesAnAddressThatCannotBeListenedOn) {
  CasConfig config;
  config.db_path = "/nonexistent/cas.db";
  config.api_listen = *net::ParseEndpoint("999.1.1.1:80", 8081);
  config.enclave_listen = *net::ParseEndpoint("127.0.0.1:0", 18765);
  auto s = CheckCasConfig(config);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("api_listen 999.1.1.1:80"));
  config.api_listen = *net::ParseEndpoint("127.0.0.1:0", 8081);
  EXPECT_TRUE(CheckCasConfig(config).ok());
}

}  // namespace
}  // namespace scone::cas
