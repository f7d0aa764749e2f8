// One test per rule of the session language (SDL 0.3) that the corpus files do not cover
// on their own; docs/session-language.md ("Rules and the tests that cover them") lists every
// rule with its source and its test.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sdl/session.h"

namespace scone::sdl {
namespace {

constexpr char kMre[] = "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac";
constexpr char kMrsigner[] = "c2b4b1d9a83bd9d7e11d8b0f6c5a4e3d2c1b0a99887766554433221100ffeedd";

// A session with `body` after name and version (and attestation mode none, so that
// services need no variant unless the test gives one).
std::string Session(const std::string& body) {
  return "name: s\nversion: \"0.3\"\nsecurity: {attestation: {mode: none}}\n" + body;
}

::testing::AssertionResult Loads(const std::string& text) {
  Diagnostic d;
  auto s = LoadSession(text, "t.yaml", Variables(), std::nullopt, &d);
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << d.ToString() << "\n" << text;
}

// The error kind `text` fails with ("loads" if it does not fail).
std::string ErrorOf(const std::string& text) {
  Diagnostic d;
  auto s = LoadSession(text, "t.yaml", Variables(), std::nullopt, &d);
  return s.ok() ? "loads" : std::string(ErrorKindName(d.kind));
}

std::string Signer(const std::string& fields) {
  return Session("services:\n  - name: a\n    attestation: {signer: {" + fields + "}}\n");
}

// --- secrets ----------------------------------------------------------------------------

constexpr char kImport[] = "import: {session: other, secret: t}";

TEST(SecretRulesTest, ImportedSecretNeedsNoKind) {
  // The placeholders of a kind-less import may use the format of any kind.
  std::string text = Session(std::string("secrets:\n  - {name: t, ") + kImport +
                             "}\nservices:\n  - name: a\n    environment: {T: \"$$SCONE::t$$\", "
                             "H: \"$$SCONE::t:hex$$\", C: \"$$SCONE::t:crt$$\"}\n");
  ASSERT_TRUE(Loads(text));
  auto s = LoadSession(text, "t.yaml", Variables());
  ASSERT_TRUE(s.ok());
  nlohmann::json j = SessionToJson(s->session);
  EXPECT_FALSE(j["secrets"][0].contains("kind"));
  // Printed and read back, it keeps its meaning.
  auto again =
      LoadSession(SessionToYaml(s->session, {.reveal_secret_values = true}), "p.yaml", Variables());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(SessionHash(again->session, std::nullopt).value(),
            SessionHash(s->session, std::nullopt).value());
  // With a kind, the formats are those of the kind.
  EXPECT_EQ(ErrorOf(Session(std::string("secrets:\n  - {name: t, kind: ascii, ") + kImport +
                            "}\nservices:\n  - name: a\n    environment: {C: "
                            "\"$$SCONE::t:crt$$\"}\n")),
            "bad-secret-format");
}

TEST(SecretRulesTest, SecretThatIsNotImportedNeedsAKind) {
  EXPECT_EQ(ErrorOf(Session("secrets:\n  - {name: t, size: 3}\n")), "missing-key");
  EXPECT_EQ(ErrorOf(Session("secrets:\n  - {name: t}\n")), "missing-key");
}

TEST(SecretRulesTest, KindlessImportTakesNoKindSpecificKey) {
  EXPECT_EQ(
      ErrorOf(Session(std::string("secrets:\n  - {name: t, key_type: P-256, ") + kImport + "}\n")),
      "unknown-key");
}

TEST(SecretRulesTest, ReferencesNeedAKnownKind) {
  // private_key / issuer must name a secret whose kind the session states.
  EXPECT_EQ(ErrorOf(Session(std::string("secrets:\n  - {name: k, ") + kImport +
                            "}\n  - {name: c, kind: x509, private_key: k}\n")),
            "wrong-reference-kind");
  EXPECT_EQ(ErrorOf(Session(std::string("secrets:\n  - {name: k, kind: private-key, ") + kImport +
                            "}\n  - {name: c, kind: x509, private_key: k}\n")),
            "loads");
}

TEST(SecretRulesTest, KeyTypeAcceptsTheDocumentedSpellings) {
  for (const char* t : {"P-256", "P-384", "Ed25519", "ed25519", "RSA-2048", "RSA-3072"}) {
    EXPECT_TRUE(Loads(
        Session(std::string("secrets:\n  - {name: k, kind: private-key, key_type: ") + t + "}\n")))
        << t;
  }
  EXPECT_EQ(ErrorOf(Session("secrets:\n  - {name: k, kind: private-key, key_type: P-255}\n")),
            "invalid-value");
}

TEST(SecretRulesTest, ExplicitBinaryValueIsHex) {
  EXPECT_TRUE(Loads(Session("secrets:\n  - {name: b, kind: binary, value: DEADBEEF}\n")));
  EXPECT_TRUE(Loads(Session("secrets:\n  - {name: b, kind: binary, value: \"00ff\"}\n")));
  for (const char* bad : {"\"xyz\"", "\"abc\"", "\"\"", "\"de ad\""}) {
    EXPECT_EQ(ErrorOf(Session(std::string("secrets:\n  - {name: b, kind: binary, value: ") + bad +
                              "}\n")),
              "invalid-value")
        << bad;
  }
}

TEST(SecretRulesTest, PublicKeyCanComeFromAPrivateKey) {
  EXPECT_TRUE(
      Loads(Session("secrets:\n  - {name: k, kind: private-key}\n  - {name: p, kind: public-key, "
                    "private_key: k}\n")));
  EXPECT_EQ(ErrorOf(Session("secrets:\n  - {name: k, kind: ascii}\n  - {name: p, kind: "
                            "public-key, private_key: k}\n")),
            "wrong-reference-kind");
  // Without a private key, a value or an import there is nothing to take it from.
  EXPECT_EQ(ErrorOf(Session("secrets:\n  - {name: p, kind: public-key}\n")), "missing-key");
}

// --- placeholders -----------------------------------------------------------------------

std::string WithPlaceholder(const std::string& kind_and_keys, const std::string& placeholder) {
  return Session("secrets:\n  - {name: k, kind: private-key}\n  - {name: x, " + kind_and_keys +
                 "}\nservices:\n  - name: a\n    environment: {V: \"" + placeholder + "\"}\n");
}

TEST(PlaceholderRulesTest, BinaryEncodings) {
  for (const char* f : {"", ":bin", ":hex", ":base64", ":base64url", ":base32", ":base32nopad"}) {
    EXPECT_TRUE(Loads(WithPlaceholder("kind: binary", std::string("$$SCONE::x") + f + "$$"))) << f;
  }
  EXPECT_TRUE(Loads(WithPlaceholder("kind: binary", "$$SCONE::x.hex$$")));  // legacy
  EXPECT_EQ(ErrorOf(WithPlaceholder("kind: binary", "$$SCONE::x:base65$$")), "bad-secret-format");
}

TEST(PlaceholderRulesTest, CertificateAndPublicKeyFormats) {
  EXPECT_TRUE(
      Loads(WithPlaceholder("kind: x509, private_key: k", "$$SCONE::x:pkcs12-with-private-key$$")));
  for (const char* f : {"", ":spki:pem", ":spki:der"}) {
    EXPECT_TRUE(Loads(
        WithPlaceholder("kind: public-key, private_key: k", std::string("$$SCONE::x") + f + "$$")))
        << f;
  }
  EXPECT_EQ(ErrorOf(WithPlaceholder("kind: public-key, private_key: k", "$$SCONE::x:crt$$")),
            "bad-secret-format");
}

TEST(PlaceholderRulesTest, EscapeJsonPipe) {
  EXPECT_TRUE(Loads(WithPlaceholder("kind: ascii", "$$SCONE::x|escape(json)$$")));
  EXPECT_TRUE(Loads(WithPlaceholder("kind: binary", "$$SCONE::x:hex|escape(json)$$")));
  EXPECT_TRUE(Loads(WithPlaceholder("kind: binary", "$$SCONE::x.hex|escape(json)$$")));
  EXPECT_EQ(ErrorOf(WithPlaceholder("kind: ascii", "$$SCONE::x|escape(xml)$$")),
            "bad-secret-format");
  EXPECT_EQ(ErrorOf(WithPlaceholder("kind: ascii", "$$SCONE::x|$$")), "malformed-placeholder");
  EXPECT_EQ(ErrorOf(WithPlaceholder("kind: ascii", "$$SCONE::|escape(json)$$")),
            "malformed-placeholder");
}

TEST(PlaceholderRulesTest, ExplicitCertificateWithoutKeyHasNoKeyFormats) {
  std::ifstream in(std::string(SCONE_TESTDATA_DIR) + "/sessions/certs/creator.pem");
  std::stringstream pem;
  pem << in.rdbuf();
  std::string indented;
  std::string line;
  while (std::getline(pem, line)) indented += "      " + line + "\n";
  auto with = [&](const std::string& keys, const std::string& placeholder) {
    return Session("secrets:\n  - {name: k, kind: private-key}\n  - name: x\n    kind: x509\n" +
                   keys + "    value: |\n" + indented +
                   "services:\n  - name: a\n    environment: {V: \"" + placeholder + "\"}\n");
  };
  EXPECT_TRUE(Loads(with("", "$$SCONE::x:crt$$")));
  EXPECT_TRUE(Loads(with("", "$$SCONE::x.chain$$")));
  for (const char* p : {"$$SCONE::x:privatekey$$", "$$SCONE::x:privatekey:der$$",
                        "$$SCONE::x:pkcs12-with-private-key$$", "$$SCONE::x.key$$"}) {
    EXPECT_EQ(ErrorOf(with("", p)), "bad-secret-format") << p;
  }
  // With private_key the key formats are valid (generation checks that key and
  // certificate match).
  EXPECT_TRUE(Loads(with("    private_key: k\n", "$$SCONE::x:privatekey$$")));
}

// --- services ---------------------------------------------------------------------------

TEST(AttestationRulesTest, SignerNeedsIsvprodid) {
  EXPECT_EQ(ErrorOf(Signer(std::string("mrsigner: ") + kMrsigner)), "missing-key");
  EXPECT_EQ(ErrorOf(Signer(std::string("mrsigner: ") + kMrsigner + ", isvsvn: 3")), "missing-key");
  EXPECT_TRUE(Loads(Signer(std::string("mrsigner: ") + kMrsigner + ", isvprodid: 0")));
}

TEST(AttestationRulesTest, SignerNeedsExactlyOneMrsigner) {
  EXPECT_EQ(ErrorOf(Signer("isvprodid: 1")), "missing-key");
  EXPECT_EQ(ErrorOf(Signer(std::string("mrsigner: [") + kMrsigner + ", " + kMrsigner +
                           "], isvprodid: 1")),
            "wrong-type");
  EXPECT_EQ(ErrorOf(Signer(std::string("mrsigner: [") + kMrsigner + "], isvprodid: 1")),
            "wrong-type");
}

TEST(ServiceRulesTest, CommandEnvironmentAndPwdHoldNoNul) {
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a, command: \"run\\0x\"}\n")), "invalid-value");
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a, command: [run, \"a\\0\"]}\n")),
            "invalid-value");
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a, environment: {A: \"x\\0y\"}}\n")),
            "invalid-value");
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a, pwd: \"/\\0\"}\n")), "invalid-value");
  EXPECT_TRUE(Loads(Session("services:\n  - {name: a, command: \"run x\", pwd: /}\n")));
}

TEST(ServiceRulesTest, EnvironmentNamesHoldNoEqualsSign) {
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a, environment: {\"A=B\": x}}\n")),
            "invalid-value");
}

TEST(ServiceRulesTest, ServiceNeedsAName) {
  EXPECT_EQ(ErrorOf(Session("services:\n  - {command: x}\n")), "missing-key");
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a/b}\n")), "invalid-name");
}

TEST(ServiceRulesTest, AttestationIsOneVariantOrAList) {
  std::string one = Signer(std::string("mrsigner: ") + kMrsigner + ", isvprodid: 2");
  EXPECT_TRUE(Loads(one));
  EXPECT_TRUE(Loads(Session(std::string("services:\n  - name: a\n    attestation:\n      - "
                                        "{mrenclave: ") +
                            kMre + "}\n      - {mrenclave: [" + kMre + ", " + kMre + "]}\n")));
  EXPECT_EQ(ErrorOf(Session("services:\n  - name: a\n    attestation: {}\n")), "missing-key");
}

TEST(AttestationRulesTest, IsvsvnRangeIsOrderedAndSixteenBit) {
  std::string base = std::string("mrsigner: ") + kMrsigner + ", isvprodid: 1, ";
  EXPECT_TRUE(Loads(Signer(base + "isvsvn_min: 2, isvsvn_max: 2")));
  EXPECT_EQ(ErrorOf(Signer(base + "isvsvn_min: 3, isvsvn_max: 2")), "invalid-value");
  EXPECT_EQ(ErrorOf(Signer(base + "isvsvn: 65536")), "invalid-value");
  EXPECT_EQ(ErrorOf(Signer(base + "isvsvn: 1, isvsvn_max: 2")), "conflicting-keys");
}

TEST(ServiceRulesTest, PlatformsFspfKeyAndTagAreHex) {
  std::string platform(64, 'a');
  EXPECT_TRUE(Loads(Session("services:\n  - {name: a, platforms: [" + platform +
                            "], fspf_path: /f.fspf, fspf_key: " + std::string(64, 'b') +
                            ", fspf_tag: " + std::string(32, 'c') + "}\n")));
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a, platforms: [abc]}\n")), "invalid-value");
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a, fspf_key: " + std::string(32, 'b') + "}\n")),
            "invalid-value");
  EXPECT_EQ(ErrorOf(Session("services:\n  - {name: a, fspf_tag: " + std::string(64, 'c') + "}\n")),
            "invalid-value");
}

TEST(SecretRulesTest, EndpointAndValidForTakeTheDocumentedValues) {
  std::string x =
      "secrets:\n  - {name: k, kind: private-key}\n  - {name: c, kind: x509, "
      "private_key: k, ";
  EXPECT_TRUE(Loads(Session(x + "endpoint: server, valid_for: 90 days}\n")));
  EXPECT_TRUE(Loads(Session(x + "endpoint: client, valid_for: 1y 30d}\n")));
  EXPECT_EQ(ErrorOf(Session(x + "endpoint: peer}\n")), "invalid-value");
  EXPECT_EQ(ErrorOf(Session(x + "valid_for: soon}\n")), "invalid-value");
}

TEST(ReferenceRulesTest, SessionHashIsSixtyFourHex) {
  std::string ref =
      "secrets:\n  - {name: t, kind: ascii, import: {session: o, secret: t, "
      "session_hash: ";
  EXPECT_TRUE(Loads(Session(ref + std::string(64, 'a') + "}}\n")));
  EXPECT_EQ(ErrorOf(Session(ref + "abc}}\n")), "invalid-value");
  EXPECT_EQ(ErrorOf(Session("secrets:\n  - {name: t, kind: ascii, import: {session: o}}\n")),
            "missing-key");
}

// --- volumes, security ------------------------------------------------------------------

TEST(VolumeRulesTest, VolumesAreExportedOnlyWithinThisCas) {
  EXPECT_TRUE(Loads(Session("volumes:\n  - {name: v, export: [{session: other}]}\n")));
  EXPECT_EQ(ErrorOf(Session("volumes:\n  - {name: v, export: [{session: other, cas_url: "
                            "cas.example.com}]}\n")),
            "unknown-key");
}

TEST(SecurityRulesTest, TolerateAcceptsEveryDocumentedValue) {
  for (const char* t : {"debug-mode", "hyperthreading", "insecure-igpu", "outdated-tcb",
                        "software-hardening-needed", "insecure-configuration", "aepic-leak"}) {
    EXPECT_TRUE(Loads(std::string("name: s\nversion: \"0.3\"\nsecurity: {attestation: "
                                  "{tolerate: [") +
                      t + "]}}\n"))
        << t;
  }
}

}  // namespace
}  // namespace scone::sdl
