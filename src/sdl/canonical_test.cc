// Properties of the canonical form and the session hash: independent of key order,
// quoting and block/flow style; normalizing what means the same; changed by any change of
// meaning.
#include "sdl/canonical.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "common/file_util.h"
#include "crypto/key_hash.h"
#include "crypto/x509.h"
#include "sdl/session.h"

namespace scone::sdl {
namespace {

namespace fs = std::filesystem;
const fs::path kSessions = fs::path(SCONE_TESTDATA_DIR) / "sessions";

std::string Read(const fs::path& p) { return ReadFile(p).value(); }

std::string HashOf(const std::string& text, std::optional<std::string> creator = std::nullopt) {
  Variables v;
  v.Set("NGINX_MRENCLAVE", "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac");
  auto s = LoadSession(text, "t.yaml", v);
  EXPECT_TRUE(s.ok()) << s.status().message() << "\n" << text;
  if (!s.ok()) return "";
  auto h =
      SessionHash(s->session, creator ? std::optional<std::string_view>(*creator) : std::nullopt);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? *h : "";
}

TEST(CanonicalTest, KnownAnswerForTheSmallestSession) {
  auto s = LoadSession("name: a\nversion: \"0.3\"\n", "t", Variables());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(CanonicalForm(s->session, std::nullopt).value(),
            R"({"creator":null,"format":"scone-session-hash/1","session":{"access_policy":)"
            R"({"create_sessions":["CREATOR"],"read":["CREATOR"],"update":["CREATOR"]},)"
            R"("images":[],"name":"a","predecessor":null,"secrets":[],"security":{"attestation":)"
            R"({"ignore_advisories":[],"mode":"hardware","tolerate":[]}},"services":[],)"
            R"("version":"0.3","volumes":[]}})");
  EXPECT_EQ(SessionHash(s->session, std::nullopt).value(),
            "0966ad01e41807195047132689200b3d2f980fad5c33df3885b5e1de75fae117");
}

// list_sessions is in the form only when the file gives it (and it differs from read), so
// the form above and the hash of every session without it stay what they were.
TEST(CanonicalTest, KnownAnswerWithListSessions) {
  auto s = LoadSession("name: a\nversion: \"0.3\"\naccess_policy:\n  list_sessions: [ANY]\n", "t",
                       Variables());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(CanonicalForm(s->session, std::nullopt).value(),
            R"({"creator":null,"format":"scone-session-hash/1","session":{"access_policy":)"
            R"({"create_sessions":["CREATOR"],"list_sessions":["ANY"],"read":["CREATOR"],)"
            R"("update":["CREATOR"]},"images":[],"name":"a","predecessor":null,"secrets":[],)"
            R"("security":{"attestation":{"ignore_advisories":[],"mode":"hardware",)"
            R"("tolerate":[]}},"services":[],"version":"0.3","volumes":[]}})");
  EXPECT_EQ(SessionHash(s->session, std::nullopt).value(),
            "ccfdd8375cee20a3b696c01edd2a18b58ad65f9d824c360fe67d2eb5ab6f6b17");
  // Given as the read list, it is the default: the smallest session's known answer.
  auto same = LoadSession("name: a\nversion: \"0.3\"\naccess_policy:\n  list_sessions: CREATOR\n",
                          "t", Variables());
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(SessionHash(same->session, std::nullopt).value(),
            "0966ad01e41807195047132689200b3d2f980fad5c33df3885b5e1de75fae117");
}

// Secrets naming clients are strings ("$$SCONE::k$$" sorts before "CREATOR"), signers and
// groups objects after the strings; a signer key is one PEM block as OpenSSL writes it.
TEST(CanonicalTest, KnownAnswerWithSecretSignerAndGovernance) {
  Variables v;
  v.Set("A", Read(kSessions / "certs" / "signer-ed25519-a.pem"));
  auto s = LoadSession(
      "name: a\nversion: \"0.3\"\n"
      "secrets: [{name: k, kind: ascii, value: "
      "3WgGaSe16wZmR6D5WwMxsUndnozm5QXos8ckKsrYZSFcVfPii1}]\n"
      "access_policy:\n  read: [CREATOR, \"$$SCONE::k$$\"]\n"
      "  update: {require-at-least-1: [{signer: $A}]}\n",
      "t", v);
  ASSERT_TRUE(s.ok()) << s.status().message();
  const std::string group = R"([{"require-at-least-1":[{"signer":"-----BEGIN PUBLIC KEY-----\n)"
                            R"(MCowBQYDK2VwAyEAbni5QlvBm2DHW+CmLq3LfB1fXbUErMLRgywOvviM10g=\n)"
                            R"(-----END PUBLIC KEY-----\n"}]}])";
  EXPECT_EQ(CanonicalForm(s->session, std::nullopt).value(),
            R"({"creator":null,"format":"scone-session-hash/1","session":{"access_policy":)"
            R"({"create_sessions":)" +
                group + R"(,"read":["$$SCONE::k$$","CREATOR"],"update":)" + group +
                R"(},"images":[],"name":"a","predecessor":null,"secrets":[{"export":[],)"
                R"("export_public":false,"kind":"ascii","name":"k","value":)"
                R"("3WgGaSe16wZmR6D5WwMxsUndnozm5QXos8ckKsrYZSFcVfPii1"}],"security":)"
                R"({"attestation":{"ignore_advisories":[],"mode":"hardware","tolerate":[]}},)"
                R"("services":[],"version":"0.3","volumes":[]}})");
  EXPECT_EQ(SessionHash(s->session, std::nullopt).value(),
            "93f2cd972e875c1096f7530128d7d4d11189dd6ea57bb19efd654b38a8f35e37");
}

TEST(CanonicalTest, GovernanceNormalizesOrderAndShapeOnly) {
  Variables v;
  v.Set("A", Read(kSessions / "certs" / "signer-ed25519-a.pem"));
  v.Set("B", Read(kSessions / "certs" / "signer-ed25519-b.pem"));
  auto hash = [&](const std::string& update) {
    auto s = LoadSession("name: s\nversion: \"0.3\"\naccess_policy:\n  update: " + update + "\n",
                         "t", v);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? SessionHash(s->session, std::nullopt).value() : "";
  };
  const std::string ab = hash("{require-all: [{signer: $A}, {signer: $B}]}");
  // Member order, one entry without a list, a group given as a list of one: the same.
  EXPECT_EQ(ab, hash("[{require-all: [{signer: $B}, {signer: $A}]}]"));
  EXPECT_EQ(hash("{signer: $A}"), hash("[{signer: $A}]"));
  EXPECT_EQ(hash("[CREATOR, {signer: $A}]"), hash("[{signer: $A}, CREATOR]"));
  // N, the kind of group, the keys: each changes the meaning.
  EXPECT_NE(ab, hash("{require-at-least-1: [{signer: $A}, {signer: $B}]}"));
  EXPECT_NE(ab, hash("{require-at-least-2: [{signer: $A}, {signer: $B}]}"));
  EXPECT_NE(hash("{require-at-least-1: [{signer: $A}, {signer: $B}]}"),
            hash("{require-at-least-2: [{signer: $A}, {signer: $B}]}"));
  EXPECT_NE(hash("{signer: $A}"), hash("{signer: $B}"));
  EXPECT_NE(hash("{signer: $A}"), hash("{require-all: [{signer: $A}]}"));
}

// Re-emits a YAML tree with map keys in random order, random flow/block style and random
// quoting of scalars. The result means the same session.
void Restyle(YAML::Emitter& out, const YAML::Node& n, std::mt19937& rng) {
  auto coin = [&] { return std::uniform_int_distribution<int>(0, 1)(rng) == 1; };
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      // (Assigning a YAML::Node writes through to the node it refers to, so the order is
      // shuffled on indices, never on nodes.)
      std::vector<std::pair<YAML::Node, YAML::Node>> kv;
      for (const auto& p : n) kv.emplace_back(p.first, p.second);
      std::vector<size_t> order(kv.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      out << (coin() ? YAML::Flow : YAML::Block) << YAML::BeginMap;
      for (size_t i : order) {
        out << YAML::Key << kv[i].first.Scalar() << YAML::Value;
        Restyle(out, kv[i].second, rng);
      }
      out << YAML::EndMap;
      break;
    }
    case YAML::NodeType::Sequence:
      out << (coin() ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
      for (const auto& e : n) Restyle(out, e, rng);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar: {
      int style = std::uniform_int_distribution<int>(0, 2)(rng);
      if (style == 1) out << YAML::SingleQuoted;
      if (style == 2) out << YAML::DoubleQuoted;
      out << n.Scalar();
      break;
    }
    default:
      out << YAML::Null;
  }
}

TEST(CanonicalTest, HashIgnoresKeyOrderQuotingAndStyle) {
  for (const auto& e : fs::directory_iterator(kSessions / "valid")) {
    SCOPED_TRACE(e.path().filename().string());
    std::string text = Read(e.path());
    std::string want = HashOf(text);
    YAML::Node tree = YAML::Load(text);
    for (unsigned seed = 1; seed <= 12; ++seed) {
      std::mt19937 rng(seed);
      YAML::Emitter out;
      Restyle(out, tree, rng);
      EXPECT_EQ(HashOf(out.c_str()), want) << out.c_str();
    }
  }
}

TEST(CanonicalTest, SameMeaningSameHash) {
  const std::string mr = "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac";
  const std::string mr2 = "6a2e3f4d1b0c9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f";
  const std::string head = "name: s\nversion: \"0.3\"\n";
  const std::string user_pem = Read(kSessions / "certs" / "user.pem");
  const std::string user_hash = "3WgGaSe16wZmR6D5WwMxsUndnozm5QXos8ckKsrYZSFcVfPii1";
  auto indent = [](const std::string& pem) {
    std::string out;
    for (char c : pem) {
      out.push_back(c);
      if (c == '\n') out += "      ";
    }
    return out;
  };
  const std::vector<std::pair<std::string, std::string>> pairs = {
      // A command string is its argument list.
      {"security: {attestation: {mode: none}}\nservices: [{name: a, command: \"/bin/a  -x\ty\"}]\n",
       "security: {attestation: {mode: none}}\nservices: [{name: a, command: [/bin/a, -x, y]}]\n"},
      // Deprecated mrenclaves = one attestation variant; one variant = a list of one.
      {"services: [{name: a, mrenclaves: [" + mr + ", " + mr2 + "]}]\n",
       "services: [{name: a, attestation: [{mrenclave: [" + mr2 + ", " + mr + "]}]}]\n"},
      // A variant with two MRENCLAVEs = two variants with one each; hex case is irrelevant.
      {"services: [{name: a, attestation: {mrenclave: [" + mr + ", " + mr2 + "]}}]\n",
       "services: [{name: a, attestation: [{mrenclave: " + mr2 + "}, {mrenclave: " + mr +
           "}, {mrenclave: " +
           [&] {
             std::string u = mr;
             std::transform(u.begin(), u.end(), u.begin(), ::toupper);
             return u;
           }() +
           "}]}]\n"},
      // A one-version range is an exact version; open bounds are no bounds.
      {"services: [{name: a, attestation: {signer: {mrsigner: " + mr +
           ", isvprodid: 1, isvsvn_min: 4, isvsvn_max: 4}}}]\n",
       "services: [{name: a, attestation: {signer: {mrsigner: " + mr +
           ", isvprodid: 1, isvsvn: 4}}}]\n"},
      {"services: [{name: a, attestation: {signer: {mrsigner: " + mr +
           ", isvprodid: 1, isvsvn_min: 0, isvsvn_max: 65535}}}]\n",
       "services: [{name: a, attestation: {signer: {mrsigner: " + mr + ", isvprodid: 1}}}]\n"},
      // Services and secrets are sets by name.
      {"security: {attestation: {mode: none}}\nservices: [{name: a}, {name: b}]\n",
       "security: {attestation: {mode: none}}\nservices: [{name: b}, {name: a}]\n"},
      // Access policy: defaults, scalar = list of one, certificate = its key hash, order.
      {"", "access_policy: {read: [CREATOR], update: CREATOR, create_sessions: [CREATOR]}\n"},
      {"access_policy: {update: [ANY]}\n",
       "access_policy: {update: ANY, create_sessions: ANY, read: CREATOR}\n"},
      {"access_policy:\n  read:\n    - |\n      " + indent(user_pem) + "\n    - CREATOR\n",
       "access_policy: {read: [CREATOR, " + user_hash + ", CREATOR]}\n"},
      // Security defaults and sets.
      {"", "security: {attestation: {mode: hardware, tolerate: [], ignore_advisories: []}}\n"},
      {"security: {attestation: {tolerate: [debug-mode, hyperthreading], ignore_advisories: "
       "\"*\"}}\n",
       "security: {attestation: {tolerate: [hyperthreading, debug-mode, hyperthreading], "
       "ignore_advisories: [\"*\"]}}\n"},
      // Predecessor ~ = absent; export_public false = absent; a single export = a list.
      {"predecessor: ~\n", ""},
      {"secrets: [{name: x, kind: ascii, export_public: false, export: {session: o}}]\n",
       "secrets: [{name: x, kind: ascii, export: [{session: o}]}]\n"},
      // Numbers and booleans do not depend on quoting; permission is normalized.
      {"secrets: [{name: x, kind: ascii, size: \"16\", migrate: \"true\"}]\n",
       "secrets: [{name: x, kind: ascii, size: 16, migrate: true}]\n"},
      {"images: [{name: i, injection_files: [{path: /a, permission: 600}]}]\n",
       "images: [{name: i, injection_files: [{path: /a, permission: \"0600\"}]}]\n"},
      // An injection file given as a path.
      {"images: [{name: i, injection_files: [/a]}]\n",
       "images: [{name: i, injection_files: [{path: /a}]}]\n"},
      // `san` is a synonym of `dns`, which is a set.
      {"secrets: [{name: k, kind: private-key}, {name: c, kind: x509, private_key: k, dns: [a, "
       "b]}]\n",
       "secrets: [{name: k, kind: private-key}, {name: c, kind: x509, private_key: k, san: [b, a, "
       "a]}]\n"},
  };
  for (const auto& [a, b] : pairs) {
    EXPECT_EQ(HashOf(head + a), HashOf(head + b)) << "A:\n" << a << "\nB:\n" << b;
  }
}

TEST(CanonicalTest, AnyChangeOfMeaningChangesTheHash) {
  const std::string base = Read(kSessions / "valid" / "secrets.yaml") + R"(
access_policy:
  read: [CREATOR]
security:
  attestation:
    tolerate: [hyperthreading]
    ignore_advisories: [INTEL-SA-00334]
)";
  const std::string services = Read(kSessions / "valid" / "services.yaml");
  const std::string volumes = Read(kSessions / "valid" / "images_volumes.yaml");
  struct Change {
    const std::string* text;
    std::string from, to;
  };
  const std::vector<Change> changes = {
      {&base, "name: secrets-demo", "name: secrets-demo2"},
      {&base, "version: \"0.3\"", "version: \"0.3.1\""},
      {&base, "\"--token\"", "\"--tokens\""},
      {&base, "PASSWORD: $$SCONE::password$$", "PASSWORD2: $$SCONE::password$$"},
      {&base, "RAW: $$SCONE::random_bytes:bin$$", "RAW: $$SCONE::random_bytes:hex$$"},
      {&base, "size: 32", "size: 33"},
      {&base, "migrate: true", "migrate: false"},
      {&base, "kind: binary\n    size: 16", "kind: ascii\n    size: 16"},
      {&base, "value: \"hello, enclave\"", "value: \"hello, enclave!\""},
      {&base, "key_type: P-384", "key_type: P-256"},
      {&base, "common_name: \"Demo CA\"", "common_name: \"Demo CA2\""},
      {&base, "valid_for: 3650d", "valid_for: 3651d"},
      {&base, "export_public: true", "export_public: false"},
      {&base, "endpoint: server", "endpoint: client"},
      {&base, "- api\n", "- api2\n"},
      {&base, "session: monitoring", "session: monitoring2"},
      {&base, "secret: token\n  - name: remote", "secret: token2\n  - name: remote"},
      {&base, "cas_url: cas.example.com", "cas_url: cas2.example.com"},
      {&base, "permission: \"0600\"", "permission: \"0640\""},
      {&base, "path: /tls/ca.crt", "path: /tls/ca2.crt"},
      {&base, "read: [CREATOR]", "read: [ANY]"},
      {&base, "tolerate: [hyperthreading]", "tolerate: [hyperthreading, outdated-tcb]"},
      {&base, "[INTEL-SA-00334]", "[INTEL-SA-00335]"},
      {&services, "predecessor: 6a2e", "predecessor: 7a2e"},
      {&services, "pwd: /app", "pwd: /app2"},
      {&services, "PORT: 8443", "PORT: 8444"},
      {&services, "isvprodid: 42", "isvprodid: 43"},
      {&services, "isvsvn_min: 3", "isvsvn_min: 4"},
      {&services, "isvsvn_max: 9", "isvsvn_max: 8"},
      {&services, "isvsvn: 2", "isvsvn_min: 2"},
      {&services, "platforms: [9f2a", "platforms: [8f2a"},
      {&services, "fspf_path: /fspf.pb", "fspf_path: /fspf2.pb"},
      {&services, "--port 8443", "--port  8443 x"},
      {&services, "- /etc/placeholder.conf", "- /etc/placeholder2.conf"},
      {&volumes, "path: /shared", "path: /shared2"},
      {&volumes, "session: backup-session", "session: backup-session2"},
      {&volumes, "volume: their_volume", "volume: their_volume2"},
      {&volumes, "data = /data", "data = /data2"},
  };
  for (const Change& c : changes) {
    ASSERT_NE(c.text->find(c.from), std::string::npos) << c.from;
    std::string changed = *c.text;
    changed.replace(changed.find(c.from), c.from.size(), c.to);
    EXPECT_NE(HashOf(*c.text), HashOf(changed)) << c.from << " -> " << c.to;
  }
}

TEST(CanonicalTest, CreatorIsPartOfTheHash) {
  const std::string text = "name: s\nversion: \"0.3\"\n";
  const std::string creator = Read(kSessions / "certs" / "creator.pem");
  const std::string user = Read(kSessions / "certs" / "user.pem");
  std::string none = HashOf(text);
  std::string with_creator = HashOf(text, creator);
  EXPECT_NE(none, with_creator);
  EXPECT_NE(with_creator, HashOf(text, user));
  EXPECT_EQ(with_creator, HashOf(text, creator));

  // PEM and DER of the same certificate give the same hash.
  auto s = LoadSession(text, "t", Variables());
  ASSERT_TRUE(s.ok());
  auto cert = crypto::ParseCertificatesPem(creator);
  ASSERT_TRUE(cert.ok());
  Bytes der = crypto::CertificateToDer((*cert)[0].get()).value();
  EXPECT_EQ(SessionHash(s->session, AsChars(der)).value(), with_creator);

  EXPECT_FALSE(SessionHash(s->session, std::string_view("not a certificate")).ok());
}

TEST(CanonicalTest, CreatorMustBeOneCertificate) {
  const std::string pem = Read(kSessions / "certs" / "creator.pem");
  auto cert = crypto::ParseCertificatesPem(pem);
  ASSERT_TRUE(cert.ok());
  Bytes der = crypto::CertificateToDer((*cert)[0].get()).value();
  EXPECT_EQ(CreatorCertificateDer(pem).value(), der);
  EXPECT_EQ(CreatorCertificateDer(AsChars(der)).value(), der);
  // Truncated, extended, bit-flipped structure, two certificates, a key.
  Bytes shorter(der.begin(), der.end() - 1);
  Bytes longer = der;
  longer.push_back(0);
  Bytes wrong_tag = der;
  wrong_tag[0] = 0x31;
  EXPECT_FALSE(CreatorCertificateDer(AsChars(shorter)).ok());
  EXPECT_FALSE(CreatorCertificateDer(AsChars(longer)).ok());
  EXPECT_FALSE(CreatorCertificateDer(AsChars(wrong_tag)).ok());
  EXPECT_FALSE(CreatorCertificateDer(pem + pem).ok());
  EXPECT_FALSE(CreatorCertificateDer(Read(kSessions / "certs" / "test-private-key.pem")).ok());
  EXPECT_FALSE(CreatorCertificateDer("").ok());
  EXPECT_FALSE(CreatorCertificateDer(std::string("\x30\x00", 2)).ok());
}

TEST(CanonicalTest, KeyHashOfCorpusCertificateMatchesTheCorpusLiteral) {
  auto certs = crypto::ParseCertificatesPem(Read(kSessions / "certs" / "user.pem"));
  ASSERT_TRUE(certs.ok());
  EXPECT_EQ(crypto::KeyHashOfCertificate((*certs)[0].get()).value(),
            "3WgGaSe16wZmR6D5WwMxsUndnozm5QXos8ckKsrYZSFcVfPii1");
}

}  // namespace
}  // namespace scone::sdl
