// `scone cas provision` and `scone cas update-config` (fixture: cas_commands_test_util.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cas_commands_test_util.h"

namespace scone::cli {
namespace {
using cas_test::Cas;
using cas_test::CasCommandsTest;
using cas_test::kDatabaseKey;
using cas_test::KeyAndCert;
using cas_test::kNow;
using cas_test::MakeKeyAndCert;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(CasCommandsTest, ProvisionAttestsClaimsAndStoresTheCas) {
  auto r = Provision("127.0.0.1:18081", {});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string me = State().identity.key_hash;
  EXPECT_EQ(r.out,
            "CAS 127.0.0.1:18081 at https://127.0.0.1:18081/ is trustworthy\n"
            "CAS 127.0.0.1:18081 was provisioned; its owner is you (key hash " +
                me + ")\n");
  EXPECT_EQ(cas_->Config(State().identity).owner, me);
  EXPECT_EQ(cas_->Config(State().identity).config,
            json({{"ias", {{"base_uri", "https://demo.test"}}}}));
  EXPECT_EQ(cas_->received, (std::vector<std::string>{"POST /v1/attestation", "POST /v1/provision",
                                                      "POST /v1/attestation"}));
  CliConfig state = State();
  EXPECT_EQ(state.default_cas, "127.0.0.1:18081");
  EXPECT_TRUE(FindCas(state, "127.0.0.1:18081")->evidence.flags.provisioned);

  // The owner updates the configuration; another identity may not.
  std::string json_config = WriteText("new.json", R"({"ias": {"base_uri": "https://two.test"}})");
  auto upd = Scone({"cas", "update-config", "--config-file", json_config});
  ASSERT_EQ(upd.code, 0) << upd.err;
  EXPECT_EQ(upd.out, "The configuration of CAS 127.0.0.1:18081 was updated\n");
  EXPECT_EQ(cas_->Config(State().identity).config,
            json({{"ias", {{"base_uri", "https://two.test"}}}}));
  Identity other = *GenerateIdentity(kNow);
  std::string other_file = WriteText(
      "other.pem", std::string(AsChars(other.private_key_pem.Reveal())) + other.certificate_pem);
  auto refused = Scone({"cas", "update-config", "--cas", "127.0.0.1:18081", "--config-file",
                        json_config, "--identity", other_file});
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("error: CAS refused the configuration update: only the CAS "
                                     "owner may update the CAS configuration; the client "
                                     "certificate's key hash " +
                                     other.key_hash));

  // A second provisioning is refused before anything is sent.
  size_t before = cas_->received.size();
  auto again = Provision("127.0.0.1:18081", {});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("CAS 127.0.0.1:18081 is already provisioned"));
  EXPECT_EQ(cas_->received.size(), before + 1);  // one attestation only
}

TEST_F(CasCommandsTest, ProvisionJsonPrintsTheEntryAndTheOwner) {
  auto r = Provision("h", {}, {"--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["address"], "h");
  EXPECT_EQ(j["evidence"]["cas_key_hash"], cas_->key_hash());
  EXPECT_EQ(j["owner_key_hash"], State().identity.key_hash);
  EXPECT_EQ(j["rekeyed"], false);
}

TEST_F(CasCommandsTest, WrongTokenIsShownAsCasSaysIt) {
  auto r = Scone({"cas", "provision", "h", "-c", cas_->key_hash(), "--token",
                  "00000000000000000000000000000000", "--config-file",
                  (state_->path() / "owner.toml").string(), "with-attestation",
                  "--only_for_testing-sim-root-ca", sim_root_});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "error: CAS refused the provisioning: wrong provisioning token; take it from the CAS "
            "log line \"CAS provisioning token:\"\n");
  EXPECT_FALSE(cas_->service().provisioned());
  EXPECT_TRUE(State().cas_db.empty());
}

TEST_F(CasCommandsTest, LocalMistakesAreReportedBeforeAnythingIsSent) {
  std::string bad = WriteText("bad.toml", "[settings]\nname = \n");
  auto r = Scone({"cas", "provision", "h", "-c", cas_->key_hash(), "--token", cas_->token(),
                  "--config-file", bad, "with-attestation"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(bad + ":2:"));
  auto token =
      Scone({"cas", "provision", "h", "-c", cas_->key_hash(), "--token", "secretXYZ",
             "--config-file", (state_->path() / "owner.toml").string(), "with-attestation"});
  EXPECT_EQ(token.code, 1);
  EXPECT_THAT(token.err, HasSubstr("--token"));
  EXPECT_THAT(token.err, Not(HasSubstr("secretXYZ")));
  auto key = Provision("h", {"--database-key", "abcd"});
  EXPECT_EQ(key.code, 1);
  EXPECT_THAT(key.err, HasSubstr("--database-key"));
  std::string txt = WriteText("config.txt", "x");
  auto ext = Scone({"cas", "update-config", "--config-file", txt});
  EXPECT_EQ(ext.code, 1);
  auto c = Scone({"cas", "provision", "h", "-c", "nope", "--token", cas_->token(), "--config-file",
                  (state_->path() / "owner.toml").string(), "with-attestation"});
  EXPECT_EQ(c.code, 1);
  EXPECT_THAT(c.err, HasSubstr("-c"));
  EXPECT_TRUE(cas_->received.empty());
}

TEST_F(CasCommandsTest, ProvisionNeedsTheCasOfC) {
  KeyAndCert other = MakeKeyAndCert("other");
  auto r = Scone({"cas", "provision", "h", "-c", other.key_hash, "--token", cas_->token(),
                  "--config-file", (state_->path() / "owner.toml").string(), "with-attestation",
                  "--only_for_testing-sim-root-ca", sim_root_});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("as given with -c"));
  EXPECT_FALSE(cas_->service().provisioned());
}

TEST_F(CasCommandsTest, DatabaseKeyInjectionReattestsTheNewKeyWithConsent) {
  // A CAS of the release signer refuses injection: this one has another signer.
  platform::EnclaveIdentity custom = ReleaseIdentity();
  custom.mrsigner.fill(0x2f);
  custom.isvprodid = 7;
  custom.isvsvn = 3;
  cas_ = std::make_unique<Cas>(platform_, custom);
  const std::vector<std::string> signer = {
      "--mrsigner", HexEncode(custom.mrsigner), "--isvprodid", "7", "--isvsvn", "3"};
  std::string old_key = cas_->key_hash();
  auto r = Provision("h", {"--database-key", kDatabaseKey}, signer);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(cas_->key_hash(), old_key);
  EXPECT_THAT(r.out, HasSubstr("new CAS key hash " + cas_->key_hash()));
  EXPECT_THAT(r.out, HasSubstr("--allow-cas-owner-secret-access"));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kDatabaseKey)));
  auto entry = FindCas(State(), "h");
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->evidence.cas_key_hash, cas_->key_hash());
  EXPECT_TRUE(entry->evidence.flags.owner_secret_access);
  // A plain attest now needs consent.
  auto refused = Attest("h", signer);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("--allow-cas-owner-secret-access"));
  std::vector<std::string> consent = signer;
  consent.push_back("--allow-cas-owner-secret-access");
  EXPECT_EQ(Attest("h", consent).code, 0);
}

TEST_F(CasCommandsTest, ReleaseSignedCasRefusesDatabaseKeyInjection) {
  auto r = Provision("h", {"--database-key", kDatabaseKey});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("refused by a CAS signed with the release signer"));
  EXPECT_FALSE(cas_->service().provisioned());
}

TEST_F(CasCommandsTest, ProvisionWithoutAttestationWarnsAndDoesNotStore) {
  auto r = Scone({"cas", "provision", "h", "-c", cas_->key_hash(), "--token", cas_->token(),
                  "--config-file", (state_->path() / "owner.toml").string(),
                  "only_for_testing-without-attestation"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("warning: CAS h was provisioned WITHOUT attestation"));
  EXPECT_THAT(r.err, HasSubstr("scone cas attest h"));
  EXPECT_THAT(r.out, HasSubstr("CAS h was provisioned; its owner is you"));
  EXPECT_EQ(cas_->received, (std::vector<std::string>{"POST /v1/provision"}));
  EXPECT_TRUE(State().cas_db.empty());
}

TEST_F(CasCommandsTest, ProvisionWithoutAttestationIsPinnedToC) {
  KeyAndCert other = MakeKeyAndCert("other");
  auto r = Scone({"cas", "provision", "h", "-c", other.key_hash, "--token", cas_->token(),
                  "--config-file", (state_->path() / "owner.toml").string(),
                  "only_for_testing-without-attestation"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("given with -c"));
  EXPECT_TRUE(cas_->received.empty());
}

TEST_F(CasCommandsTest, APinnedCommandRefusesAnotherKeyAndSendsNothing) {
  ASSERT_EQ(Provision("h", {}).code, 0);
  std::string attested = cas_->key_hash();
  cas_->impostor = MakeKeyAndCert("impostor");
  size_t before = cas_->received.size();
  auto r =
      Scone({"cas", "update-config", "--config-file", (state_->path() / "owner.toml").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: the CAS at h presents key " + cas_->impostor->key_hash +
                       ", not the attested CAS key " + attested +
                       ": it is another CAS, or it was re-keyed; if you trust it, attest it "
                       "again with \"scone cas attest h\"\n");
  EXPECT_EQ(cas_->received.size(), before);
}

}  // namespace
}  // namespace scone::cli
