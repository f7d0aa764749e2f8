// QuoteForProgram against a real las service on a real Unix socket in this process: the test
// binary is the caller las measures, and "the runtime" when las trusts its executable.
#include "runtime/quote_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "attestation/verifier.h"
#include "common/file_util.h"
#include "las/las_service.h"
#include "net/http_server.h"
#include "platform/platform.h"

namespace scone::runtime {
namespace {

constexpr int64_t kNow = 1780000000;

class QuoteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scone-quote-src-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto p = platform::Platform::OpenOrCreate(dir_ / "platform", {}, kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::move(p).value();
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  void StartLas(const std::string& runtime) {
    las::LasOptions options;
    options.runtime_path = runtime;
    service_ = std::make_unique<las::LasService>(
        platform_, [] { return kNow; }, options);
    auto server =
        net::HttpServer::New([this](const net::HttpRequest& r,
                                    const net::PeerInfo& p) { return service_->Handle(r, p); },
                             {});
    ASSERT_TRUE(server.ok());
    endpoint_.unix_path = (dir_ / "las.sock").string();
    ASSERT_TRUE((*server)->Listen(endpoint_).ok());
    server_ = std::move(server).value();
    server_->Start();
  }

  std::string Program(const std::string& content) {
    auto p = dir_ / "prog";
    EXPECT_TRUE(WriteFileAtomic(p, AsBytes(content), 0755).ok());
    return p.string();
  }

  std::filesystem::path dir_;
  std::shared_ptr<platform::Platform> platform_;
  std::unique_ptr<las::LasService> service_;
  std::unique_ptr<net::HttpServer> server_;
  net::Endpoint endpoint_;
};

TEST_F(QuoteSourceTest, TheRuntimeGetsAQuoteOfTheProgramWithItsReportData) {
  StartLas(std::filesystem::read_symlink("/proc/self/exe").string());
  auto program = OpenProgram::Open(Program("program bytes"), std::nullopt);
  ASSERT_TRUE(program.ok());
  Bytes report_data(64, 0x5c);
  auto quote = QuoteForProgram(endpoint_, *program, report_data);
  ASSERT_TRUE(quote.ok()) << quote.status().ToString();
  ASSERT_TRUE(quote->collateral.has_value());
  attestation::VerifierOptions o;
  o.trusted_roots.push_back(ToBytes(platform_->sim_root_pem()));
  auto verifier = attestation::QuoteVerifier::New(o);
  auto v = (*verifier)->Verify(quote->quote, *quote->collateral, kNow);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->mr_enclave(), *program->Measure());
  EXPECT_EQ(Bytes(v->report_data().begin(), v->report_data().end()), report_data);
}

TEST_F(QuoteSourceTest, AnotherProcessIsRefusedAsNotTheRuntime) {
  StartLas("/bin/true");
  auto program = OpenProgram::Open(Program("program bytes"), std::nullopt);
  ASSERT_TRUE(program.ok());
  auto quote = QuoteForProgram(endpoint_, *program, Bytes(64, 0));
  EXPECT_EQ(quote.status().code(), Code::kPermissionDenied);
  EXPECT_NE(quote.status().message().find("not the runtime"), std::string::npos);
}

TEST_F(QuoteSourceTest, ClearErrorsBeforeAsking) {
  auto program = OpenProgram::Open(Program("x"), std::nullopt);
  ASSERT_TRUE(program.ok());
  net::Endpoint tcp{"", "127.0.0.1", 18766};
  EXPECT_EQ(QuoteForProgram(tcp, *program, Bytes(1, 0)).status().code(), Code::kInvalidArgument);
  net::Endpoint missing;
  missing.unix_path = (dir_ / "no.sock").string();
  EXPECT_EQ(QuoteForProgram(missing, *program, Bytes(65, 0)).status().code(),
            Code::kInvalidArgument);
  auto unreachable = QuoteForProgram(missing, *program, Bytes(64, 0));
  EXPECT_EQ(unreachable.status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace scone::runtime
