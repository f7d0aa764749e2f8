// POST /v1/program-quote: quotes for a program the trusted runtime passes as an open file
// (docs/las.md, "Quotes for a passed program"). The test process plays the caller: it is
// "the runtime" when LasOptions::runtime_path names its own executable.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "attestation/collateral_json.h"
#include "attestation/verifier.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/keys.h"
#include "las/las_protocol.h"
#include "las/las_service.h"
#include "platform/signature_file.h"

namespace scone::las {
namespace {
using nlohmann::json;

constexpr int64_t kNow = 1780000000;

std::string SelfPath() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

class ProgramQuoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scone-las-pq-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto p = platform::Platform::OpenOrCreate(dir_ / "platform", {}, kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::move(p).value();
    Trust(SelfPath());
    peer_.is_unix = true;
    peer_.pid = getpid();
  }
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
    std::filesystem::remove_all(dir_);
  }

  void Trust(const std::string& runtime) {
    LasOptions options;
    options.runtime_path = runtime;
    service_ = std::make_unique<LasService>(
        platform_, [] { return kNow; }, options);
  }

  std::string Write(const std::string& name, const std::string& content) {
    auto p = dir_ / name;
    EXPECT_TRUE(WriteFileAtomic(p, AsBytes(content), 0755).ok());
    return p.string();
  }

  int OpenFd(const std::string& path, int flags = O_RDONLY) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    EXPECT_GE(fd, 0) << path;
    fds_.push_back(fd);
    return fd;
  }

  net::HttpResponse Ask(int program_fd, std::optional<int> signature_fd = std::nullopt) {
    ProgramQuoteRequest r;
    r.report_data = Bytes(64, 0x44);
    r.program_fd = program_fd;
    r.signature_fd = signature_fd;
    r.collateral = true;
    return service_->Handle({"POST", kProgramQuotePath, "application/json", r.ToJson().dump()},
                            peer_);
  }

  attestation::VerifiedQuote Verify(const net::HttpResponse& r) {
    EXPECT_EQ(r.status, 200u) << r.body;
    auto answer = ParseBody<QuoteResponse>(r.body);
    EXPECT_TRUE(answer.ok() && answer->collateral.has_value());
    attestation::VerifierOptions o;
    o.trusted_roots.push_back(ToBytes(platform_->sim_root_pem()));
    auto v = attestation::QuoteVerifier::New(o);
    auto verified = (*v)->Verify(answer->quote, *answer->collateral, kNow);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
    return *verified;
  }

  std::filesystem::path dir_;
  std::shared_ptr<platform::Platform> platform_;
  std::unique_ptr<LasService> service_;
  net::PeerInfo peer_;
  std::vector<int> fds_;
};

TEST_F(ProgramQuoteTest, TheRuntimeGetsAQuoteForTheOpenFile) {
  std::string prog = Write("prog", "the program's bytes\n");
  auto v = Verify(Ask(OpenFd(prog)));
  auto expected = platform::MeasureProgram(prog);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(v.mr_enclave(), *expected);
  EXPECT_EQ(v.mr_signer(), platform::DebugSignerMrSigner());
  EXPECT_TRUE(v.debug());  // unsigned: the debug signer
  EXPECT_EQ(Bytes(v.report_data().begin(), v.report_data().end()), Bytes(64, 0x44));
}

// Found with the real las: the second request of the runtime found its measurement in the
// cache, and the caller's /proc directory was not handed back (las crashed).
TEST_F(ProgramQuoteTest, TheRuntimeIsServedAgainFromTheMeasurementCache) {
  std::string prog = Write("prog", "the program's bytes\n");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Ask(OpenFd(prog)).status, 200u) << i;
    // A plain quote of the caller in between fills the cache as well.
    EXPECT_EQ(
        service_->Handle({"POST", kQuotePath, "application/json", R"({"report_data":"00"})"}, peer_)
            .status,
        200u);
  }
}

TEST_F(ProgramQuoteTest, MeasuresTheOpenFileEvenIfItsPathNowNamesAnother) {
  std::string prog = Write("prog", "measured bytes\n");
  auto expected = platform::MeasureProgram(prog);
  ASSERT_TRUE(expected.ok());
  int fd = OpenFd(prog);
  std::string other = Write("other", "swapped in\n");
  ASSERT_EQ(std::rename(other.c_str(), prog.c_str()), 0);
  EXPECT_EQ(Verify(Ask(fd)).mr_enclave(), *expected);
}

TEST_F(ProgramQuoteTest, TheQuoteCarriesThePassedSignature) {
  std::string prog = Write("prog", "signed program\n");
  auto key = crypto::GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  auto measured = platform::MeasureProgram(prog);
  ASSERT_TRUE(measured.ok());
  platform::SignOptions options;
  options.isvprodid = 41;
  options.isvsvn = 7;
  options.production = true;
  auto file = platform::SignEnclave(key->get(), *measured, options);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  Bytes sig_bytes = platform::SerializeSignatureFile(*file);
  std::string sig = Write("prog.sig", std::string(sig_bytes.begin(), sig_bytes.end()));
  auto v = Verify(Ask(OpenFd(prog), OpenFd(sig)));
  EXPECT_EQ(v.mr_enclave(), *measured);
  EXPECT_NE(v.mr_signer(), platform::DebugSignerMrSigner());
  EXPECT_EQ(v.isv_prod_id(), 41);
  EXPECT_EQ(v.isv_svn(), 7);
  EXPECT_FALSE(v.debug());

  // A signature made for other bytes is refused, never ignored.
  std::string other = Write("other", "another program\n");
  EXPECT_EQ(Ask(OpenFd(other), OpenFd(sig)).status, 403u);
}

TEST_F(ProgramQuoteTest, AProcessThatIsNotTheRuntimeIsRefused) {
  Trust(Write("scone-run", "some other runtime\n"));
  std::string prog = Write("prog", "bytes\n");
  auto r = Ask(OpenFd(prog));
  EXPECT_EQ(r.status, 403u);
  EXPECT_NE(r.body.find("not the runtime"), std::string::npos) << r.body;
}

TEST_F(ProgramQuoteTest, WithoutATrustedRuntimeNothingIsServed) {
  Trust((dir_ / "missing" / "scone-run").string());
  EXPECT_EQ(Ask(OpenFd(Write("prog", "x"))).status, 412u);
  Trust("");
  EXPECT_EQ(Ask(OpenFd(Write("prog2", "x"))).status, 412u);
}

TEST_F(ProgramQuoteTest, OnlyRegularFilesOpenForReading) {
  std::string prog = Write("prog", "bytes\n");
  // O_PATH: a descriptor that could not read the file (las, maybe root, could).
  EXPECT_EQ(Ask(OpenFd(prog, O_PATH)).status, 403u);
  EXPECT_EQ(Ask(OpenFd(prog, O_WRONLY)).status, 403u);
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  fds_.push_back(pipe_fds[0]);
  fds_.push_back(pipe_fds[1]);
  EXPECT_EQ(Ask(pipe_fds[0]).status, 403u);
  EXPECT_EQ(Ask(OpenFd(dir_.string(), O_RDONLY | O_DIRECTORY)).status, 403u);
  EXPECT_EQ(Ask(1000000).status, 404u);  // no such descriptor
  EXPECT_EQ(Ask(OpenFd(prog), 1000001).status, 404u);
}

TEST_F(ProgramQuoteTest, OnlyOnTheUnixSocket) {
  net::PeerInfo tcp;
  tcp.address = "127.0.0.1:5555";
  ProgramQuoteRequest r;
  r.program_fd = OpenFd(Write("prog", "x"));
  auto answer =
      service_->Handle({"POST", kProgramQuotePath, "application/json", r.ToJson().dump()}, tcp);
  EXPECT_EQ(answer.status, 403u);
}

TEST_F(ProgramQuoteTest, RequestsAreParsedStrictly) {
  auto post = [&](const std::string& body) {
    return service_->Handle({"POST", kProgramQuotePath, "application/json", body}, peer_).status;
  };
  EXPECT_EQ(post(R"({"report_data": "00"})"), 400u);                            // no fd
  EXPECT_EQ(post(R"({"report_data": "00", "program_fd": -1})"), 400u);          // negative
  EXPECT_EQ(post(R"({"report_data": "00", "program_fd": "3"})"), 400u);         // text
  EXPECT_EQ(post(R"({"report_data": "00", "program_fd": 4294967296})"), 400u);  // too big
  EXPECT_EQ(post(R"({"report_data": "00", "program_fd": 3, "program": "/x"})"), 400u);
  EXPECT_EQ(post(R"({"report_data": ")" + std::string(130, '0') + R"(", "program_fd": 3})"), 400u);
}

TEST(ProgramQuoteRequest, RoundTrips) {
  ProgramQuoteRequest r;
  r.report_data = {1, 2, 3};
  r.program_fd = 7;
  r.signature_fd = 9;
  r.collateral = true;
  auto back = ProgramQuoteRequest::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->report_data, r.report_data);
  EXPECT_EQ(back->program_fd, 7);
  EXPECT_EQ(back->signature_fd, std::optional<int>(9));
  EXPECT_TRUE(back->collateral);
  EXPECT_EQ(r.ToJson(), json::parse(R"({"report_data":"010203","program_fd":7,)"
                                    R"("signature_fd":9,"collateral":true})"));
}

}  // namespace
}  // namespace scone::las
