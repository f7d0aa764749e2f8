// The backup endpoints (docs/backup.md) against real CASes in this process: a primary on one
// simulated machine and a backup on another under the same simulated root, the primary
// reaching the backup's API through its route table instead of HTTPS.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "cas/server/cas_test_util.h"
#include "crypto/test_util.h"
#include "platform/platform.h"

namespace scone::cas {
namespace {
using crypto::testing::MakeTestIdentity;
using crypto::testing::TestIdentity;
using ::testing::HasSubstr;
using testing::TestCas;
using testing::TestCasIdentity;

constexpr int64_t kNow = 1'780'000'000;

std::string Message(const net::HttpResponse& r) {
  auto e = api::ParseBody<api::ErrorBody>(r.body, "error");
  return e.ok() && !e->msg.empty() ? e->msg.front() : "<no message: " + r.body + ">";
}

class BackupHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = platform::Platform::OpenOrCreate(dir_.path() / "a", {}, kNow);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    platform::PlatformOptions under_a;
    under_a.sim_root_from = dir_.path() / "a";
    auto b = platform::Platform::OpenOrCreate(dir_.path() / "b", under_a, kNow);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    sim_root_ = (*a)->sim_root_pem();
    backup_ = std::make_unique<TestCas>(std::shared_ptr<const platform::Platform>(std::move(*b)),
                                        TestCasIdentity(), kNow);
    ASSERT_TRUE(backup_->ok()) << backup_->status().ToString();
    TestCas* backup = backup_.get();
    primary_ = std::make_unique<TestCas>(
        std::shared_ptr<const platform::Platform>(std::move(*a)), TestCasIdentity(), kNow,
        [backup](CasServiceOptions& o) {
          o.backup_fetcher =
              [backup](const std::string&,
                       const api::BackupKeyRequest& request) -> Result<api::BackupKeyResponse> {
            auto r = backup->Call("POST", "/v1/backup-key", api::Serialize(request.ToJson()));
            if (r.status != 200) return FailedPrecondition("the backup answered " + r.body);
            return api::ParseBody<api::BackupKeyResponse>(r.body, "the offer");
          };
        });
    ASSERT_TRUE(primary_->ok()) << primary_->status().ToString();
    auto r = primary_->Provision(owner_.der);
    ASSERT_EQ(r.status, 200u) << r.body;
  }

  std::string RegisterBody() const {
    api::RegisterBackupRequest request;
    request.backup = "backup.test:8081";
    request.sim_root_ca = sim_root_;
    return api::Serialize(request.ToJson());
  }

  scone::testing::TempDir dir_{"scone-backup-handler"};
  std::string sim_root_;
  std::unique_ptr<TestCas> backup_;
  std::unique_ptr<TestCas> primary_;
  TestIdentity owner_ = MakeTestIdentity("owner", kNow);
  TestIdentity stranger_ = MakeTestIdentity("stranger", kNow);
};

TEST_F(BackupHandlerTest, OwnerRegistersListsAndRemovesABackup) {
  auto r = primary_->Call("POST", "/v1/backups", RegisterBody(), owner_.der);
  ASSERT_EQ(r.status, 200u) << r.body;
  auto info = api::ParseBody<api::BackupInfo>(r.body, "answer");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->address, "backup.test:8081");
  EXPECT_EQ(info->isvsvn, TestCasIdentity().isvsvn);
  EXPECT_EQ(info->tcb_status, "UpToDate");

  r = primary_->Call("GET", "/v1/backups", "", owner_.der);
  ASSERT_EQ(r.status, 200u) << r.body;
  auto list = api::ParseBody<api::BackupListResponse>(r.body, "list");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->backups.size(), 1u);
  EXPECT_EQ(list->backups[0].ToJson(), info->ToJson());

  r = primary_->Call("DELETE", api::BackupPath(info->id), "", owner_.der);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, "{}");
  r = primary_->Call("GET", "/v1/backups", "", owner_.der);
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(api::ParseBody<api::BackupListResponse>(r.body, "list")->backups.size(), 0u);
}

TEST_F(BackupHandlerTest, RemovingAnUnknownIdIsNotFound) {
  auto r =
      primary_->Call("DELETE", api::BackupPath("00112233445566778899aabbccddeeff"), "", owner_.der);
  EXPECT_EQ(r.status, 404u) << r.body;
  EXPECT_THAT(Message(r), HasSubstr("no registered backup has the id 00112233"));
}

TEST_F(BackupHandlerTest, OnlyTheOwnerManagesBackups) {
  auto r = primary_->Call("POST", "/v1/backups", RegisterBody(), stranger_.der);
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_THAT(Message(r), HasSubstr("only the CAS owner may register backups"));
  r = primary_->Call("GET", "/v1/backups", "", stranger_.der);
  EXPECT_EQ(r.status, 403u) << r.body;
  r = primary_->Call("DELETE", api::BackupPath("00112233445566778899aabbccddeeff"), "",
                     stranger_.der);
  EXPECT_EQ(r.status, 403u) << r.body;
  // Without a client certificate at all: 401.
  r = primary_->Call("GET", "/v1/backups", "");
  EXPECT_EQ(r.status, 401u) << r.body;
  // Nothing was registered by the refused request.
  r = primary_->Call("GET", "/v1/backups", "", owner_.der);
  EXPECT_EQ(api::ParseBody<api::BackupListResponse>(r.body, "list")->backups.size(), 0u);
}

TEST_F(BackupHandlerTest, MalformedRegistrationIsRefusedNamingTheMember) {
  struct Case {
    std::string body;
    std::string says;
  } cases[] = {
      {"not json", "not a JSON object"},
      {R"({"backup": 5, "accept_configuration_needed": false, "accept_out_of_date": false,
           "accept_sw_hardening_needed": false, "sim_root_ca": ""})",
       "\"backup\""},
      {R"({"backup": "", "accept_configuration_needed": false, "accept_out_of_date": false,
           "accept_sw_hardening_needed": false, "sim_root_ca": ""})",
       "\"backup\" must name the backup CAS"},
      {R"({"backup": "b:1", "accept_configuration_needed": false, "accept_out_of_date": false,
           "accept_sw_hardening_needed": false, "sim_root_ca": "", "extra": 1})",
       "extra"},
      {R"({"backup": "b:1"})", "accept_configuration_needed"},
  };
  for (const Case& c : cases) {
    auto r = primary_->Call("POST", "/v1/backups", c.body, owner_.der);
    EXPECT_EQ(r.status, 400u) << c.body << " -> " << r.body;
    EXPECT_THAT(Message(r), HasSubstr(c.says)) << c.body;
  }
  // A simulated root that is not the primary's own platform's.
  api::RegisterBackupRequest request;
  request.backup = "backup.test:8081";
  request.sim_root_ca = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  auto r = primary_->Call("POST", "/v1/backups", api::Serialize(request.ToJson()), owner_.der);
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_THAT(Message(r), HasSubstr("simulated root CA"));
}

TEST_F(BackupHandlerTest, AnyoneMayAskWhichDatabaseGenerationACasServes) {
  for (TestCas* cas : {primary_.get(), backup_.get()}) {  // provisioned, and not
    auto r = cas->Call("GET", "/v1/database-generation", "");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto g = api::ParseBody<api::DatabaseGenerationResponse>(r.body, "answer");
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(g->generation, 1);
    EXPECT_EQ(g->instance, cas->service().software_key_hash());
    EXPECT_EQ(g->opened_at, kNow);
    EXPECT_EQ(g->key_id.size(), 32u);
  }
  // Not on the enclave port.
  net::PeerInfo peer;
  auto r = primary_->service().Handle({"GET", "/v1/database-generation", "", ""}, peer,
                                      /*enclave_port=*/true);
  EXPECT_EQ(r.status, 404u);
}

}  // namespace
}  // namespace scone::cas
