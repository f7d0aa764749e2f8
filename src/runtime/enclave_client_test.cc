// FetchConfiguration against a real CAS (in this process, on a simulated platform) served over
// TLS on 127.0.0.1 port 0, as the enclave port serves it (docs/runtime.md "Enclave API").
#include "runtime/enclave_client.h"

#include <gtest/gtest.h>

#include "cas/protocol.h"
#include "cas/server/cas_test_util.h"
#include "common/hex.h"
#include "crypto/test_util.h"
#include "net/http_server.h"
#include "platform/platform.h"

namespace scone::runtime {
namespace {
using cas::testing::TestCas;

constexpr int64_t kNow = 1'780'000'000;

platform::EnclaveIdentity CasIdentity() {
  platform::EnclaveIdentity id;
  id.mrenclave.fill(0x11);
  id.mrsigner.fill(0x22);
  id.isvprodid = cas::CasIsvProdId();
  id.isvsvn = cas::CasIsvSvn();
  return id;
}

platform::EnclaveIdentity Program(uint8_t fill = 0x33) {
  platform::EnclaveIdentity id;
  id.mrenclave.fill(fill);
  id.mrsigner.fill(0x44);
  id.isvprodid = 5;
  id.isvsvn = 1;
  id.attributes_flags = 0x05;
  id.attributes_xfrm = 0x03;
  return id;
}

class EnclaveClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = platform::Platform::OpenOrCreate(dir_.path() / "platform", {}, kNow);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    platform_ = std::shared_ptr<const platform::Platform>(std::move(*made));
    cas_ = std::make_unique<TestCas>(platform_, CasIdentity(), kNow);
    ASSERT_TRUE(cas_->ok()) << cas_->status().ToString();
    ASSERT_EQ(cas_->Provision(owner_.der).status, 200u);
    std::string session =
        "name: app\nversion: \"0.3\"\n"
        "secrets:\n  - name: token\n    kind: ascii\n    value: \"t0k3n\"\n"
        "services:\n  - name: web\n    command: [\"/bin/web\", \"@@1\"]\n"
        "    environment:\n      TOKEN: $$SCONE::token$$\n"
        "    attestation:\n      - mrenclave: [" +
        HexEncode(Bytes(32, 0x33)) + "]\n";
    ASSERT_EQ(cas_->Call("POST", "/v1/sessions", session, owner_.der).status, 201u);

    net::ServerOptions options;
    options.threads = 1;
    cas::CasService* service = &cas_->service();
    auto server = net::HttpServer::New(
        [service](const net::HttpRequest& r, const net::PeerInfo& p) {
          return service->Handle(r, p, /*enclave_port=*/true);
        },
        options);
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
    auto listen = net::ParseEndpoint("127.0.0.1:0", 0);
    ASSERT_TRUE(listen.ok());
    ASSERT_TRUE(server_->ListenTls(*listen, cas_->service().tls()).ok());
    endpoint_ = *listen;
    endpoint_.port = server_->bound_tcp_port();
    server_->Start();
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }

  QuoteFn QuoteOf(const platform::EnclaveIdentity& program) {
    return [this, program](const ByteArray<64>& rd) -> Result<ProgramQuote> {
      SCONE_ASSIGN_OR_RETURN(Bytes quote, platform_->Quote(program, rd));
      return ProgramQuote{std::move(quote), std::nullopt};
    };
  }

  scone::testing::TempDir dir_{"scone-enclave-client"};
  std::shared_ptr<const platform::Platform> platform_;
  std::unique_ptr<TestCas> cas_;
  std::unique_ptr<net::HttpServer> server_;
  net::Endpoint endpoint_;
  crypto::testing::TestIdentity owner_ = crypto::testing::MakeTestIdentity("owner", kNow);
};

TEST_F(EnclaveClientTest, FetchesTheConfigurationFromThePinnedCas) {
  auto c =
      FetchConfiguration(endpoint_, "app/web", QuoteOf(Program()), cas_->service().cas_key_hash());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->command.has_value());
  EXPECT_EQ(AsChars((*c->command)[1].Reveal()), "@@1");
  ASSERT_EQ(c->environment.size(), 1u);
  EXPECT_EQ(AsChars(c->environment[0].second.Reveal()), "t0k3n");
  // Unpinned works too (with a warning in the log).
  EXPECT_TRUE(FetchConfiguration(endpoint_, "app/web", QuoteOf(Program()), std::nullopt).ok());
}

TEST_F(EnclaveClientTest, ACasWithAnotherKeyIsRefused) {
  auto other = crypto::testing::MakeTestIdentity("other", kNow);
  auto c = FetchConfiguration(endpoint_, "app/web", QuoteOf(Program()), other.key_hash);
  EXPECT_EQ(c.status().code(), Code::kVerificationFailed);
  EXPECT_NE(c.status().message().find("SCONE_CAS_KEY_HASH"), std::string::npos);
}

TEST_F(EnclaveClientTest, RefusalsKeepCasMessageAndCode) {
  auto unknown = FetchConfiguration(endpoint_, "app/db", QuoteOf(Program()), std::nullopt);
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_NE(unknown.status().message().find("no service db"), std::string::npos);
  auto wrong = FetchConfiguration(endpoint_, "app/web", QuoteOf(Program(0x55)), std::nullopt);
  EXPECT_EQ(wrong.status().code(), Code::kPolicyRejected);
  EXPECT_NE(wrong.status().message().find("mrenclave"), std::string::npos);
}

TEST_F(EnclaveClientTest, AnUnreachableCasOrLasIsAClearError) {
  net::Endpoint closed = endpoint_;
  server_->Stop();
  server_.reset();
  auto c = FetchConfiguration(closed, "app/web", QuoteOf(Program()), std::nullopt);
  EXPECT_EQ(c.status().code(), Code::kUnavailable);
  EXPECT_NE(c.status().message().find("cannot reach CAS"), std::string::npos);
  auto no_las = FetchConfiguration(
      closed, "app/web",
      [](const ByteArray<64>&) -> Result<ProgramQuote> {
        return Status(Code::kUnavailable, "las at unix:/nowhere: connection refused");
      },
      std::nullopt);
  EXPECT_EQ(no_las.status().code(), Code::kUnavailable);
  EXPECT_NE(no_las.status().message().find("LAS"), std::string::npos);
}

}  // namespace
}  // namespace scone::runtime
