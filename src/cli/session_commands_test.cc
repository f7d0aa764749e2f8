// `scone session create|update|read|verify|list|history` inside one process: the commands
// run through cli::Run against the real CAS service (cas::testing::TestCas) reached through
// Context::https, so that what was sent, and what was not, can be checked request by request.
// (tests/e2e/test_sessions.py runs the real `las`, `cas` and `scone`.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "cas/api.h"
#include "cas/protocol.h"
#include "cas/server/cas_test_util.h"
#include "cli/cli_test_util.h"
#include "cli/identity.h"
#include "common/file_util.h"
#include "crypto/test_util.h"
#include "crypto/x509.h"
#include "platform/platform.h"
#include "platform/platform_test_util.h"

namespace scone::cli {
namespace {
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr int64_t kNow = 1'780'000'000;
constexpr char kMre[] = "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac";
constexpr char kAddress[] = "127.0.0.1:18081";

// The seed's sessions/my-example-session.001.yml and .002.yml.
constexpr char kSeed001[] = "name: \"my-example-session\"\nversion: \"0.2\"\npredecessor: ~\n";
constexpr char kSeed002[] =
    "name: \"my-example-session\"\nversion: \"0.2\"\n\nservices:\n  - name: webservice\n"
    "    command: \"./nginx\"\n    mrenclaves: [\"$NGINX_MRENCLAVE\"]\n";

using testing::RunResult;

class SessionCommandsTest : public ::testing::Test {
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
    platform::EnclaveIdentity id;
    id.mrenclave.fill(0x11);
    id.mrsigner = cas::ReleaseSignerMrSigner();
    id.isvprodid = cas::CasIsvProdId();
    id.isvsvn = cas::CasIsvSvn();
    cas_ = std::make_unique<cas::testing::TestCas>(platform_, id, kNow);
    ASSERT_TRUE(cas_->ok()) << cas_->status().ToString();
    auto owner = crypto::testing::MakeTestIdentity("owner", kNow);
    ASSERT_EQ(cas_->Provision(owner.der).status, 200u);
    RunResult attest =
        Scone({"cas", "attest", kAddress, "--only_for_testing-sim-root-ca", sim_root_});
    ASSERT_EQ(attest.code, 0) << attest.err;
    received_.clear();
  }

  std::string WriteText(const std::string& name, const std::string& text) {
    auto p = state_->path() / name;
    EXPECT_TRUE(WriteFileAtomic(p, AsBytes(text), 0600).ok());
    return p.string();
  }

  // The CAS behind Context::https: its own certificate, the client certificate passed on as
  // TLS would; `tamper` may change an answer on its way back.
  Result<net::HttpResponse> Handle(const net::HttpRequest& request,
                                   const net::TlsClientOptions& options) {
    SCONE_ASSIGN_OR_RETURN(auto certs,
                           crypto::ParseCertificatesPem(cas_->service().cas_certificate_pem()));
    SCONE_ASSIGN_OR_RETURN(Bytes server_der, crypto::CertificateToDer(certs.front().get()));
    SCONE_RETURN_IF_ERROR(options.check_server(server_der));
    received_.push_back(request.method + " " + request.target);
    Bytes client_der;
    if (!options.certificate_pem.empty()) {
      SCONE_ASSIGN_OR_RETURN(auto client, crypto::ParseCertificatesPem(options.certificate_pem));
      SCONE_ASSIGN_OR_RETURN(client_der, crypto::CertificateToDer(client.front().get()));
    }
    net::HttpResponse response =
        cas_->Call(request.method, request.target, request.body, client_der);
    if (tamper_) tamper_(request, response);
    return response;
  }

  RunResult Scone(std::vector<std::string> args) {
    return testing::RunScone(
        std::move(args), config_, kNow,
        [this](const net::Endpoint&, const net::HttpRequest& request,
               const net::TlsClientOptions& options) { return Handle(request, options); });
  }

  std::string MyCertificate() {
    RunResult r = Scone({"self", "show-certificate"});
    EXPECT_EQ(r.code, 0) << r.err;
    return WriteText("me.pem", r.out);
  }

  std::string HashOf(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"session", "calculate-hash", file, "--creator",
                                     MyCertificate()};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Scone(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }

  static platform::testing::TempDir* dir_;
  static std::shared_ptr<const platform::Platform> platform_;
  static std::string sim_root_;
  std::unique_ptr<platform::testing::TempDir> state_;
  std::string config_;
  std::unique_ptr<cas::testing::TestCas> cas_;
  std::vector<std::string> received_;  // "METHOD /target" of every request that reached CAS
  std::function<void(const net::HttpRequest&, net::HttpResponse&)> tamper_;
};

platform::testing::TempDir* SessionCommandsTest::dir_ = nullptr;
std::shared_ptr<const platform::Platform> SessionCommandsTest::platform_;
std::string SessionCommandsTest::sim_root_;

TEST_F(SessionCommandsTest, AMissingVariableSendsNothing) {
  std::string file = WriteText("002.yml", kSeed002);
  for (const char* command : {"create", "update", "verify"}) {
    RunResult r = Scone({"session", command, file});
    EXPECT_EQ(r.code, 1) << command;
    EXPECT_THAT(r.err, HasSubstr("NGINX_MRENCLAVE")) << command;
    EXPECT_THAT(r.err, HasSubstr(file + ":7:")) << command;
  }
  EXPECT_THAT(received_, IsEmpty());
}

TEST_F(SessionCommandsTest, TheFileMayFollowE) {
  // The seed writes `scone cas session update -e "NGINX_MRENCLAVE=..." FILE`.
  std::string file = WriteText("002.yml", kSeed002);
  std::string env = std::string("NGINX_MRENCLAVE=") + kMre;
  for (const char* command : {"check", "calculate-hash"}) {
    RunResult r = Scone({"cas", "session", command, "-e", env, file, "-e", env});
    EXPECT_EQ(r.code, 0) << command << ": " << r.err;
  }
}

TEST_F(SessionCommandsTest, AnUnattestedCasOrAMissingFileSendsNothingAndIsNotExit2) {
  std::string file = WriteText("001.yml", kSeed001);
  RunResult r = Scone({"session", "create", file, "--cas", "cas.example.com"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("scone cas attest"));
  r = Scone({"session", "create", (state_->path() / "missing.yml").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(Scone({"session", "read", "../x"}).code, 1);
  EXPECT_THAT(Scone({"session", "read", "x", "--hash", "zz"}).code, 1);
  EXPECT_THAT(received_, IsEmpty());
}

TEST_F(SessionCommandsTest, CreatePrintsTheHashThatCalculateHashGives) {
  std::string file = WriteText("001.yml", kSeed001);
  RunResult r = Scone({"cas", "session", "create", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, HashOf(file) + "\n");
  EXPECT_THAT(received_, ElementsAre("POST /v1/sessions"));
  RunResult again = Scone({"session", "create", file, "--format", "json"});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("update"));
  EXPECT_EQ(again.out, "");
}

TEST_F(SessionCommandsTest, UpdateFillsInTheActiveHashAsPredecessor) {
  std::string v1 = WriteText("001.yml", kSeed001);
  std::string h1 = Scone({"session", "create", v1}).out;
  h1.pop_back();
  std::string v2 = WriteText("002.yml", kSeed002);
  received_.clear();
  RunResult r = Scone(
      {"session", "update", "-e", std::string("NGINX_MRENCLAVE=") + kMre, v2, "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(received_, ElementsAre("GET /v1/sessions/my-example-session",
                                     "PUT /v1/sessions/my-example-session"));
  std::string with_pred =
      WriteText("002p.yml", std::string(kSeed002) + "predecessor: " + h1 + "\n");
  json answer = json::parse(r.out);
  EXPECT_EQ(answer["name"], "my-example-session");
  EXPECT_EQ(answer["hash"], HashOf(with_pred, {"-e", std::string("NGINX_MRENCLAVE=") + kMre}));

  // A predecessor in the file is sent as it is: no read first; a stale one is refused (409)
  // naming the active hash.
  received_.clear();
  RunResult stale =
      Scone({"session", "update", with_pred, "-e", std::string("NGINX_MRENCLAVE=") + kMre});
  EXPECT_EQ(stale.code, 1);
  EXPECT_THAT(stale.err, HasSubstr(answer["hash"].get<std::string>()));
  EXPECT_THAT(received_, ElementsAre("PUT /v1/sessions/my-example-session"));
}

TEST_F(SessionCommandsTest, ReadVerifyHistoryAndList) {
  std::string v1 = WriteText("001.yml", kSeed001);
  ASSERT_EQ(Scone({"session", "create", v1}).code, 0);
  std::string v2 = WriteText("002.yml", kSeed002);
  std::string env = std::string("NGINX_MRENCLAVE=") + kMre;
  RunResult up = Scone({"session", "update", "-e", env, v2});
  ASSERT_EQ(up.code, 0) << up.err;

  RunResult read = Scone({"session", "read", "my-example-session"});
  ASSERT_EQ(read.code, 0) << read.err;
  EXPECT_THAT(read.out, HasSubstr(kMre));
  EXPECT_EQ(Scone({"session", "read", "nope"}).code, 2);

  RunResult verify = Scone({"session", "verify", "-e", env, v2});
  ASSERT_EQ(verify.code, 0) << verify.err;
  EXPECT_EQ(verify.out, up.out);
  RunResult mismatch =
      Scone({"session", "verify", "-e", "NGINX_MRENCLAVE=" + std::string(64, 'b'), v2});
  EXPECT_EQ(mismatch.code, 1);
  EXPECT_THAT(mismatch.err, HasSubstr("services[webservice].attestation[0].mrenclave"));
  EXPECT_EQ(mismatch.out, "");

  json history =
      json::parse(Scone({"session", "history", "my-example-session", "--format", "json"}).out);
  ASSERT_EQ(history["versions"].size(), 2u);
  EXPECT_EQ(history["versions"][1]["hash"].get<std::string>() + "\n", up.out);
  EXPECT_THAT(Scone({"session", "list"}).out, HasSubstr("my-example-session\n"));
}

TEST_F(SessionCommandsTest, NamespacedNamesAreOnePathSegment) {
  ASSERT_EQ(
      Scone({"session", "create", WriteText("ns.yml", "name: team\nversion: \"0.3\"\n")}).code, 0);
  ASSERT_EQ(
      Scone({"session", "create", WriteText("app.yml", "name: team/app\nversion: \"0.3\"\n")}).code,
      0);
  received_.clear();
  EXPECT_EQ(Scone({"session", "read", "team/app"}).code, 0);
  EXPECT_EQ(Scone({"session", "history", "team/app"}).code, 0);
  EXPECT_EQ(Scone({"session", "list", "team"}).code, 0);
  EXPECT_THAT(received_,
              ElementsAre("GET /v1/sessions/team%2Fapp", "GET /v1/sessions/team%2Fapp/history",
                          "GET /v1/sessions?namespace=team"));
}

TEST_F(SessionCommandsTest, AHashThatIsNotTheOneComputedHereFails) {
  tamper_ = [](const net::HttpRequest& request, net::HttpResponse& response) {
    if (request.method != "POST") return;
    json body = json::parse(response.body);
    body["hash"] = std::string(64, '0');
    response.body = body.dump();
  };
  RunResult r = Scone({"session", "create", WriteText("001.yml", kSeed001)});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("do not rely on the hash"));
  EXPECT_EQ(r.out, "");
}

TEST_F(SessionCommandsTest, UpdateDoesNotBuildOnAMalformedActiveHash) {
  std::string file = WriteText("u.yml", "name: u\nversion: \"0.3\"\n");
  ASSERT_EQ(Scone({"session", "create", file}).code, 0);
  tamper_ = [](const net::HttpRequest& request, net::HttpResponse& response) {
    if (request.method != "GET") return;
    json body = json::parse(response.body);
    body["hash"] = std::string(64, 'Z');
    response.body = body.dump();
  };
  received_.clear();
  RunResult r = Scone({"session", "update", file});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(received_, ElementsAre("GET /v1/sessions/u"));
}

TEST_F(SessionCommandsTest, AnotherIdentityIsRefusedNamingThePermission) {
  ASSERT_EQ(Scone({"session", "create", WriteText("p.yml", "name: p\nversion: \"0.3\"\n")}).code,
            0);
  auto other = GenerateIdentity(kNow);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ByteView key = other->private_key_pem.Reveal();
  std::string identity =
      WriteText("other.pem", std::string(key.begin(), key.end()) + other->certificate_pem);
  RunResult r = Scone({"session", "read", "p", "--identity", identity});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("read"));
  EXPECT_THAT(r.err, HasSubstr("to use another identity: --identity FILE"));
  EXPECT_THAT(r.err, Not(HasSubstr("version")));
}

}  // namespace
}  // namespace scone::cli
