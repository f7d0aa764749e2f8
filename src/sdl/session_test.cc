// The session corpus: every valid file loads, hashes and survives printing; every invalid
// file fails with the error kind, line and column its .expect sidecar names.
#include "sdl/session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/file_util.h"

namespace scone::sdl {
namespace {

namespace fs = std::filesystem;

const fs::path kSessions = fs::path(SCONE_TESTDATA_DIR) / "sessions";

std::string Read(const fs::path& p) {
  auto r = ReadFile(p);
  EXPECT_TRUE(r.ok()) << p << ": " << r.status().ToString();
  return r.ok() ? *r : std::string();
}

std::vector<fs::path> Files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Variables TestVars() {
  Variables v;
  v.Set("NGINX_MRENCLAVE", "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac");
  return v;
}

TEST(ValidCorpusTest, EveryFileLoadsHashesAndRoundTripsThroughYaml) {
  auto files = Files(kSessions / "valid");
  ASSERT_GE(files.size(), 10u);
  std::string creator = Read(kSessions / "certs" / "creator.pem");
  std::set<std::string> hashes;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.filename().string());
    Diagnostic d;
    auto s = LoadSession(Read(f), f.filename().string(), TestVars(), std::nullopt, &d);
    ASSERT_TRUE(s.ok()) << s.status().message();
    auto h = SessionHash(s->session, creator);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(h->size(), 64u);
    EXPECT_TRUE(hashes.insert(*h).second) << "two corpus files hash the same";

    // The printed session (with secret values) is a session file with the same meaning.
    std::string printed = SessionToYaml(s->session, {.reveal_secret_values = true});
    auto again = LoadSession(printed, "printed.yaml", Variables(), std::nullopt, &d);
    ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << printed;
    EXPECT_EQ(SessionHash(again->session, creator).value(), *h) << printed;
  }
}

TEST(ValidCorpusTest, CorpusCoversEverySection) {
  std::set<SecretKind> kinds;
  bool variant_list = false, signer = false, mrenclaves = false, injection = false,
       image_volume = false, volume_export = false, volume_import = false, policy_cert = false,
       policy_hash = false, tolerate = false, all_advisories = false, mode_none = false,
       secret_import = false, secret_export = false, command_string = false, command_list = false;
  for (const fs::path& f : Files(kSessions / "valid")) {
    auto s = LoadSession(Read(f), f.string(), TestVars());
    ASSERT_TRUE(s.ok()) << s.status().message();
    const Session& x = s->session;
    for (const Service& svc : x.services) {
      variant_list |= svc.attestation.size() > 1;
      mrenclaves |= svc.uses_deprecated_mrenclaves;
      command_string |= svc.command_was_string;
      command_list |= svc.command && !svc.command_was_string;
      for (const auto& v : svc.attestation) signer |= v.signer.has_value();
    }
    for (const Secret& sec : x.secrets) {
      if (sec.kind) kinds.insert(sec.kind->value);
      secret_import |= sec.import.has_value();
      secret_export |= !sec.exports.empty();
    }
    for (const Image& img : x.images) {
      injection |= !img.injection_files.empty();
      image_volume |= !img.volumes.empty();
    }
    for (const Volume& v : x.volumes) {
      volume_export |= !v.exports.empty();
      volume_import |= v.import.has_value();
    }
    for (const auto* list : {&x.access_policy.read, &x.access_policy.update}) {
      if (!*list) continue;
      for (const PolicyEntry& e : **list) {
        policy_cert |= e.from_certificate;
        policy_hash |= e.kind == PolicyEntry::Kind::kKeyHash && !e.from_certificate;
      }
    }
    tolerate |= !x.security.tolerate.empty();
    all_advisories |= x.security.ignore_all_advisories;
    mode_none |= x.security.mode.value == AttestationMode::kNone;
  }
  EXPECT_EQ(kinds.size(), 6u);
  EXPECT_TRUE(variant_list && signer && mrenclaves && injection && image_volume && volume_export &&
              volume_import && policy_cert && policy_hash && tolerate && all_advisories &&
              mode_none && secret_import && secret_export && command_string && command_list);
}

struct Expectation {
  std::string kind;
  int line = 0;    // 0: not checked
  int column = 0;  // 0: not checked
};

Expectation ReadExpectation(const fs::path& p) {
  std::istringstream in(Read(p));
  Expectation e;
  std::string line, column;
  in >> e.kind >> line >> column;
  if (line != "-") e.line = std::stoi(line);
  if (column != "-") e.column = std::stoi(column);
  return e;
}

TEST(InvalidCorpusTest, EveryFileFailsWithTheExpectedKindAndPosition) {
  auto files = Files(kSessions / "invalid");
  ASSERT_GE(files.size(), 25u);
  std::set<std::string> kinds_seen;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.filename().string());
    fs::path sidecar = f;
    sidecar.replace_extension(".expect");
    ASSERT_TRUE(fs::exists(sidecar));
    Expectation want = ReadExpectation(sidecar);
    Diagnostic d;
    auto s = LoadSession(Read(f), f.filename().string(), TestVars(), std::nullopt, &d);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(ErrorKindName(d.kind), want.kind) << d.ToString();
    if (want.line != 0) {
      EXPECT_EQ(d.position.line, want.line) << d.ToString();
    }
    if (want.column != 0) {
      EXPECT_EQ(d.position.column, want.column) << d.ToString();
    }
    EXPECT_EQ(d.file, f.filename().string());
    // The message leads with the file and, where known, line and column.
    std::string prefix = f.filename().string();
    if (d.position.line > 0) {
      prefix += ":" + std::to_string(d.position.line) + ":" + std::to_string(d.position.column);
    }
    EXPECT_EQ(s.status().message().rfind(prefix, 0), 0u) << s.status().message();
    kinds_seen.insert(want.kind);
  }
  // One file at least for every kind of error.
  for (int k = 0; k <= static_cast<int>(kLastErrorKind); ++k) {
    EXPECT_TRUE(kinds_seen.count(std::string(ErrorKindName(static_cast<ErrorKind>(k)))))
        << "no invalid corpus file for " << ErrorKindName(static_cast<ErrorKind>(k));
  }
}

TEST(LoadSessionTest, RenameHappensAfterSubstitutionAndIsValidated) {
  Variables v;
  v.Set("N", "from-variable");
  auto s = LoadSession("name: $N\nversion: \"0.3\"\n", "f", v, "team/renamed");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->session.name.value, "team/renamed");

  Diagnostic d;
  auto bad = LoadSession("name: ok\nversion: \"0.3\"\n", "f", v, "bad name", &d);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(d.kind, ErrorKind::kInvalidName);
  // A rename does not excuse a missing variable in the original name.
  auto missing = LoadSession("name: $NOPE\nversion: \"0.3\"\n", "f", Variables(), "x", &d);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(d.kind, ErrorKind::kUndefinedVariable);
}

TEST(LoadSessionTest, VariablesWorkInEveryValue) {
  std::string text = R"(name: "$SESSION"
version: "$VERSION"
services:
  - name: ${SERVICE}
    command: ["$BIN", "--flag"]
    environment: {KEY: "$VALUE"}
    attestation: {mrenclave: "$MRE", signer: {mrsigner: "$MRE", isvprodid: "$PROD"}}
secrets:
  - {name: s, kind: ascii, size: "$SIZE"}
access_policy: {read: "$READER"}
security: {attestation: {tolerate: "$TOL"}}
)";
  Variables v;
  for (auto [k, val] : std::initializer_list<std::pair<const char*, const char*>>{
           {"SESSION", "sess"},
           {"VERSION", "0.3"},
           {"SERVICE", "svc"},
           {"BIN", "/bin/x"},
           {"VALUE", "v"},
           {"MRE", "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac"},
           {"PROD", "5"},
           {"SIZE", "12"},
           {"READER", "ANY"},
           {"TOL", "hyperthreading"}}) {
    v.Set(k, val);
  }
  auto s = LoadSession(text, "f", v);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->session.name.value, "sess");
  EXPECT_EQ(s->session.services[0].name.value, "svc");
  EXPECT_EQ(s->session.secrets[0].size->value, 12u);
  EXPECT_EQ(s->session.services[0].attestation[0].signer->isvprodid->value, 5);
  EXPECT_EQ((*s->session.access_policy.read)[0].kind, PolicyEntry::Kind::kAny);
}

TEST(LoadSessionTest, SubstitutedValuesCannotBreakQuotingOrStructure) {
  Variables v;
  v.Set("EVIL", "x\"\n  injected: true\nservices: [");
  auto s = LoadSession(
      "name: s\nversion: \"0.3\"\nsecrets:\n  - {name: a, kind: ascii, value: \"$EVIL\"}\n", "f",
      v);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(AsChars(s->session.secrets[0].value->value.Reveal()),
            "x\"\n  injected: true\nservices: [");
}

TEST(LoadSessionTest, DeprecatedMrenclavesIsAcceptedWithAWarning) {
  auto s = LoadSession(Read(kSessions / "valid" / "seed_variables.yaml"), "seed.yaml", TestVars());
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_NE(s->warnings[0].find("seed.yaml:"), std::string::npos);
  EXPECT_NE(s->warnings[0].find("warning"), std::string::npos);
}

TEST(LoadSessionTest, SecretValuesNeverAppearInErrors) {
  const std::string secret = "TOPSECRET-d41d8cd98f00b204e9800998ecf8427e";
  const std::vector<std::string> texts = {
      // A private key value that is not a PEM key.
      "name: s\nversion: \"0.3\"\nsecrets:\n  - {name: k, kind: private-key, value: \"" + secret +
          "\"}\n",
      // A certificate value that does not parse.
      "name: s\nversion: \"0.3\"\nsecrets:\n  - {name: c, kind: x509, value: \"-----BEGIN "
      "CERTIFICATE-----\\n" +
          secret + "\\n-----END CERTIFICATE-----\\n\"}\n",
      // An environment value with a bad placeholder.
      "name: s\nversion: \"0.3\"\nservices:\n  - name: a\n    attestation: {mrenclave: "
      "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac}\n    environment: "
      "{PW: \"" +
          secret + "$$SCONE::nope$$\"}\n",
      // A secret value next to an unknown key.
      "name: s\nversion: \"0.3\"\nsecrets:\n  - {name: a, kind: ascii, value: \"" + secret +
          "\", sise: 3}\n",
      // A value with invalid UTF-8.
      "name: s\nversion: \"0.3\"\nsecrets:\n  - {name: a, kind: ascii, value: \"" + secret +
          "\xff\"}\n",
  };
  for (const std::string& t : texts) {
    auto s = LoadSession(t, "f", Variables());
    ASSERT_FALSE(s.ok()) << t;
    EXPECT_EQ(s.status().message().find("TOPSECRET"), std::string::npos) << s.status().message();
  }
}

TEST(LoadSessionTest, RejectsHostileInputWithoutCrashing) {
  Diagnostic d;
  // Too large.
  std::string big = "name: s\nversion: \"0.3\"\n#" + std::string(5u << 20, 'x') + "\n";
  EXPECT_FALSE(LoadSession(big, "f", Variables(), std::nullopt, &d).ok());
  EXPECT_EQ(d.kind, ErrorKind::kTooLarge);
  // Deep block nesting on one line.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "- ";
  EXPECT_FALSE(LoadSession(deep, "f", Variables(), std::nullopt, &d).ok());
  EXPECT_EQ(d.kind, ErrorKind::kTooLarge);
  // Aliases that multiply the walk ("billion laughs"): 1000 aliases of a variant that
  // holds 1000 aliases of one MRENCLAVE are a million visits from 15 KB of text.
  std::string laughs =
      "name: s\nversion: \"0.3\"\nservices:\n  - name: a\n    attestation:\n      - &v "
      "{mrenclave: [&m 3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac";
  for (int i = 0; i < 1000; ++i) laughs += ", *m";
  laughs += "]}\n";
  for (int i = 0; i < 1000; ++i) laughs += "      - *v\n";
  EXPECT_FALSE(LoadSession(laughs, "f", Variables(), std::nullopt, &d).ok());
  EXPECT_EQ(d.kind, ErrorKind::kTooLarge);
  // Alias bomb inside a place the schema walks.
  std::string bomb = "name: s\nversion: \"0.3\"\nsecurity: {attestation: {mode: none}}\n";
  bomb += "services:\n  - &s0 {name: a, environment: {A: b}}\n";
  EXPECT_FALSE(LoadSession(bomb + "  - *s0\n", "f", Variables(), std::nullopt, &d).ok());
  EXPECT_EQ(d.kind, ErrorKind::kDuplicateName);
  // A long issuer chain is checked in linear time.
  std::string chain = "name: s\nversion: \"0.3\"\nsecrets:\n";
  for (int i = 0; i < 20000; ++i) {
    chain += "  - {name: c" + std::to_string(i) + ", kind: x509-ca" +
             (i + 1 < 20000 ? ", issuer: c" + std::to_string(i + 1) : std::string()) + "}\n";
  }
  EXPECT_TRUE(LoadSession(chain, "f", Variables()).ok());
  // More than one document.
  EXPECT_FALSE(
      LoadSession("name: s\nversion: \"0.3\"\n---\nname: t\n", "f", Variables(), std::nullopt, &d)
          .ok());
  EXPECT_EQ(d.kind, ErrorKind::kYamlSyntax);
  // yaml-cpp 0.7's LoadAll never returns on this one; it must fail promptly.
  EXPECT_FALSE(LoadSession(",:\nesso;r\n", "f", Variables(), std::nullopt, &d).ok());
  // A control character is reported where it is.
  EXPECT_FALSE(LoadSession(std::string("name: s\nversion: \"0.3\"\nx: a\0b\n", 30), "f",
                           Variables(), std::nullopt, &d)
                   .ok());
  EXPECT_EQ(d.kind, ErrorKind::kYamlSyntax);
  EXPECT_EQ(d.position.line, 3);
  EXPECT_EQ(d.position.column, 5);
  // Content after an explicit document end.
  EXPECT_FALSE(
      LoadSession("name: s\nversion: \"0.3\"\n...\nname: t\n", "f", Variables(), std::nullopt, &d)
          .ok());
  EXPECT_EQ(d.kind, ErrorKind::kYamlSyntax);
  EXPECT_EQ(d.position.line, 4);
  // A leading document marker and a final document end are fine.
  EXPECT_TRUE(LoadSession("---\nname: s\nversion: \"0.3\"\n...\n# end\n", "f", Variables()).ok());
  // Not a mapping; empty; binary junk.
  for (const std::string& t :
       {std::string("- a\n- b\n"), std::string(""), std::string("\0\xff\xfe", 3),
        std::string("name: [a\n"), std::string("{a: *b}")}) {
    EXPECT_FALSE(LoadSession(t, "f", Variables()).ok()) << t;
  }
}

TEST(PrinterTest, PrintedSessionReadsBackWithAwkwardEnvironmentNames) {
  std::string text =
      "name: s\nversion: \"0.3\"\nsecurity: {attestation: {mode: none}}\nservices:\n  - name: "
      "a\n    environment: {\"~\": x, \"null\": y, \"a b\": z, \"#c\": \"\", \"k:\": \"v: w\"}\n";
  auto s = LoadSession(text, "f", Variables());
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::string printed = SessionToYaml(s->session);
  auto again = LoadSession(printed, "f", Variables());
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << printed;
  EXPECT_EQ(SessionHash(again->session, std::nullopt).value(),
            SessionHash(s->session, std::nullopt).value());
}

TEST(PrinterTest, RedactsSecretValuesButNotCertificates) {
  auto s = LoadSession(Read(kSessions / "valid" / "secrets.yaml"), "secrets.yaml", TestVars());
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::string yaml = SessionToYaml(s->session);
  EXPECT_EQ(yaml.find("hello, enclave"), std::string::npos);
  EXPECT_EQ(yaml.find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(yaml.find(kRedacted), std::string::npos);
  EXPECT_NE(yaml.find("BEGIN PUBLIC KEY"), std::string::npos);
  nlohmann::json j = SessionToJson(s->session);
  EXPECT_EQ(j["name"], "secrets-demo");
  EXPECT_EQ(j.dump().find("hello, enclave"), std::string::npos);
  nlohmann::json revealed = SessionToJson(s->session, {.reveal_secret_values = true});
  EXPECT_NE(revealed.dump().find("hello, enclave"), std::string::npos);
}

}  // namespace
}  // namespace scone::sdl
