// The fixture of the `scone cas ...` tests (cas_*_commands_test.cc): the commands run end to
// end inside one process through cli::Run against the real CAS service on a simulated
// platform, reached through Context::https. (tests/e2e/test_cas_cli.py runs the real `cas`.)
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cas/api.h"
#include "cas/protocol.h"
#include "cas/server/cas_test_util.h"
#include "cli/cas_db.h"
#include "cli/cli_test_util.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/test_util.h"
#include "crypto/x509.h"
#include "platform/platform.h"
#include "platform/platform_test_util.h"

namespace scone::cli::cas_test {

inline constexpr int64_t kNow = 1'780'000'000;
inline constexpr char kWrongToken[] = "e59a91c9dbf4538f32c4f20668bdbc08";
inline constexpr char kDatabaseKey[] =
    "cfadf5e00443f15e4670e253e353dda80eac0b1295903fdc96339554a78cde0a";

using KeyAndCert = crypto::testing::TestIdentity;

inline KeyAndCert MakeKeyAndCert(const char* cn) {
  return crypto::testing::MakeTestIdentity(cn, kNow);
}

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

using ::scone::cli::testing::RunResult;

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
    args.insert(args.begin(), "scone");
    args.push_back("--config");
    args.push_back(config_);
    return ::scone::cli::testing::RunScone(args, kNow, [&](Context& ctx) {
      ctx.https = (cas != nullptr ? cas : cas_.get())->Transport();
      ctx.sleep = [this](std::chrono::milliseconds d) { waited_ms_ += d.count(); };
    });
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

  static inline platform::testing::TempDir* dir_ = nullptr;
  static inline std::shared_ptr<const platform::Platform> platform_;
  static inline std::string sim_root_;
  std::unique_ptr<platform::testing::TempDir> state_;
  std::string config_;
  std::unique_ptr<Cas> cas_;
  int64_t waited_ms_ = 0;
};

}  // namespace scone::cli::cas_test
