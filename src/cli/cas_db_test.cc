#include "cli/cas_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::cli {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'780'000'000;

std::string MakeCertPem(const char* cn, std::string* key_hash) {
  auto key = std::move(*crypto::GenerateEcP256Key());
  crypto::CertificateOptions o;
  o.common_name = cn;
  o.not_before = kNow - 3600;
  o.not_after = kNow + 86400;
  auto cert = std::move(*crypto::CreateCertificate(key.get(), key.get(), nullptr, o));
  *key_hash = *crypto::KeyHashOfCertificate(cert.get());
  return *crypto::CertificateToPem(cert.get());
}

CasEntry MakeEntry(const std::string& address, const std::string& url) {
  CasEntry e;
  e.address = address;
  e.api_url = url;
  e.evidence.cas_certificate_pem = MakeCertPem("cas", &e.evidence.cas_key_hash);
  e.evidence.cas_software_certificate_pem =
      MakeCertPem("cas software", &e.evidence.software_key_hash);
  e.evidence.flags.provisioned = true;
  e.evidence.flags.simulated = true;
  e.evidence.mrenclave.fill(0x11);
  e.evidence.mrsigner.fill(0x22);
  e.evidence.isvprodid = 41;
  e.evidence.isvsvn = 2;
  e.evidence.tcb_status = attestation::TcbStatus::kConfigurationNeeded;
  e.evidence.advisory_ids = {"INTEL-SA-00289"};
  e.evidence.relaxations = {attestation::Relaxation::kConfigurationNeeded};
  e.evidence.verified_at = kNow;
  e.attested_at = kNow + 5;
  return e;
}

class CasDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scone-casdb-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CasDbTest, EntryRoundTripsThroughTheStateFile) {
  ConfigStore store(dir_ / "config.json");
  CasEntry entry = MakeEntry("127.0.0.1:18081", "https://127.0.0.1:18081/");
  ASSERT_TRUE(store
                  .Update(kNow,
                          [&](CliConfig& c) {
                            PutCas(c, entry);
                            return Status::Ok();
                          })
                  .ok());
  auto config = store.LoadOrCreate(kNow);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->default_cas, "127.0.0.1:18081");
  auto back = FindCas(*config, "127.0.0.1:18081");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), entry.ToJson());
  EXPECT_EQ(back->evidence.tcb_status, attestation::TcbStatus::kConfigurationNeeded);
  EXPECT_EQ(back->attested_at, kNow + 5);
  // Every documented member is there (docs/cli-state.md).
  auto j = entry.ToJson();
  for (const char* member : {"address", "api_url", "evidence", "attested_at"}) {
    EXPECT_TRUE(j.contains(member)) << member;
  }
}

TEST_F(CasDbTest, FirstCasBecomesDefaultAndReattestingReplaces) {
  CliConfig config;
  EXPECT_TRUE(PutCas(config, MakeEntry("a", "https://a:8081/")));
  EXPECT_FALSE(PutCas(config, MakeEntry("b", "https://b:8081/")));
  EXPECT_EQ(config.default_cas, "a");
  CasEntry again = MakeEntry("b", "https://b:8081/");
  PutCas(config, again);
  EXPECT_EQ(CasNames(config), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(FindCas(config, "b")->evidence.cas_key_hash, again.evidence.cas_key_hash);
  EXPECT_EQ(FindCas(config, "")->address, "a");
}

TEST_F(CasDbTest, UnknownOrMissingCasSaysWhatIsKnown) {
  CliConfig config;
  auto none = FindCas(config, "");
  EXPECT_EQ(none.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(none.status().message(), HasSubstr("scone cas attest"));
  EXPECT_EQ(FindCas(config, "x").status().code(), Code::kNotFound);
  PutCas(config, MakeEntry("a", "https://a:8081/"));
  PutCas(config, MakeEntry("b:1", "https://b:1/"));
  auto unknown = FindCas(config, "c");
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("attested CAS: a, b:1"));
  config.default_cas = "gone";
  EXPECT_EQ(FindCas(config, "").status().code(), Code::kFailedPrecondition);
}

TEST_F(CasDbTest, DamagedEntriesAreRefused) {
  CliConfig config;
  CasEntry entry = MakeEntry("a", "https://a:8081/");
  PutCas(config, entry);
  config.cas_db["b"] = config.cas_db["a"];  // stored under another name
  EXPECT_EQ(FindCas(config, "b").status().code(), Code::kInvalidArgument);
  std::string other_hash;
  MakeCertPem("other", &other_hash);
  config.cas_db["a"]["evidence"]["cas_key_hash"] = other_hash;  // hash of another key
  EXPECT_EQ(FindCas(config, "a").status().code(), Code::kInvalidArgument);
  config.cas_db["a"] = entry.ToJson();
  config.cas_db["a"].erase("attested_at");
  EXPECT_EQ(FindCas(config, "a").status().code(), Code::kInvalidArgument);
}

TEST_F(CasDbTest, ListMarksTheDefault) {
  CliConfig config;
  EXPECT_EQ(FormatCasList(config), "");
  PutCas(config, MakeEntry("cas.example.com", "https://cas.example.com:8081/"));
  PutCas(config, MakeEntry("127.0.0.1:18081", "https://127.0.0.1:18081/"));
  EXPECT_EQ(FormatCasList(config),
            "  127.0.0.1:18081: https://127.0.0.1:18081/\n"
            "* cas.example.com: https://cas.example.com:8081/\n");
  auto j = CasListJson(config);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["address"], "cas.example.com");
  EXPECT_EQ(j[1]["default"], true);
  EXPECT_EQ(j[0]["default"], false);
  EXPECT_TRUE(j[0]["cas_key_hash"].is_string());
}

}  // namespace
}  // namespace scone::cli
