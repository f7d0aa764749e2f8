// POST /v1/enclave/configuration against a real CAS in this process (cas_test_util.h): the
// quote from the CAS's own simulated platform, the runtime's TLS client certificate as the
// peer's (docs/runtime.md "Enclave API", "Delivery").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "attestation/quote.h"
#include "cas/api_enclave.h"
#include "cas/enclave_protocol.h"
#include "cas/protocol.h"
#include "cas/server/cas_test_util.h"
#include "common/hex.h"
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

// The program the runtime starts: production mode unless `debug`.
platform::EnclaveIdentity Program(uint8_t fill = 0x33, bool debug = false) {
  platform::EnclaveIdentity id;
  id.mrenclave.fill(fill);
  id.mrsigner.fill(0x44);
  id.isvprodid = 5;
  id.isvsvn = 1;
  id.attributes_flags = debug ? 0x07 : 0x05;  // INIT | MODE64BIT (| DEBUG)
  id.attributes_xfrm = 0x03;
  return id;
}

std::string Mrenclave(uint8_t fill = 0x33) { return HexEncode(Bytes(32, fill)); }

std::string Message(const net::HttpResponse& r) {
  auto e = api::ParseBody<api::ErrorBody>(r.body, "error");
  return e.ok() && !e->msg.empty() ? e->msg.front() : "<no message: " + r.body + ">";
}

// A session "app" with one service "web" admitting `mrenclave`, with `security` appended.
std::string AppSession(const std::string& mrenclave, const std::string& security = "") {
  return "name: app\nversion: \"0.3\"\n"
         "secrets:\n  - name: password\n    kind: ascii\n    value: \"s3cr3t!\"\n"
         "services:\n  - name: web\n    image_name: img\n"
         "    command: [\"/bin/server\", \"--password=$$SCONE::password$$\", \"@@1\"]\n"
         "    environment:\n      PASSWORD: $$SCONE::password:hex$$\n      MODE: production\n"
         "    pwd: /srv\n"
         "    attestation:\n      - mrenclave: [" +
         mrenclave +
         "]\n"
         "images:\n  - name: img\n    injection_files:\n"
         "      - path: /etc/app/secret.conf\n        content: \"pw=$$SCONE::password$$\\n\"\n"
         "      - path: /etc/app/public.conf\n        content: hello\n        permission: "
         "\"0644\"\n" +
         security;
}

class EnclaveHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(const platform::PlatformOptions& options) {
    auto p = platform::Platform::OpenOrCreate(dir_.path() / "platform", options, kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::shared_ptr<const platform::Platform>(std::move(*p));
    cas_ = std::make_unique<TestCas>(platform_, TestCasIdentity(), kNow);
    ASSERT_TRUE(cas_->ok()) << cas_->status().ToString();
    auto r = cas_->Provision(owner_.der);
    ASSERT_EQ(r.status, 200u) << r.body;
  }

  void Upload(const std::string& yaml) {
    auto r = cas_->Call("POST", "/v1/sessions", yaml, owner_.der);
    ASSERT_EQ(r.status, 201u) << r.body;
  }

  // The request a runtime with key `runtime` sends for `program`.
  api::EnclaveConfigurationRequest Request(const std::string& config_id,
                                           const platform::EnclaveIdentity& program,
                                           const TestIdentity& bound_key) {
    api::EnclaveConfigurationRequest r;
    r.config_id = config_id;
    auto quote = platform_->Quote(program, EnclaveReportData(bound_key.spki));
    EXPECT_TRUE(quote.ok()) << quote.status().ToString();
    if (quote.ok()) r.quote = *quote;
    return r;
  }

  net::HttpResponse Send(const api::EnclaveConfigurationRequest& request,
                         const TestIdentity* client, bool enclave_port = true) {
    net::PeerInfo peer;
    peer.tls = true;
    peer.address = "127.0.0.1:40001";
    if (client != nullptr) peer.client_certificate_der = client->der;
    const api::Route& route = api::RouteOf(api::Endpoint::kEnclaveConfiguration);
    net::HttpRequest http(std::string(route.method), std::string(route.path), "application/json",
                          api::Serialize(request.ToJson()));
    return cas_->service().Handle(http, peer, enclave_port);
  }

  net::HttpResponse Fetch(const std::string& config_id = "app/web",
                          const platform::EnclaveIdentity& program = Program()) {
    return Send(Request(config_id, program, runtime_), &runtime_);
  }

  scone::testing::TempDir dir_{"scone-enclave-handler"};
  std::shared_ptr<const platform::Platform> platform_;
  std::unique_ptr<TestCas> cas_;
  TestIdentity owner_ = MakeTestIdentity("owner", kNow);
  TestIdentity runtime_ = MakeTestIdentity("scone-run", kNow);
};

TEST_F(EnclaveHandlerTest, DeliversTheServiceWithSecretsRendered) {
  Upload(AppSession(Mrenclave()));
  auto r = Fetch();
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(r.sensitive);
  auto json = api::ParseObject(r.body, "answer");
  ASSERT_TRUE(json.ok());
  auto c = api::EnclaveConfigurationResponse::FromJson(*json);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->session, "app");
  EXPECT_EQ(c->service, "web");
  EXPECT_EQ(c->session_hash.size(), 64u);
  ASSERT_TRUE(c->command.has_value());
  ASSERT_EQ(c->command->size(), 3u);
  EXPECT_EQ(AsChars((*c->command)[1].Reveal()), "--password=s3cr3t!");
  EXPECT_EQ(AsChars((*c->command)[2].Reveal()), "@@1");  // for the runtime
  ASSERT_EQ(c->environment.size(), 2u);
  EXPECT_EQ(c->environment[0].first, "PASSWORD");
  EXPECT_EQ(AsChars(c->environment[0].second.Reveal()), HexEncode(AsBytes("s3cr3t!")));
  EXPECT_EQ(c->pwd, std::optional<std::string>("/srv"));
  ASSERT_EQ(c->injection_files.size(), 2u);
  EXPECT_EQ(c->injection_files[0].path, "/etc/app/secret.conf");
  EXPECT_EQ(AsChars(c->injection_files[0].content.Reveal()), "pw=s3cr3t!\n");
  EXPECT_EQ(c->injection_files[0].mode, 0600u);
  EXPECT_EQ(c->injection_files[1].mode, 0644u);
  EXPECT_TRUE(c->warnings.empty());
  // The secret appears in the body only hex-encoded; the parsed JSON's text was wiped.
  EXPECT_EQ(r.body.find("s3cr3t"), std::string::npos);
}

TEST_F(EnclaveHandlerTest, ServedOnTheEnclavePortOnlyAndOnlyWithAClientCertificate) {
  Upload(AppSession(Mrenclave()));
  auto request = Request("app/web", Program(), runtime_);
  auto api_port = Send(request, &runtime_, /*enclave_port=*/false);
  EXPECT_EQ(api_port.status, 404u);
  EXPECT_THAT(Message(api_port), HasSubstr("enclave port"));
  EXPECT_EQ(Send(request, nullptr).status, 401u);
}

TEST_F(EnclaveHandlerTest, UnknownSessionOrServiceIs404AndABadConfigIdIs400) {
  Upload(AppSession(Mrenclave()));
  auto no_session = Fetch("nope/web");
  EXPECT_EQ(no_session.status, 404u);
  EXPECT_THAT(Message(no_session), HasSubstr("no session nope"));
  auto no_service = Fetch("app/db");
  EXPECT_EQ(no_service.status, 404u);
  EXPECT_THAT(Message(no_service), HasSubstr("no service db"));
  EXPECT_EQ(Fetch("app").status, 400u);
  EXPECT_EQ(Fetch("app/").status, 400u);
}

TEST_F(EnclaveHandlerTest, AQuoteBoundToAnotherKeyIsRefused) {
  Upload(AppSession(Mrenclave()));
  TestIdentity other = MakeTestIdentity("other", kNow);
  auto r = Send(Request("app/web", Program(), other), &runtime_);
  EXPECT_EQ(r.status, 403u);
  EXPECT_THAT(Message(r), HasSubstr("report data does not bind the TLS client key"));
}

TEST_F(EnclaveHandlerTest, TheKeyTheHandshakeSawIsTheOneTheQuoteMustBind) {
  Upload(AppSession(Mrenclave()));
  TestIdentity other = MakeTestIdentity("other", kNow);
  auto request = Request("app/web", Program(), runtime_);
  net::PeerInfo peer;
  peer.tls = true;
  peer.client_certificate_der = runtime_.der;
  auto send = [&] {
    net::HttpRequest http("POST", "/v1/enclave/configuration", "application/json",
                          api::Serialize(request.ToJson()));
    return cas_->service().Handle(http, peer, true);
  };
  peer.client_key_spki_der = runtime_.spki;  // as the TLS server fills it in
  EXPECT_EQ(send().status, 200u);
  peer.client_key_spki_der = other.spki;
  EXPECT_EQ(send().status, 403u);
}

TEST_F(EnclaveHandlerTest, AnUpdatedSessionIsDeliveredAsUpdatedNotFromTheCache) {
  Upload(AppSession(Mrenclave()));
  ASSERT_EQ(Fetch().status, 200u);
  auto read = cas_->Call("GET", api::SessionPath("app"), "", owner_.der);
  auto active = api::ParseBody<api::SessionReadResponse>(read.body, "answer");
  ASSERT_TRUE(active.ok()) << read.body;
  std::string next = AppSession(Mrenclave()) + "predecessor: " + active->version.hash + "\n";
  next.replace(next.find("MODE: production"), 16, "MODE: staging");
  auto put = cas_->Call("PUT", api::SessionPath("app"), next, owner_.der);
  ASSERT_EQ(put.status, 200u) << put.body;
  auto r = Fetch();
  ASSERT_EQ(r.status, 200u) << r.body;
  auto c = api::ParseBody<api::EnclaveConfigurationResponse>(r.body, "answer");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->environment.size(), 2u);
  EXPECT_EQ(c->environment[1].first, "MODE");
  EXPECT_EQ(AsChars(c->environment[1].second.Reveal()), "staging");
  EXPECT_NE(c->session_hash, active->version.hash);
}

TEST_F(EnclaveHandlerTest, AnotherProgramIsRefusedNamingTheMrenclave) {
  Upload(AppSession(Mrenclave()));
  auto r = Fetch("app/web", Program(0x55));
  EXPECT_EQ(r.status, 403u);
  EXPECT_THAT(Message(r), HasSubstr("mrenclave: [" + Mrenclave(0x55) + "]"));
}

TEST_F(EnclaveHandlerTest, AQuoteOfAnotherPlatformDoesNotVerify) {
  Upload(AppSession(Mrenclave()));
  auto other = platform::Platform::OpenOrCreate(dir_.path() / "other", {}, kNow);
  ASSERT_TRUE(other.ok());
  auto request = Request("app/web", Program(), runtime_);
  auto quote = (*other)->Quote(Program(), EnclaveReportData(runtime_.spki));
  ASSERT_TRUE(quote.ok());
  request.quote = *quote;
  EXPECT_EQ(Send(request, &runtime_).status, 403u);
  // Its own collateral does not help: its root is not one CAS trusts.
  auto collateral = (*other)->CollateralAt(kNow);
  ASSERT_TRUE(collateral.ok());
  request.collateral = *collateral;
  auto r = Send(request, &runtime_);
  EXPECT_EQ(r.status, 403u);
  EXPECT_THAT(Message(r), HasSubstr("the quote does not verify"));
  // The collateral of CAS's own platform in the request is as good as none.
  auto own = Request("app/web", Program(), runtime_);
  auto own_collateral = platform_->CollateralAt(kNow);
  ASSERT_TRUE(own_collateral.ok());
  own.collateral = *own_collateral;
  EXPECT_EQ(Send(own, &runtime_).status, 200u);
}

TEST_F(EnclaveHandlerTest, PlatformsNameTheQuotesPlatform) {
  auto request = Request("pin/web", Program(), runtime_);
  auto quote = attestation::ParseQuote(request.quote);
  ASSERT_TRUE(quote.ok());
  std::string here = PlatformId(quote->attestation_key);
  auto session = [](const std::string& name, const std::string& platform) {
    std::string yaml = AppSession(Mrenclave());
    yaml.replace(yaml.find("name: app"), 9, "name: " + name);
    yaml.replace(yaml.find("    attestation:"), 0, "    platforms: [" + platform + "]\n");
    return yaml;
  };
  Upload(session("pin", here));
  EXPECT_EQ(Send(request, &runtime_).status, 200u);
  Upload(session("away", std::string(64, 'f')));
  auto r = Send(Request("away/web", Program(), runtime_), &runtime_);
  EXPECT_EQ(r.status, 403u);
  EXPECT_THAT(Message(r), HasSubstr("platform " + here));
}

TEST_F(EnclaveHandlerTest, DebugProgramNeedsDebugModeAndIsAdmittedWithAWarning) {
  Upload(AppSession(Mrenclave()));
  auto refused = Fetch("app/web", Program(0x33, /*debug=*/true));
  EXPECT_EQ(refused.status, 403u);
  EXPECT_THAT(Message(refused), HasSubstr("tolerate: debug-mode"));

  std::string yaml = AppSession(Mrenclave(0x66),
                                "security:\n  attestation:\n"
                                "    tolerate: [debug-mode]\n");
  yaml.replace(yaml.find("name: app"), 9, "name: dbg");
  Upload(yaml);
  auto r = Fetch("dbg/web", Program(0x66, /*debug=*/true));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_THAT(r.body, HasSubstr("debug-mode"));
}

TEST_F(EnclaveHandlerTest, ModeNoneAdmitsAnythingWithAWarning) {
  Upload(
      "name: open\nversion: \"0.3\"\nservices:\n  - name: any\n    command: [\"/bin/true\"]\n"
      "security:\n  attestation:\n    mode: none\n");
  api::EnclaveConfigurationRequest request;
  request.config_id = "open/any";
  request.quote = Bytes{0x01};  // not a quote at all
  auto r = Send(request, &runtime_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_THAT(r.body, HasSubstr("mode: none"));
}

// The value of environment variable KEY in a delivery for `config_id`.
std::string DeliveredKey(const net::HttpResponse& r) {
  auto json = api::ParseObject(r.body, "answer");
  if (!json.ok()) return "<not JSON>";
  auto c = api::EnclaveConfigurationResponse::FromJson(*json);
  if (!c.ok() || c->environment.empty()) return "<no environment>";
  return std::string(AsChars(c->environment[0].second.Reveal()));
}

std::string GeneratedSession(const std::string& name, const std::string& secrets) {
  return "name: " + name + "\nversion: \"0.3\"\nsecrets:\n" + secrets +
         "services:\n  - name: web\n    environment:\n      KEY: $$SCONE::key$$\n"
         "    attestation:\n      - mrenclave: [" +
         Mrenclave() + "]\n";
}

TEST_F(EnclaveHandlerTest, GeneratedSecretsAreTheStoredValues) {
  Upload(GeneratedSession("gen", "  - name: key\n    kind: ascii\n"));
  Upload(GeneratedSession("other", "  - name: key\n    kind: ascii\n"));
  auto first = Fetch("gen/web");
  ASSERT_EQ(first.status, 200u) << first.body;
  auto again = Fetch("gen/web");
  ASSERT_EQ(again.status, 200u) << again.body;
  // Generated once, when the version was stored: every start gets the same value, and
  // another session its own.
  EXPECT_EQ(DeliveredKey(first).size(), 20u);
  EXPECT_EQ(DeliveredKey(first), DeliveredKey(again));
  auto other = Fetch("other/web");
  ASSERT_EQ(other.status, 200u) << other.body;
  EXPECT_NE(DeliveredKey(first), DeliveredKey(other));
}

TEST_F(EnclaveHandlerTest, AnImportIsDeliveredOnlyWhileItIsExported) {
  Upload(
      "name: exporter\nversion: \"0.3\"\nsecrets:\n  - name: shared\n    kind: ascii\n"
      "    export:\n      - session: importer\n");
  Upload(GeneratedSession("importer",
                          "  - name: key\n    import:\n      session: exporter\n"
                          "      secret: shared\n"));
  auto r = Fetch("importer/web");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(DeliveredKey(r).size(), 20u);
  // The exporter's next version stops exporting: the importer's program gets nothing.
  auto active = cas_->Call("GET", api::SessionPath("exporter"), "", owner_.der);
  auto read = api::ParseBody<api::SessionReadResponse>(active.body, "answer");
  ASSERT_TRUE(read.ok()) << active.body;
  auto put = cas_->Call("PUT", api::SessionPath("exporter"),
                        "name: exporter\nversion: \"0.3\"\npredecessor: " + read->version.hash +
                            "\nsecrets:\n  - name: shared\n    kind: ascii\n",
                        owner_.der);
  ASSERT_EQ(put.status, 200u) << put.body;
  auto refused = Fetch("importer/web");
  EXPECT_EQ(refused.status, 412u) << refused.body;
  EXPECT_THAT(Message(refused), HasSubstr("exporter"));
  EXPECT_EQ(refused.body.find(DeliveredKey(r)), std::string::npos);
}

TEST_F(EnclaveHandlerTest, VolumesAreRefusedRatherThanIgnored) {
  Upload(
      "name: vol\nversion: \"0.3\"\nvolumes:\n  - name: data\n"
      "services:\n  - name: web\n    image_name: img\n"
      "    attestation:\n      - mrenclave: [" +
      Mrenclave() +
      "]\n"
      "images:\n  - name: img\n    volumes:\n      - name: data\n        path: /data\n");
  auto r = Fetch("vol/web");
  EXPECT_EQ(r.status, 412u);
  EXPECT_THAT(Message(r), HasSubstr("volumes"));
}

TEST_F(EnclaveHandlerTest, UnprovisionedCasConfiguresNothing) {
  TestCas fresh(platform_, TestCasIdentity(), kNow);
  ASSERT_TRUE(fresh.ok());
  net::PeerInfo peer;
  peer.tls = true;
  peer.client_certificate_der = runtime_.der;
  auto request = Request("app/web", Program(), runtime_);
  net::HttpRequest http("POST", "/v1/enclave/configuration", "application/json",
                        api::Serialize(request.ToJson()));
  EXPECT_EQ(fresh.service().Handle(http, peer, true).status, 412u);
}

class EnclaveHandlerOutdatedTest : public EnclaveHandlerTest {
 protected:
  void SetUp() override {
    platform::PlatformOptions o;
    o.tcb_state = attestation::TcbStatus::kOutOfDate;
    Start(o);
  }
};

TEST_F(EnclaveHandlerOutdatedTest, AnOutdatedPlatformNeedsTheSessionsTolerance) {
  Upload(AppSession(Mrenclave()));
  auto refused = Fetch();
  EXPECT_EQ(refused.status, 403u);
  EXPECT_THAT(Message(refused), HasSubstr("tolerate: outdated-tcb"));
  std::string yaml = AppSession(Mrenclave(),
                                "security:\n  attestation:\n"
                                "    tolerate: [outdated-tcb]\n"
                                "    ignore_advisories: [INTEL-SA-00828]\n");
  yaml.replace(yaml.find("name: app"), 9, "name: old");
  Upload(yaml);
  EXPECT_EQ(Fetch("old/web").status, 200u);
}

TEST_F(EnclaveHandlerOutdatedTest, VerificationsAreCountedByTheTcbStatusTheQuoteShowed) {
  metrics::Registry registry;
  cas_ = std::make_unique<TestCas>(platform_, TestCasIdentity(), kNow,
                                   [&registry](CasServiceOptions& o) { o.metrics = &registry; });
  ASSERT_TRUE(cas_->ok()) << cas_->status().ToString();
  ASSERT_EQ(cas_->Provision(owner_.der).status, 200u);
  Upload(AppSession(Mrenclave()));
  // Verified (OutOfDate), then refused by the session's policy: counted as OutOfDate.
  EXPECT_EQ(Fetch().status, 403u);
  // A quote that does not verify at all: counted as invalid.
  auto bad = Request("app/web", Program(), runtime_);
  bad.quote.resize(bad.quote.size() / 2);
  EXPECT_EQ(Send(bad, &runtime_).status, 403u);
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("\ncas_quote_verifications_total{kind=\"enclave\","
                              "tcb_status=\"OutOfDate\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\ncas_quote_verifications_total{kind=\"enclave\","
                              "tcb_status=\"invalid\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\ncas_quote_verifications_total{kind=\"enclave\","
                              "tcb_status=\"UpToDate\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("\ncas_requests_total{endpoint=\"POST /v1/enclave/configuration\","
                              "status=\"403\"} 2\n"));
  cas_.reset();  // before the registry it counts into
}

}  // namespace
}  // namespace scone::cas
