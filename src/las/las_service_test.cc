#include "las/las_service.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "attestation/collateral_json.h"
#include "attestation/policy.h"
#include "attestation/verifier.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/keys.h"
#include "platform/signature_file.h"

namespace scone::las {
namespace {
using nlohmann::json;

constexpr int64_t kNow = 1780000000;

class LasServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scone-las-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto p = platform::Platform::OpenOrCreate(dir_ / "platform", {}, kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::move(p).value();
    service_ = std::make_unique<LasService>(platform_, [] { return kNow; });
    unix_peer_.is_unix = true;
    unix_peer_.pid = getpid();
    tcp_peer_.address = "127.0.0.1:5555";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Serves named programs on TCP, as `las --only_for_testing-tcp` does; the test folder
  // becomes searchable by every user, as the rule for named programs wants.
  void UseTestingMode() {
    LasOptions options;
    options.only_for_testing_named_programs = true;
    service_ = std::make_unique<LasService>(
        platform_, [] { return kNow; }, options);
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  }

  // A program file with exactly `mode` (no umask), returned as its path.
  std::string Program(const std::string& name, mode_t mode) {
    auto p = dir_ / name;
    EXPECT_TRUE(WriteFileAtomic(p, AsBytes("#!/bin/sh\necho " + name + "\n"), 0700).ok());
    EXPECT_EQ(chmod(p.c_str(), mode), 0);
    return p.string();
  }

  net::HttpResponse Post(const std::string& target, const json& body, const net::PeerInfo& peer) {
    return service_->Handle({"POST", target, "application/json", body.dump()}, peer);
  }

  // Verifies a /v1/quote response with the platform's root and returns the result.
  attestation::VerifiedQuote VerifyResponse(const net::HttpResponse& r) {
    EXPECT_EQ(r.status, 200u) << r.body;
    json j = json::parse(r.body);
    auto quote = HexDecode(j["quote"].get<std::string>());
    auto collateral = attestation::CollateralFromJson(j["collateral"]);
    EXPECT_TRUE(collateral.ok()) << "ask for the collateral in the request";
    EXPECT_TRUE(quote.ok() && collateral.ok());
    attestation::VerifierOptions o;
    o.trusted_roots.push_back(ToBytes(platform_->sim_root_pem()));
    auto v = attestation::QuoteVerifier::New(o);
    auto verified = (*v)->Verify(*quote, *collateral, kNow);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
    return *verified;
  }

  std::filesystem::path dir_;
  std::shared_ptr<platform::Platform> platform_;
  std::unique_ptr<LasService> service_;
  net::PeerInfo unix_peer_, tcp_peer_;
};

TEST_F(LasServiceTest, UnixCallerIsMeasuredItself) {
  Bytes rd(64, 0x33);
  auto r = Post("/v1/quote", {{"report_data", HexEncode(rd)}, {"collateral", true}}, unix_peer_);
  auto v = VerifyResponse(r);
  auto self = platform::MeasureProgram("/proc/self/exe");
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(v.mr_enclave(), *self);
  EXPECT_EQ(v.mr_signer(), platform::DebugSignerMrSigner());
  EXPECT_TRUE(v.debug());
  EXPECT_EQ(Bytes(v.report_data().begin(), v.report_data().end()), rd);
}

// The program the process `pid` runs now, as /proc shows it.
std::string RunningProgram(pid_t pid) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
}

TEST_F(LasServiceTest, ARememberedCallerIsSeenToExecAndToEnd) {
  // A child runs sh, which exec's sleep on a word from us; LAS keeps the child's /proc
  // directory between requests, yet sees the exec and, once the child is gone, refuses.
  int to_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  pid_t child = fork();
  if (child == 0) {
    dup2(to_child[0], 0);
    close(to_child[1]);
    execl("/bin/sh", "sh", "-c", "read x; exec sleep 30", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(to_child[0]);
  auto wait_for = [&](const std::string& name) {
    for (int i = 0; i < 500 && std::filesystem::path(RunningProgram(child)).filename() != name;
         ++i) {
      usleep(10000);
    }
  };
  auto quote_of_child = [&] {
    net::PeerInfo peer = unix_peer_;
    peer.pid = child;
    return Post("/v1/quote", {{"report_data", "00"}, {"collateral", true}}, peer);
  };
  for (int i = 0; i < 500 && RunningProgram(child) == RunningProgram(getpid()); ++i) {
    usleep(10000);  // until the child has exec'ed sh
  }
  std::string sh = RunningProgram(child);
  ASSERT_NE(sh, RunningProgram(getpid()));
  auto v = VerifyResponse(quote_of_child());
  EXPECT_EQ(v.mr_enclave(), *platform::MeasureProgram(sh));
  ASSERT_EQ(write(to_child[1], "go\n", 3), 3);
  wait_for("sleep");
  std::string sleep = RunningProgram(child);
  ASSERT_EQ(std::filesystem::path(sleep).filename(), "sleep");
  v = VerifyResponse(quote_of_child());
  EXPECT_EQ(v.mr_enclave(), *platform::MeasureProgram(sleep));
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  close(to_child[1]);
  EXPECT_NE(quote_of_child().status, 200u);
}

TEST_F(LasServiceTest, MalformedBodiesAre400NotAServerError) {
  for (std::string body : {R"({"report_data": 1e999})", "{", "[1]", "\"x\""}) {
    auto r = service_->Handle({"POST", "/v1/quote", "application/json", body}, unix_peer_);
    EXPECT_EQ(r.status, 400u) << body;
  }
}

TEST_F(LasServiceTest, UnixCallerCannotNameAnotherProgram) {
  auto r = Post("/v1/quote", {{"report_data", "00"}, {"program", "/bin/true"}}, unix_peer_);
  EXPECT_EQ(r.status, 400u);
}

TEST_F(LasServiceTest, UnixCallerCannotNameAProgramInTestingModeEither) {
  UseTestingMode();
  auto prog = Program("prog", 0755);
  auto r = Post("/v1/quote", {{"report_data", "00"}, {"program", prog}}, unix_peer_);
  EXPECT_EQ(r.status, 400u);
}

TEST_F(LasServiceTest, NamedProgramsNeedTheTestingMode) {
  // Without the testing option, a caller that las does not measure gets no quote at all,
  // whatever it names (the issue: any local process could impersonate any program).
  auto prog = Program("prog", 0755);
  auto r = Post("/v1/quote", {{"report_data", "ab"}, {"program", prog}}, tcp_peer_);
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_NE(r.body.find("--only_for_testing-tcp"), std::string::npos) << r.body;
  EXPECT_EQ(Post("/v1/quote", {{"report_data", "ab"}}, tcp_peer_).status, 403u);
}

TEST_F(LasServiceTest, NamedProgramQuotesAlwaysCarryDebug) {
  UseTestingMode();
  auto prog = Program("prog", 0755);
  auto key = crypto::GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  platform::SignOptions production;
  production.isvprodid = 41;
  production.isvsvn = 3;
  production.production = true;
  auto file = platform::SignEnclave(key->get(), *platform::MeasureProgram(prog), production);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(WriteFileAtomic(platform::SignatureFilePath(prog),
                              platform::SerializeSignatureFile(*file), 0644)
                  .ok());
  auto signed_id = platform::ReadEnclaveIdentity(prog);
  ASSERT_TRUE(signed_id.ok());
  ASSERT_FALSE(signed_id->debug());  // a production enclave ...

  auto r = Post("/v1/quote", {{"report_data", "ab"}, {"program", prog}, {"collateral", true}},
                tcp_peer_);
  auto v = VerifyResponse(r);
  EXPECT_TRUE(v.debug());  // ... named over TCP is quoted as DEBUG
  EXPECT_TRUE(json::parse(r.body)["enclave"]["debug"].get<bool>());
  EXPECT_EQ(v.mr_enclave(), signed_id->mrenclave);
  EXPECT_EQ(v.mr_signer(), signed_id->mrsigner);
  EXPECT_EQ(v.isv_prod_id(), 41);
  EXPECT_EQ(v.isv_svn(), 3);
  EXPECT_FALSE(attestation::CheckPolicy(v, attestation::QuotePolicy{}).ok());
  EXPECT_EQ(Post("/v1/quote", {{"report_data", "ab"}}, tcp_peer_).status, 400u);
  EXPECT_EQ(
      Post("/v1/quote", {{"report_data", "ab"}, {"program", (dir_ / "no").string()}}, tcp_peer_)
          .status,
      404u);
}

TEST_F(LasServiceTest, NamedFilesAreMeasuredOnlyIfEveryUserMayMeasureThem) {
  UseTestingMode();
  auto quote = [&](const std::string& path) {
    return Post("/v1/quote", {{"report_data", "ab"}, {"program", path}}, tcp_peer_).status;
  };
  EXPECT_EQ(quote(Program("ok", 0755)), 200u);
  EXPECT_EQ(quote(Program("ok-too", 0705)), 200u);
  EXPECT_EQ(quote((dir_ / "." / "ok").string()), 200u);
  // A secret-like file (as /etc/shadow), one that others may read but not execute, one
  // that others may execute but not read, and setuid/setgid programs.
  EXPECT_EQ(quote(Program("shadow", 0600)), 403u);
  EXPECT_EQ(quote(Program("no-exec", 0644)), 403u);
  EXPECT_EQ(quote(Program("no-read", 0751)), 403u);
  EXPECT_EQ(quote(Program("setuid", 04755)), 403u);
  EXPECT_EQ(quote(Program("setgid", 02755)), 403u);
  // Not regular files: a FIFO (without blocking), a directory, a device.
  auto fifo = dir_ / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0777), 0);
  ASSERT_EQ(chmod(fifo.c_str(), 0777), 0);
  EXPECT_EQ(quote(fifo.string()), 403u);
  EXPECT_EQ(quote(dir_.string()), 403u);
  EXPECT_EQ(quote("/dev/null"), 403u);
  EXPECT_EQ(quote("/"), 403u);
  // Symbolic links, as the program or on the way to it.
  std::filesystem::create_symlink(dir_ / "ok", dir_ / "link");
  EXPECT_EQ(quote((dir_ / "link").string()), 403u);
  std::filesystem::create_directory_symlink(dir_, dir_ / "dirlink");
  EXPECT_EQ(quote((dir_ / "dirlink" / "ok").string()), 403u);
  // A file in a directory others may not search, however open the file itself is.
  std::filesystem::create_directory(dir_ / "private");
  ASSERT_EQ(chmod((dir_ / "private").c_str(), 0750), 0);
  ASSERT_TRUE(WriteFileAtomic(dir_ / "private" / "prog", AsBytes("x"), 0755).ok());
  ASSERT_EQ(chmod((dir_ / "private" / "prog").c_str(), 0755), 0);
  EXPECT_EQ(quote((dir_ / "private" / "prog").string()), 403u);
  // Relative paths and "..".
  EXPECT_EQ(quote("ok"), 400u);
  EXPECT_EQ(quote((dir_ / "private" / ".." / "ok").string()), 400u);
  // The signature file beside a program follows the same rules.
  auto unreadable_sig = Program("secret-sig", 0755);
  ASSERT_TRUE(WriteFileAtomic(unreadable_sig + ".sig", AsBytes("x"), 0600).ok());
  EXPECT_EQ(quote(unreadable_sig), 403u);
  auto linked_sig = Program("linked-sig", 0755);
  std::filesystem::create_symlink(dir_ / "secret-sig.sig", linked_sig + ".sig");
  EXPECT_EQ(quote(linked_sig), 403u);
  auto fifo_sig = Program("fifo-sig", 0755);
  ASSERT_EQ(mkfifo((fifo_sig + ".sig").c_str(), 0777), 0);
  ASSERT_EQ(chmod((fifo_sig + ".sig").c_str(), 0777), 0);
  EXPECT_EQ(quote(fifo_sig), 403u);
}

TEST_F(LasServiceTest, SealKeysOnlyOnTheUnixSocketAndPerIdentity) {
  EXPECT_EQ(Post("/v1/seal-key", {{"policy", "mrsigner"}}, tcp_peer_).status, 403u);
  auto a = Post("/v1/seal-key", {{"policy", "mrsigner"}}, unix_peer_);
  auto b = Post("/v1/seal-key", {{"policy", "mrenclave"}}, unix_peer_);
  ASSERT_EQ(a.status, 200u) << a.body;
  ASSERT_EQ(b.status, 200u);
  EXPECT_NE(json::parse(a.body)["key"], json::parse(b.body)["key"]);
  EXPECT_EQ(json::parse(a.body)["key"].get<std::string>().size(), 64u);
  // The answer carries a key: it is wiped when freed, by las and by net (net/http.h).
  EXPECT_TRUE(a.sensitive);
  EXPECT_FALSE(service_->Handle({"GET", "/v1/collateral", "", ""}, unix_peer_).sensitive);
  EXPECT_EQ(Post("/v1/seal-key", {{"policy", "other"}}, unix_peer_).status, 400u);
  // The test binary is unsigned: ISVSVN 0, so a higher key version is refused.
  EXPECT_EQ(Post("/v1/seal-key", {{"policy", "mrsigner"}, {"key_isvsvn", 1}}, unix_peer_).status,
            403u);
}

TEST_F(LasServiceTest, RejectsMalformedRequests) {
  EXPECT_EQ(service_->Handle({"POST", "/v1/quote", "", "{not json"}, unix_peer_).status, 400u);
  EXPECT_EQ(Post("/v1/quote", json::array(), unix_peer_).status, 400u);
  EXPECT_EQ(Post("/v1/quote", {{"report_data", std::string(130, 'a')}}, unix_peer_).status, 400u);
  EXPECT_EQ(Post("/v1/quote", {{"report_data", "xyz"}}, unix_peer_).status, 400u);
  EXPECT_EQ(service_->Handle({"GET", "/v1/nothing", "", ""}, unix_peer_).status, 404u);
  EXPECT_EQ(service_->Handle({"DELETE", "/v1/quote", "", ""}, unix_peer_).status, 400u);
  net::PeerInfo unknown;
  unknown.is_unix = true;
  EXPECT_EQ(Post("/v1/quote", {{"report_data", "00"}}, unknown).status, 403u);
}

TEST_F(LasServiceTest, ServesCollateralAndRoot) {
  auto r = service_->Handle({"GET", "/v1/collateral", "", ""}, tcp_peer_);
  ASSERT_EQ(r.status, 200u);
  EXPECT_TRUE(attestation::CollateralFromJson(json::parse(r.body)["collateral"]).ok());
  r = service_->Handle({"GET", "/v1/sim-root-ca", "", ""}, tcp_peer_);
  EXPECT_EQ(r.body, platform_->sim_root_pem());
}

}  // namespace
}  // namespace scone::las
