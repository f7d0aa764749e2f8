// Certificates of x509 and x509-ca secrets: chains verify with OpenSSL's X509_verify_cert,
// SANs, extended key usage and validity are as declared, for every key type; and, when
// the `openssl` command is installed, `openssl verify` and `openssl x509 -text` agree.
#include "secrets/certificates.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/x509.h"
#include "crypto/x509_verify.h"
#include "secrets/render.h"
#include "secrets/test_util.h"

namespace scone::secrets {
namespace {

using testing::Generate;
using testing::kNow;
using testing::Load;

constexpr int64_t kDay = 86400;

constexpr std::string_view kChain = R"(secrets:
  - {name: root, kind: x509-ca, common_name: "Test Root", valid_for: 10y}
  - {name: inter, kind: x509-ca, issuer: root, common_name: "Test Intermediate"}
  - {name: key, kind: private-key}
  - name: server
    kind: x509
    private_key: key
    issuer: inter
    common_name: "svc.example"
    endpoint: server
    san: ["dns:svc.example", "ip:127.0.0.1", "::1", "*.svc.example"]
    valid_for: 90 days
  - {name: client, kind: x509, private_key: key, issuer: root, endpoint: client}
  - {name: both, kind: x509, private_key: key, endpoint: server_and_client}
)";

crypto::X509Ptr Cert(const Bytes& der) {
  auto c = crypto::ParseCertificateDer(der);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c).value() : nullptr;
}

// Verifies `v`'s chain up to its last certificate (the root) with X509_verify_cert.
Status VerifyChain(const SecretValue& v, int64_t at) {
  std::vector<crypto::X509Ptr> certs;
  for (const Bytes& der : v.chain) certs.push_back(Cert(der));
  crypto::ChainVerifyOptions o;
  o.trust_anchors = {certs.back().get()};
  for (size_t i = 1; i < certs.size(); ++i) o.intermediates.push_back(certs[i].get());
  o.check_crls = false;
  o.time = at;
  return crypto::VerifyCertificateChain(certs.front().get(), o);
}

std::vector<std::string> AltNames(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(  // NOLINT
                                             ASN1_STRING_get0_data(n->d.dNSName)),
                                         static_cast<size_t>(ASN1_STRING_length(n->d.dNSName))));
    } else if (n->type == GEN_IPADD) {
      out.push_back("IP:" + std::to_string(ASN1_STRING_length(n->d.iPAddress)) + " bytes");
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

TEST(CertificatesTest, ChainsVerifyWithX509VerifyCert) {
  auto v = Generate(Load(kChain));
  ASSERT_EQ(v.at("server").chain.size(), 3u);  // server, inter, root
  EXPECT_TRUE(VerifyChain(v.at("server"), kNow + 60).ok());
  EXPECT_TRUE(VerifyChain(v.at("client"), kNow + 60).ok());
  ASSERT_EQ(v.at("both").chain.size(), 1u);  // self-signed
  EXPECT_TRUE(VerifyChain(v.at("both"), kNow + 60).ok());
  // The chain ends at the root's own certificate, and the intermediate is a CA.
  EXPECT_EQ(v.at("server").chain[1], v.at("inter").chain[0]);
  EXPECT_EQ(v.at("server").chain[2], v.at("root").chain[0]);
  EXPECT_EQ(X509_check_ca(Cert(v.at("inter").chain[0]).get()), 1);
  EXPECT_EQ(X509_check_ca(Cert(v.at("server").chain[0]).get()), 0);
}

TEST(CertificatesTest, ValidityIsAsDeclared) {
  auto v = Generate(Load(kChain));
  auto server = Cert(v.at("server").chain[0]);
  EXPECT_EQ(*crypto::Asn1TimeToUnix(X509_get0_notBefore(server.get())), kNow);
  EXPECT_EQ(*crypto::Asn1TimeToUnix(X509_get0_notAfter(server.get())), kNow + 90 * kDay);
  auto root = Cert(v.at("root").chain[0]);
  EXPECT_EQ(*crypto::Asn1TimeToUnix(X509_get0_notAfter(root.get())), kNow + 10 * 365 * kDay);
  auto inter = Cert(v.at("inter").chain[0]);  // the default
  EXPECT_EQ(*crypto::Asn1TimeToUnix(X509_get0_notAfter(inter.get())), kNow + kDefaultValidFor);
  // After 90 days the server certificate no longer verifies.
  EXPECT_FALSE(VerifyChain(v.at("server"), kNow + 91 * kDay).ok());
}

TEST(CertificatesTest, SubjectAltNamesAndCommonNameAreAsDeclared) {
  auto v = Generate(Load(kChain));
  auto server = Cert(v.at("server").chain[0]);
  EXPECT_EQ(AltNames(server.get()), (std::vector<std::string>{"DNS:svc.example", "IP:4 bytes",
                                                              "IP:16 bytes", "DNS:*.svc.example"}));
  EXPECT_EQ(crypto::SubjectName(server.get()), "CN=svc.example");
  // Without common_name the subject is the secret's name.
  EXPECT_EQ(crypto::SubjectName(Cert(v.at("client").chain[0]).get()), "CN=client");
  EXPECT_TRUE(AltNames(Cert(v.at("client").chain[0]).get()).empty());
}

TEST(CertificatesTest, ExtendedKeyUsageFollowsEndpoint) {
  auto v = Generate(Load(kChain));
  auto eku = [&](const char* name) {
    return X509_get_extended_key_usage(Cert(v.at(name).chain[0]).get());
  };
  EXPECT_EQ(eku("server"), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(eku("client"), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(eku("both"), static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXPECT_EQ(eku("root"), UINT32_MAX);  // no extension: any usage
}

TEST(CertificatesTest, EveryKeyTypeMakesAVerifiableCertificate) {
  for (std::string_view type : {"P-256", "P-384", "P-521", "Ed25519", "RSA-2048"}) {
    auto v =
        Generate(Load("secrets:\n  - {name: ca, kind: x509-ca}\n"
                      "  - {name: k, kind: private-key, key_type: " +
                      std::string(type) +
                      "}\n  - {name: c, kind: x509, private_key: k, issuer: ca}\n"
                      "  - {name: self, kind: x509, private_key: k}\n"));
    EXPECT_TRUE(VerifyChain(v.at("c"), kNow + 1).ok()) << type;
    EXPECT_TRUE(VerifyChain(v.at("self"), kNow + 1).ok()) << type;
  }
}

TEST(CertificatesTest, ACaWithAnRsaKeyIssuesALeaf) {
  // An x509-ca signed by a CA that uses an RSA key; the leaf under it verifies.
  auto v =
      Generate(Load("secrets:\n  - {name: rk, kind: private-key, key_type: RSA-2048}\n"
                    "  - {name: root, kind: x509-ca, private_key: rk}\n"
                    "  - {name: leaf, kind: x509, private_key: rk, issuer: root}\n"));
  EXPECT_TRUE(VerifyChain(v.at("leaf"), kNow + 1).ok());
}

TEST(CertificatesTest, AnUnusableAltNameIsRefusedNotSmuggled) {
  for (std::string_view san :
       {"\"a.example,DNS:evil.example\"", "\"ip:999.1.1.1\"", "\"dns:-bad\"", "\"x y\""}) {
    GenerateOptions o;
    o.now = kNow;
    auto r = GenerateSecrets(
        Load("secrets:\n  - {name: c, kind: x509-ca, san: [" + std::string(san) + "]}\n"), o);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << san;
  }
}

TEST(CertificatesTest, ACommonNameLongerThan64CharactersIsRefusedAtUpload) {
  GenerateOptions o;
  o.now = kNow;
  auto r = GenerateSecrets(
      Load("secrets:\n  - {name: c, kind: x509-ca, common_name: " + std::string(65, 'a') + "}\n"),
      o);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  auto ok = GenerateSecrets(
      Load("secrets:\n  - {name: c, kind: x509-ca, common_name: " + std::string(64, 'a') + "}\n"),
      o);
  EXPECT_TRUE(ok.ok()) << ok.status().message();
}

TEST(CertificatesTest, ValidForReadsEveryUnit) {
  EXPECT_EQ(*ParseValidFor("90d"), 90 * 86400);
  EXPECT_EQ(*ParseValidFor("1y 30d"), 395 * 86400);
  EXPECT_EQ(*ParseValidFor("12 hours"), 12 * 3600);
  EXPECT_EQ(*ParseValidFor("2w 3h 4m 5s"), 2 * 7 * 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(*ParseValidFor("1 year"), 365 * 86400);
  EXPECT_FALSE(ParseValidFor("0d").ok());
  EXPECT_FALSE(ParseValidFor("101y").ok());
  EXPECT_FALSE(ParseValidFor("999999999y").ok());
  EXPECT_FALSE(ParseValidFor("d").ok());
  EXPECT_FALSE(ParseValidFor("").ok());
}

// --- the openssl command, when installed -------------------------------------------------

// Fixed command lines (no input from outside the test).
bool HaveOpenSslCommand() {
  return std::system("openssl version >/dev/null 2>&1") == 0;  // NOLINT(cert-env33-c)
}

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");  // NOLINT(cert-env33-c)
  if (p == nullptr) return out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  out += "\nexit=" + std::to_string(pclose(p));
  return out;
}

void Write(const std::filesystem::path& path, const SecretBytes& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.Reveal().data()),  // NOLINT
          static_cast<std::streamsize>(bytes.size()));
}

TEST(CertificatesTest, OpenSslCommandVerifiesAndShowsWhatWasDeclared) {
  if (!HaveOpenSslCommand()) GTEST_SKIP() << "the openssl command is not installed";
  // Valid from now, so that `openssl verify` (which checks at the current time) accepts.
  GenerateOptions o;
  o.now = static_cast<int64_t>(std::time(nullptr)) - 60;
  auto v = GenerateSecrets(Load(kChain), o);
  ASSERT_TRUE(v.ok()) << v.status().message();
  auto dir =
      std::filesystem::temp_directory_path() / ("secrets_openssl_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Write(dir / "root.pem", *RenderValue(v->at("root"), "crt"));
  Write(dir / "inter.pem", *RenderValue(v->at("inter"), "crt"));
  Write(dir / "server.pem", *RenderValue(v->at("server"), "crt"));
  Write(dir / "chain.pem", *RenderValue(v->at("server"), "chain"));
  Write(dir / "key.pem", *RenderValue(v->at("server"), "privatekey"));
  const std::string d = dir.string() + "/";

  std::string verify = RunCommand("openssl verify -CAfile " + d + "root.pem -untrusted " + d +
                                  "inter.pem -purpose sslserver " + d + "server.pem");
  EXPECT_NE(verify.find("server.pem: OK"), std::string::npos) << verify;
  std::string chain = RunCommand("openssl verify -CAfile " + d + "root.pem -untrusted " + d +
                                 "chain.pem " + d + "chain.pem");
  EXPECT_NE(chain.find("exit=0"), std::string::npos) << chain;
  // The client certificate must not pass as a server.
  Write(dir / "client.pem", *RenderValue(v->at("client"), "crt"));
  std::string client =
      RunCommand("openssl verify -CAfile " + d + "root.pem -purpose sslserver " + d + "client.pem");
  EXPECT_EQ(client.find("client.pem: OK"), std::string::npos) << client;

  std::string text = RunCommand("openssl x509 -noout -text -in " + d + "server.pem");
  EXPECT_NE(text.find("DNS:svc.example"), std::string::npos) << text;
  EXPECT_NE(text.find("IP Address:127.0.0.1"), std::string::npos) << text;
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos) << text;
  EXPECT_NE(text.find("CN = svc.example"), std::string::npos) << text;
  std::string key = RunCommand("openssl pkey -noout -in " + d + "key.pem");
  EXPECT_NE(key.find("exit=0"), std::string::npos) << key;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scone::secrets
