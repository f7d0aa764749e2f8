// `scone cas attest|list|set-default|show-certificate|show-identification` (fixture:
// cas_commands_test_util.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cas_commands_test_util.h"

namespace scone::cli {
namespace {
using attestation::TcbStatus;
using cas_test::Cas;
using cas_test::CasCommandsTest;
using cas_test::KeyAndCert;
using cas_test::kNow;
using cas_test::MakeKeyAndCert;
using nlohmann::json;
using ::testing::HasSubstr;

TEST_F(CasCommandsTest, AttestPrintsTrustworthyStoresTheCasAndMakesItDefault) {
  cas_->MakeProvisioned();
  auto r = Attest("127.0.0.1:18081");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "CAS 127.0.0.1:18081 at https://127.0.0.1:18081/ is trustworthy\n");
  EXPECT_THAT(r.err, HasSubstr("127.0.0.1:18081 is now the default CAS"));
  CliConfig state = State();
  EXPECT_EQ(state.default_cas, "127.0.0.1:18081");
  auto entry = FindCas(state, "127.0.0.1:18081");
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->api_url, "https://127.0.0.1:18081/");
  EXPECT_EQ(entry->evidence.cas_key_hash, cas_->key_hash());
  EXPECT_EQ(entry->evidence.software_key_hash, cas_->software_key_hash());
  EXPECT_EQ(entry->attested_at, kNow);
  EXPECT_TRUE(entry->evidence.relaxations.empty());

  // A second CAS does not take over the default; list marks it.
  Cas other(platform_, ReleaseIdentity());
  other.MakeProvisioned();
  ASSERT_EQ(Attest("cas.example.com", {}, &other).code, 0);
  EXPECT_EQ(Attest("cas.example.com", {}, &other).out,
            "CAS cas.example.com at https://cas.example.com:8081/ is trustworthy\n");
  auto list = Scone({"cas", "list"});
  EXPECT_EQ(list.out,
            "* 127.0.0.1:18081: https://127.0.0.1:18081/\n"
            "  cas.example.com: https://cas.example.com:8081/\n");
  ASSERT_EQ(Scone({"cas", "set-default", "cas.example.com"}).code, 0);
  EXPECT_THAT(Scone({"cas", "list"}).out, HasSubstr("* cas.example.com"));
  auto unknown = Scone({"cas", "set-default", "nope"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("attested CAS: 127.0.0.1:18081, cas.example.com"));
  auto json_list = json::parse(Scone({"cas", "list", "--format", "json"}).out);
  EXPECT_EQ(json_list.size(), 2u);
}

TEST_F(CasCommandsTest, AttestJsonPrintsTheEntry) {
  cas_->MakeProvisioned();
  auto r = Attest("127.0.0.1:18081", {"--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["address"], "127.0.0.1:18081");
  EXPECT_EQ(j["api_url"], "https://127.0.0.1:18081/");
  EXPECT_EQ(j["evidence"]["cas_key_hash"], cas_->key_hash());
  EXPECT_EQ(j["evidence"]["tcb_status"], "UpToDate");
}

TEST_F(CasCommandsTest, EmptyListSaysHowToStart) {
  auto r = Scone({"cas", "list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("scone cas attest"));
  EXPECT_EQ(Scone({"cas", "show-certificate"}).code, 1);
  EXPECT_EQ(Scone({"cas", "show-identification", "x"}).code, 2);
}

TEST_F(CasCommandsTest, WithoutTheSimulatedRootTheErrorNamesTheOption) {
  cas_->MakeProvisioned();
  auto r = Scone({"cas", "attest", "127.0.0.1:18081"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--only_for_testing-sim-root-ca"));
  EXPECT_TRUE(State().cas_db.empty());
}

TEST_F(CasCommandsTest, InstanceKeyHashesMustMatch) {
  cas_->MakeProvisioned();
  KeyAndCert other = MakeKeyAndCert("other");
  auto wrong_c = Attest("127.0.0.1:18081", {"-c", other.key_hash});
  EXPECT_EQ(wrong_c.code, 1);
  EXPECT_THAT(wrong_c.err, HasSubstr("as given with -c"));
  auto wrong_s = Attest("127.0.0.1:18081", {"-s", other.key_hash});
  EXPECT_EQ(wrong_s.code, 1);
  EXPECT_THAT(wrong_s.err, HasSubstr("as given with -s"));
  EXPECT_EQ(
      Attest("127.0.0.1:18081", {"-c", cas_->key_hash(), "-s", cas_->software_key_hash()}).code, 0);
  auto bad = Attest("127.0.0.1:18081", {"-c", "notakeyhash"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("-c (CAS key hash)"));
}

TEST_F(CasCommandsTest, OptionRulesAreCheckedBeforeAnythingIsSent) {
  std::string m(64, 'a');
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--mrsigner", m},
           {"--mrsigner", m, "--isvprodid", "3"},
           {"--isvprodid", "3"},
           {"--only_for_testing-ignore-signer"},
           {"--mrenclave", "abc"},
           {"zz"},
           {"--verification-time", "yesterday"},
       }) {
    auto r = Attest("127.0.0.1:18081", args);
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr("error: ")) << args[0];
  }
  EXPECT_EQ(Scone({"cas", "attest", "https://cas"}).code, 1);
  EXPECT_TRUE(cas_->received.empty());
}

TEST_F(CasCommandsTest, MrenclaveOrIsvsvnSelectAnOlderVersion) {
  platform::EnclaveIdentity old = ReleaseIdentity();
  old.isvsvn = static_cast<uint16_t>(cas::CasIsvSvn() - 1);
  Cas cas(platform_, old);
  cas.MakeProvisioned();
  auto refused = Attest("old", {}, &cas);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("--isvsvn"));
  EXPECT_EQ(Attest("old", {"--isvsvn", std::to_string(old.isvsvn)}, &cas).code, 0);
  EXPECT_EQ(Attest("old", {HexEncode(old.mrenclave)}, &cas).code, 0);
  const std::string wrong(64, 'b');
  const std::string right = HexEncode(old.mrenclave);
  EXPECT_EQ(Attest("old", {"--mrenclave", wrong, "--mrenclave", right}, &cas).code, 0);
  EXPECT_EQ(Attest("old", {"--mrenclave", right, "--mrenclave", wrong}, &cas).code, 0);
  EXPECT_EQ(Attest("old", {wrong, "--mrenclave", right}, &cas).code, 0);
  EXPECT_EQ(Attest("old", {std::string(64, 'b')}, &cas).code, 1);
}

TEST_F(CasCommandsTest, CustomSignerNeedsItsIdentity) {
  platform::EnclaveIdentity custom = ReleaseIdentity();
  custom.mrsigner.fill(0x2f);
  custom.isvprodid = 7;
  custom.isvsvn = 3;
  Cas cas(platform_, custom);
  cas.MakeProvisioned();
  auto refused = Attest("c", {}, &cas);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("--mrsigner"));
  EXPECT_EQ(
      Attest("c", {"--mrsigner", HexEncode(custom.mrsigner), "--isvprodid", "7", "--isvsvn", "3"},
             &cas)
          .code,
      0);
  EXPECT_EQ(
      Attest("c", {"--mrsigner", HexEncode(custom.mrsigner), "--isvprodid", "7", "--isvsvn", "4"},
             &cas)
          .code,
      1);
}

TEST_F(CasCommandsTest, DebugCasNeedsTestingOptions) {
  platform::EnclaveIdentity debug = ReleaseIdentity();
  debug.attributes_flags |= platform::kAttrDebug;
  debug.mrsigner.fill(0x44);  // the built-in debug signer stands for "not ours"
  Cas cas(platform_, debug);
  cas.MakeProvisioned();
  EXPECT_EQ(Attest("d", {}, &cas).code, 1);
  auto ok = Attest(
      "d",
      {"--only_for_testing-debug", "--only_for_testing-ignore-signer", HexEncode(debug.mrenclave)},
      &cas);
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.err, HasSubstr("debug (--only_for_testing-debug)"));
  EXPECT_EQ(Attest("d", {"--only_for_testing-trust-any"}, &cas).code, 0);
  // trust-any is for debug enclaves only.
  cas_->MakeProvisioned();
  EXPECT_EQ(Attest("p", {"--only_for_testing-trust-any"}).code, 1);
}

TEST_F(CasCommandsTest, UnprovisionedCasNeedsTheTestingOption) {
  auto r = Attest("127.0.0.1:18081");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("scone cas provision"));
  auto ok = Attest("127.0.0.1:18081", {"--only_for_testing_allow-unprovisioned-cas"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.err, HasSubstr("unprovisioned"));
}

TEST_F(CasCommandsTest, TcbStatusNeedsItsFlag) {
  platform::testing::TempDir dir;
  platform::PlatformOptions options;
  options.tcb_state = TcbStatus::kConfigurationNeeded;
  auto p = platform::Platform::OpenOrCreate(dir.path() / "p", options, kNow);
  ASSERT_TRUE(p.ok());
  std::string root = (dir.path() / "root.pem").string();
  ASSERT_TRUE(WriteFileAtomic(root, AsBytes((*p)->sim_root_pem()), 0644).ok());
  Cas cas(std::shared_ptr<const platform::Platform>(std::move(*p)), ReleaseIdentity());
  cas.MakeProvisioned();
  auto refused = Scone({"cas", "attest", "h", "--only_for_testing-sim-root-ca", root}, &cas);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("-C"));
  auto ok = Scone({"cas", "attest", "h", "--only_for_testing-sim-root-ca", root, "-C"}, &cas);
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.err, HasSubstr("configuration-needed (-C)"));
  EXPECT_THAT(ok.err, HasSubstr("INTEL-SA-00289"));
  auto tcb = Scone({"cas", "show-identification", "--tcb"});
  EXPECT_THAT(tcb.out, HasSubstr("TCB status: ConfigurationNeeded"));
  EXPECT_THAT(tcb.out, HasSubstr("Relaxations: configuration-needed (-C)"));
}

TEST_F(CasCommandsTest, UnreachableCasIsRetriedABoundedNumberOfTimes) {
  cas_->reachable = false;
  auto r = Attest("127.0.0.1:1", {"--retries", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot reach CAS at 127.0.0.1:1 (3 attempts)"));
  EXPECT_EQ(waited_ms_, 600);
  EXPECT_EQ(Attest("127.0.0.1:1", {"--retries", "11"}).code, 1);  // out of range
}

TEST_F(CasCommandsTest, ShowCommandsPrintTheStoredIdentification) {
  cas_->MakeProvisioned();
  ASSERT_EQ(Attest("127.0.0.1:18081").code, 0);
  EXPECT_EQ(Scone({"cas", "show-certificate"}).out, cas_->key_pem());
  EXPECT_EQ(Scone({"cas", "show-certificate", "127.0.0.1:18081"}).out, cas_->key_pem());
  EXPECT_EQ(Scone({"cas", "show-identification", "-c"}).out, cas_->key_hash() + "\n");
  EXPECT_EQ(Scone({"cas", "show-identification", "127.0.0.1:18081", "--cas-key-hash"}).out,
            cas_->key_hash() + "\n");
  EXPECT_EQ(Scone({"cas", "show-identification", "-s"}).out, cas_->software_key_hash() + "\n");
  EXPECT_EQ(Scone({"cas", "show-identification", "-C"}).out, cas_->key_pem());
  EXPECT_EQ(Scone({"cas", "show-identification", "-S"}).out, cas_->software_key_pem());
  // -T/--certificate-chain (SCONE's default): the CAS and CAS software certificates, PEM.
  const std::string chain = cas_->key_pem() + cas_->software_key_pem();
  EXPECT_EQ(Scone({"cas", "show-identification", "-T"}).out, chain);
  EXPECT_EQ(Scone({"cas", "show-identification", "--certificate-chain"}).out, chain);
  EXPECT_EQ(Scone({"cas", "show-identification"}).out, chain);
  auto tcb = Scone({"cas", "show-identification", "--tcb"});
  EXPECT_THAT(tcb.out, HasSubstr("TCB status: UpToDate"));
  EXPECT_THAT(tcb.out, HasSubstr("ISVSVN: " + std::to_string(cas::CasIsvSvn())));
  EXPECT_EQ(Scone({"cas", "show-identification", "-c", "-s"}).code, 1);
  EXPECT_EQ(Scone({"cas", "show-identification", "-T", "--tcb"}).code, 1);
  auto j = json::parse(Scone({"cas", "show-identification", "--format", "json"}).out);
  EXPECT_EQ(j["cas_software_key_hash"], cas_->software_key_hash());
  EXPECT_EQ(j["tcb"]["isvsvn"], cas::CasIsvSvn());
}

}  // namespace
}  // namespace scone::cli
