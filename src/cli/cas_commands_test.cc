// `scone cas ...` end to end inside one process: the commands run through cli::Run against a
// fake CAS that speaks the protocol of docs/cas.md with quotes from a simulated platform,
// reached through Context::https. (tests/e2e/test_cas_cli.py runs the real `cas`.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cas/api.h"
#include "cas/protocol.h"
#include "cas/server/cas_test_util.h"
#include "cli/app.h"
#include "cli/cas_db.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/test_util.h"
#include "crypto/x509.h"
#include "platform/platform.h"
#include "platform/platform_test_util.h"

namespace scone::cli {
namespace {
using attestation::TcbStatus;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1'780'000'000;
constexpr char kWrongToken[] = "e59a91c9dbf4538f32c4f20668bdbc08";
constexpr char kDatabaseKey[] = "cfadf5e00443f15e4670e253e353dda80eac0b1295903fdc96339554a78cde0a";

using KeyAndCert = crypto::testing::TestIdentity;

KeyAndCert MakeKeyAndCert(const char* cn) { return crypto::testing::MakeTestIdentity(cn, kNow); }

// The real CAS (cas::CasService, in this process on a simulated platform) behind
// Context::https: the server certificate is the CAS's own (or an impostor's), the client
// certificate is passed on as TLS would.
class Cas {
 public:
  Cas(std::shared_ptr<const platform::Platform> platform, const platform::EnclaveIdentity& identity)
      : cas_(std::move(platform), identity, kNow) {
    EXPECT_TRUE(cas_.ok()) << cas_.status().ToString();
  }

  bool reachable = true;
  std::optional<KeyAndCert> impostor;  // presented instead of the CAS certificate
  std::vector<std::string> received;   // "METHOD /path" of every request that reached CAS

  cas::CasService& service() { return cas_.service(); }
  std::string token() const { return cas_.token(); }
  std::string key_hash() { return service().cas_key_hash(); }
  std::string key_pem() { return service().cas_certificate_pem(); }
  std::string software_key_hash() { return service().software_key_hash(); }
  std::string software_key_pem() { return service().software_certificate_pem(); }

  // Provisions the CAS for an owner of its own (the CLI's identity is not needed).
  void MakeProvisioned() {
    auto r = cas_.Provision(owner_.der);
    ASSERT_EQ(r.status, 200u) << r.body;
  }

  // The configuration and owner as CAS keeps them, read with `owner`'s identity.
  cas::api::ConfigResponse Config(const Identity& owner) {
    auto der = crypto::CertificateToDer(owner.certificate.get());
    auto r = cas_.Call("GET", "/v1/config", "", *der);
    EXPECT_EQ(r.status, 200u) << r.body;
    auto config = cas::api::ParseBody<cas::api::ConfigResponse>(r.body, "config");
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.ok() ? *config : cas::api::ConfigResponse{};
  }

  HttpsTransport Transport() {
    return [this](const net::Endpoint&, const net::HttpRequest& request,
                  const net::TlsClientOptions& options) { return Handle(request, options); };
  }

 private:
  Result<net::HttpResponse> Handle(const net::HttpRequest& request,
                                   const net::TlsClientOptions& options) {
    if (!reachable) return Status(Code::kUnavailable, "connect: Connection refused");
    Bytes server_der;
    if (impostor.has_value()) {
      server_der = impostor->der;
    } else {
      SCONE_ASSIGN_OR_RETURN(auto certs, crypto::ParseCertificatesPem(key_pem()));
      SCONE_ASSIGN_OR_RETURN(server_der, crypto::CertificateToDer(certs.front().get()));
    }
    SCONE_RETURN_IF_ERROR(options.check_server(server_der));
    received.push_back(request.method + " " + request.target);
    Bytes client_der;
    if (!options.certificate_pem.empty()) {
      SCONE_ASSIGN_OR_RETURN(auto certs, crypto::ParseCertificatesPem(options.certificate_pem));
      SCONE_ASSIGN_OR_RETURN(client_der, crypto::CertificateToDer(certs.front().get()));
    }
    return cas_.Call(request.method, request.target, request.body, client_der);
  }

  cas::testing::TestCas cas_;
  KeyAndCert owner_ = MakeKeyAndCert("another owner");
};

struct RunResult {
  int code = 0;
  std::string out;
  std::string err;
};

class CasCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new platform::testing::TempDir();
    platform::PlatformOptions options;
    auto p = platform::Platform::OpenOrCreate(dir_->path() / "platform", options, kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::shared_ptr<const platform::Platform>(std::move(*p));
    sim_root_ = (dir_->path() / "sim-root.pem").string();
    ASSERT_TRUE(WriteFileAtomic(sim_root_, AsBytes(platform_->sim_root_pem()), 0644).ok());
  }
  static void TearDownTestSuite() {
    platform_.reset();
    delete dir_;
  }

  void SetUp() override {
    state_ = std::make_unique<platform::testing::TempDir>();
    config_ = (state_->path() / "config.json").string();
    cas_ = std::make_unique<Cas>(platform_, ReleaseIdentity());
    WriteText("owner.toml", "[ias]\nbase_uri = \"https://demo.test\"\n");
  }

  static platform::EnclaveIdentity ReleaseIdentity() {
    platform::EnclaveIdentity id;
    id.mrenclave.fill(0x11);
    id.mrsigner = cas::ReleaseSignerMrSigner();
    id.isvprodid = cas::CasIsvProdId();
    id.isvsvn = cas::CasIsvSvn();
    return id;
  }

  std::string WriteText(const std::string& name, const std::string& text) {
    auto p = state_->path() / name;
    EXPECT_TRUE(WriteFileAtomic(p, AsBytes(text), 0600).ok());
    return p.string();
  }

  RunResult Scone(std::vector<std::string> args, Cas* cas = nullptr) {
    std::ostringstream out;
    std::ostringstream err;
    Context ctx(out, err, [] { return kNow; });
    ctx.https = (cas != nullptr ? cas : cas_.get())->Transport();
    ctx.sleep = [this](std::chrono::milliseconds d) { waited_ms_ += d.count(); };
    args.insert(args.begin(), "scone");
    args.push_back("--config");
    args.push_back(config_);
    std::vector<const char*> argv;
    argv.reserve(args.size());
    for (const auto& a : args) argv.push_back(a.c_str());
    RunResult r;
    r.code = ::scone::cli::Run(static_cast<int>(argv.size()), argv.data(), ctx);
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  // `scone cas attest ADDR --only_for_testing-sim-root-ca ... EXTRA`.
  RunResult Attest(const std::string& address, std::vector<std::string> extra = {},
                   Cas* cas = nullptr) {
    std::vector<std::string> args = {"cas", "attest", address, "--only_for_testing-sim-root-ca",
                                     sim_root_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Scone(args, cas);
  }

  RunResult Provision(const std::string& address, std::vector<std::string> shared,
                      std::vector<std::string> with = {}) {
    std::vector<std::string> args = {
        "cas",   "provision",      address,
        "-c",    cas_->key_hash(), "--token",
        Token(), "--config-file",  (state_->path() / "owner.toml").string()};
    args.insert(args.end(), shared.begin(), shared.end());
    args.push_back("with-attestation");
    args.push_back("--only_for_testing-sim-root-ca");
    args.push_back(sim_root_);
    args.insert(args.end(), with.begin(), with.end());
    return Scone(args);
  }

  // The CAS's provisioning token; once provisioned, a well-formed wrong one.
  std::string Token() const {
    std::string t = cas_->token();
    return t.empty() ? kWrongToken : t;
  }

  CliConfig State() {
    auto c = ConfigStore(config_).LoadOrCreate(kNow);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }

  static platform::testing::TempDir* dir_;
  static std::shared_ptr<const platform::Platform> platform_;
  static std::string sim_root_;
  std::unique_ptr<platform::testing::TempDir> state_;
  std::string config_;
  std::unique_ptr<Cas> cas_;
  int64_t waited_ms_ = 0;
};

platform::testing::TempDir* CasCommandsTest::dir_ = nullptr;
std::shared_ptr<const platform::Platform> CasCommandsTest::platform_;
std::string CasCommandsTest::sim_root_;

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

TEST_F(CasCommandsTest, HelpListsTheCasCommands) {
  auto r = Scone({"cas", "--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* c : {"attest", "list", "set-default", "show-certificate", "show-identification",
                        "provision", "update-config", "session"}) {
    EXPECT_THAT(r.out, HasSubstr(c)) << c;
  }
  auto p = Scone({"cas", "provision", "with-attestation", "--help"});
  EXPECT_EQ(p.code, 0);
  EXPECT_THAT(p.out, HasSubstr("--accept-configuration-needed"));
  EXPECT_THAT(p.out, HasSubstr("MRENCLAVE"));
  auto missing =
      Scone({"cas", "provision", "-c", cas_->key_hash(), "--token", cas_->token(), "--config-file",
             (state_->path() / "owner.toml").string(), "with-attestation"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("ADDRESS is required"));
  EXPECT_TRUE(cas_->received.empty());
}

// Only the named command group is registered (app.cc); wherever `--config` stands and
// whatever its form, the command runs the same, and a typo or the root help still sees
// every group.
TEST_F(CasCommandsTest, CommandGroupIsFoundWhereverTheConfigOptionStands) {
  auto run = [](const std::vector<std::string>& args) {
    std::ostringstream out;
    std::ostringstream err;
    Context ctx(out, err, [] { return kNow; });
    std::vector<const char*> argv;
    argv.reserve(args.size());
    for (const auto& a : args) argv.push_back(a.c_str());
    RunResult r;
    r.code = ::scone::cli::Run(static_cast<int>(argv.size()), argv.data(), ctx);
    r.out = out.str();
    r.err = err.str();
    return r;
  };
  auto after = run({"scone", "cas", "list", "--config", config_});
  auto before = run({"scone", "--config", config_, "cas", "list"});
  auto joined = run({"scone", "--config=" + config_, "cas", "list"});
  EXPECT_EQ(after.code, 0) << after.err;
  EXPECT_EQ(before.code, 0) << before.err;
  EXPECT_EQ(joined.code, 0) << joined.err;
  EXPECT_EQ(before.out, after.out);
  EXPECT_EQ(joined.out, after.out);
  auto typo = run({"scone", "--config", config_, "cs", "list"});
  EXPECT_EQ(typo.code, 1);
  EXPECT_THAT(typo.err, HasSubstr("did you mean \"scone cas\""));
  auto help = run({"scone", "--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* g : {"self", "cert", "signer", "attestation", "las", "session", "cas"}) {
    EXPECT_THAT(help.out, HasSubstr(g)) << g;
  }
}

}  // namespace
}  // namespace scone::cli
