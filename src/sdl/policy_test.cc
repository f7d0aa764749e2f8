// access_policy entries beyond CREATOR/ANY/NONE/certificate/key hash: list_sessions,
// $$SCONE::secret$$, signer keys and governance groups (docs/session-language.md
// "access_policy"). Every refusal is checked for its kind and the line it names.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "sdl/session.h"

namespace scone::sdl {
namespace {

namespace fs = std::filesystem;
const fs::path kCerts = fs::path(SCONE_TESTDATA_DIR) / "sessions" / "certs";

constexpr char kKeyHash[] = "3WgGaSe16wZmR6D5WwMxsUndnozm5QXos8ckKsrYZSFcVfPii1";

std::string ReadCert(const char* name) { return ReadFile(kCerts / name).value(); }

// `text` indented by `spaces` on every line (for a PEM block under a YAML key).
std::string Indent(const std::string& text, int spaces) {
  std::string out;
  std::string pad(static_cast<size_t>(spaces), ' ');
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += pad + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// `signer: |` with the PEM of `cert_file`, as a list item at `indent` spaces.
std::string SignerItem(const char* cert_file, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  return pad + "- signer: |\n" + Indent(ReadCert(cert_file), indent + 4);
}

// Line 1 "name: s", line 2 version, line 3 "access_policy:", the policy from line 4 on,
// then `rest` (e.g. secrets).
std::string WithPolicy(const std::string& policy, const std::string& rest = "") {
  return "name: s\nversion: \"0.3\"\naccess_policy:\n" + policy + rest;
}

Result<CheckedSession> Load(const std::string& text, Diagnostic* d = nullptr) {
  Variables vars;
  vars.Set("VOTER", ReadCert("signer-ed25519-c.pem"));
  return LoadSession(text, "t.yaml", vars, std::nullopt, d);
}

::testing::AssertionResult Loads(const std::string& text) {
  Diagnostic d;
  if (Load(text, &d).ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << d.ToString() << "\n" << text;
}

// Fails with `kind` at `line`, and the message leads with that line.
::testing::AssertionResult FailsAt(const std::string& text, ErrorKind kind, int line) {
  Diagnostic d;
  auto s = Load(text, &d);
  if (s.ok()) return ::testing::AssertionFailure() << "loads:\n" << text;
  if (d.kind != kind || d.position.line != line) {
    return ::testing::AssertionFailure()
           << "want " << ErrorKindName(kind) << " at line " << line << ", got " << d.ToString();
  }
  std::string prefix = "t.yaml:" + std::to_string(line) + ":";
  if (s.status().message().rfind(prefix, 0) != 0) {
    return ::testing::AssertionFailure() << "message does not lead with " << prefix;
  }
  return ::testing::AssertionSuccess();
}

// --- list_sessions and the scalar form ----------------------------------------------------

TEST(PolicyParseTest, ListSessionsIsParsed) {
  auto s = Load(WithPolicy("  list_sessions: [ANY]\n"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_TRUE(s->session.access_policy.list_sessions.has_value());
  ASSERT_EQ(s->session.access_policy.list_sessions->size(), 1u);
  EXPECT_EQ(s->session.access_policy.list_sessions->front().kind, PolicyEntry::Kind::kAny);
  EXPECT_FALSE(Load(WithPolicy("  read: [ANY]\n"))->session.access_policy.list_sessions);
  EXPECT_TRUE(
      FailsAt(WithPolicy("  list_sessions: [ANY, CREATOR]\n"), ErrorKind::kExclusiveEntry, 4));
  EXPECT_TRUE(FailsAt(WithPolicy("  list_sessions: [bogus]\n"), ErrorKind::kBadKeyHash, 4));
}

TEST(PolicyParseTest, ScalarNoneIsOneEntry) {
  auto s = Load(WithPolicy("  read: NONE\n  update: CREATOR\n"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->session.access_policy.read->size(), 1u);
  EXPECT_EQ(s->session.access_policy.read->front().kind, PolicyEntry::Kind::kNone);
}

TEST(PolicyParseTest, EntriesAreNotLists) {
  EXPECT_TRUE(FailsAt(WithPolicy("  read:\n    - [CREATOR]\n"), ErrorKind::kWrongType, 5));
  // A key with nothing after it: the empty value is marked right after the key's colon.
  EXPECT_TRUE(FailsAt(WithPolicy("  read:\n"), ErrorKind::kWrongType, 4));
}

// --- $$SCONE::secret$$ --------------------------------------------------------------------

TEST(PolicySecretTest, NamesAnAsciiKeyHashOrAnX509Secret) {
  std::string secrets = std::string("secrets:\n") +
                        "  - {name: admin, kind: ascii, value: " + kKeyHash + "}\n" +
                        "  - {name: svc_key, kind: private-key}\n" +
                        "  - {name: svc, kind: x509, private_key: svc_key}\n" +
                        "  - {name: remote, kind: x509, import: {session: o, secret: c}}\n" +
                        "  - {name: remote_hash, kind: ascii, import: {session: o, secret: h}}\n";
  auto s =
      Load(WithPolicy("  read: [\"$$SCONE::admin$$\", \"$$SCONE::svc$$\"]\n"
                      "  update: [CREATOR, \"$$SCONE::remote$$\"]\n"
                      "  list_sessions: \"$$SCONE::remote_hash$$\"\n",
                      secrets));
  ASSERT_TRUE(s.ok()) << s.status().message();
  const auto& read = *s->session.access_policy.read;
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].kind, PolicyEntry::Kind::kSecret);
  EXPECT_EQ(read[0].secret, "admin");
  EXPECT_EQ(read[1].secret, "svc");
}

TEST(PolicySecretTest, RefusesWhatCannotNameAClient) {
  const std::string entry = "  read: [CREATOR, \"$$SCONE::x$$\"]\n";  // line 4
  // Not declared.
  EXPECT_TRUE(FailsAt(WithPolicy(entry), ErrorKind::kUnknownSecret, 4));
  // Kinds that name no key.
  EXPECT_TRUE(FailsAt(WithPolicy(entry, "secrets:\n  - {name: x, kind: binary, size: 32}\n"),
                      ErrorKind::kWrongReferenceKind, 4));
  EXPECT_TRUE(FailsAt(WithPolicy(entry, "secrets:\n  - {name: x, kind: private-key}\n"),
                      ErrorKind::kWrongReferenceKind, 4));
  EXPECT_TRUE(
      FailsAt(WithPolicy(entry, "secrets:\n  - {name: x, import: {session: other, secret: y}}\n"),
              ErrorKind::kWrongReferenceKind, 4));
  // A generated ascii value is random text, never a key hash.
  EXPECT_TRUE(FailsAt(WithPolicy(entry, "secrets:\n  - {name: x, kind: ascii, size: 16}\n"),
                      ErrorKind::kWrongReferenceKind, 4));
  // An explicit ascii value must be a key hash: the error names the value's line (6).
  EXPECT_TRUE(FailsAt(WithPolicy(entry, "secrets:\n  - {name: x, kind: ascii, value: hunter2}\n"),
                      ErrorKind::kBadKeyHash, 6));
  Diagnostic d;
  ASSERT_FALSE(
      Load(WithPolicy(entry, "secrets:\n  - {name: x, kind: ascii, value: hunter2}\n"), &d).ok());
  EXPECT_EQ(d.message.find("hunter2"), std::string::npos) << "the value is a secret";
}

TEST(PolicySecretTest, IsExactlyOnePlaceholderWithoutFormat) {
  const std::string secrets =
      std::string("secrets:\n  - {name: x, kind: ascii, value: ") + kKeyHash + "}\n";
  EXPECT_TRUE(Loads(WithPolicy("  read: \"$$SCONE::x$$\"\n", secrets)));
  for (const char* bad : {"$$SCONE::x:hex$$", "$$SCONE::x$$|escape(json)", "a$$SCONE::x$$",
                          "$$SCONE::x$$$$SCONE::x$$", "$$SCONE::x", "$$SCONE::$$"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(FailsAt(WithPolicy(std::string("  read:\n    - '") + bad + "'\n", secrets),
                        ErrorKind::kMalformedPlaceholder, 5));
  }
}

// --- signer ---------------------------------------------------------------------------------

TEST(PolicySignerTest, AcceptsEd25519AndP384Keys) {
  auto s = Load(WithPolicy("  update:\n" + SignerItem("signer-ed25519-a.pem", 4) +
                           "  create_sessions:\n" + SignerItem("signer-p384.pem", 4)));
  ASSERT_TRUE(s.ok()) << s.status().message();
  const PolicyEntry& ed = s->session.access_policy.update->front();
  EXPECT_EQ(ed.kind, PolicyEntry::Kind::kSigner);
  EXPECT_EQ(ed.signer_spki.size(), 44u);  // Ed25519 SPKI
  EXPECT_EQ(ed.signer_pem, ReadCert("signer-ed25519-a.pem"));
  EXPECT_EQ(s->session.access_policy.create_sessions->front().signer_spki.size(), 120u);
  // One entry as a mapping, without a list; the key from a variable.
  EXPECT_TRUE(Loads(WithPolicy("  update: {signer: $VOTER}\n")));
}

TEST(PolicySignerTest, RefusesOtherKeysAndOtherPem) {
  std::string p256 = "  update:\n" + SignerItem("test-public-key.pem", 4);
  EXPECT_TRUE(FailsAt(WithPolicy(p256), ErrorKind::kBadPublicKey, 5));
  std::string cert = "  update:\n" + SignerItem("user.pem", 4);
  EXPECT_TRUE(FailsAt(WithPolicy(cert), ErrorKind::kBadPublicKey, 5));
  EXPECT_TRUE(
      FailsAt(WithPolicy("  update:\n    - signer: not a key\n"), ErrorKind::kBadPublicKey, 5));
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - signer: [a]\n"), ErrorKind::kWrongType, 5));
  std::string two = ReadCert("signer-ed25519-a.pem") + ReadCert("signer-ed25519-b.pem");
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - signer: |\n" + Indent(two, 8)),
                      ErrorKind::kBadPublicKey, 5));
}

TEST(PolicySignerTest, IsNotAllowedWhereNothingIsSigned) {
  EXPECT_TRUE(FailsAt(WithPolicy("  read:\n" + SignerItem("signer-ed25519-a.pem", 4)),
                      ErrorKind::kMisplacedEntry, 5));
  EXPECT_TRUE(FailsAt(
      WithPolicy("  update: CREATOR\n  list_sessions:\n" + SignerItem("signer-ed25519-a.pem", 4)),
      ErrorKind::kMisplacedEntry, 6));
}

TEST(PolicySignerTest, MappingEntriesHaveOneKnownKey) {
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - {signer: $VOTER, require-all: []}\n"),
                      ErrorKind::kWrongType, 5));
  EXPECT_TRUE(
      FailsAt(WithPolicy("  update:\n    - {signers: $VOTER}\n"), ErrorKind::kUnknownKey, 5));
}

// --- governance -----------------------------------------------------------------------------

TEST(PolicyGovernanceTest, DocumentedExampleLoads) {
  // SDL 0.3's governance example, with the voters' keys from variables.
  std::string text =
      "name: s\nversion: \"0.3\"\naccess_policy:\n  read: NONE\n  update:\n    require-all:\n"
      "      - require-at-least-2: [{signer: $A}, {signer: $B}, {signer: $C}]\n"
      "      - require-all: [{signer: $D}, {signer: $E}]\n";
  Variables vars;
  vars.Set("A", ReadCert("signer-ed25519-a.pem"));
  vars.Set("B", ReadCert("signer-ed25519-b.pem"));
  vars.Set("C", ReadCert("signer-ed25519-c.pem"));
  vars.Set("D", ReadCert("signer-p384.pem"));
  vars.Set("E", ReadCert("signer-ed25519-a.pem"));
  auto s = LoadSession(text, "t.yaml", vars);
  ASSERT_TRUE(s.ok()) << s.status().message();
  const auto& update = *s->session.access_policy.update;
  ASSERT_EQ(update.size(), 1u);
  EXPECT_EQ(update[0].kind, PolicyEntry::Kind::kRequireAll);
  ASSERT_EQ(update[0].members.size(), 2u);
  EXPECT_EQ(update[0].members[0].kind, PolicyEntry::Kind::kRequireAtLeast);
  EXPECT_EQ(update[0].members[0].at_least, 2u);
  EXPECT_EQ(update[0].members[0].members.size(), 3u);
  EXPECT_EQ(update[0].members[1].kind, PolicyEntry::Kind::kRequireAll);
}

TEST(PolicyGovernanceTest, NMustBeFromOneToTheGroupSize) {
  const std::string group = "[{signer: $VOTER}]\n";
  EXPECT_TRUE(Loads(WithPolicy("  update:\n    - require-at-least-1: " + group)));
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - require-at-least-0: " + group),
                      ErrorKind::kInvalidValue, 5));
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - require-at-least-2: " + group),
                      ErrorKind::kInvalidValue, 5));
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - require-at-least-two: " + group),
                      ErrorKind::kInvalidValue, 5));
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - require-at-least-: " + group),
                      ErrorKind::kInvalidValue, 5));
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - require-at-least-9999999: " + group),
                      ErrorKind::kInvalidValue, 5));
  EXPECT_TRUE(
      FailsAt(WithPolicy("  update:\n    - require-all: []\n"), ErrorKind::kInvalidValue, 5));
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    - require-all:\n"), ErrorKind::kInvalidValue, 5));
}

TEST(PolicyGovernanceTest, GroupsHoldOnlySignersAndGroups) {
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    require-all:\n      - {signer: $VOTER}\n"
                                 "      - CREATOR\n"),
                      ErrorKind::kMisplacedEntry, 7));
  EXPECT_TRUE(FailsAt(WithPolicy("  update:\n    require-all:\n      - require-all:\n"
                                 "          - " +
                                 std::string(kKeyHash) + "\n"),
                      ErrorKind::kMisplacedEntry, 7));
  // Nested groups are fine.
  EXPECT_TRUE(
      Loads(WithPolicy("  create_sessions:\n    require-all:\n      - require-at-least-1:\n"
                       "          - require-all: [{signer: $VOTER}]\n")));
}

TEST(PolicyGovernanceTest, OnlyInUpdateAndCreateSessions) {
  EXPECT_TRUE(FailsAt(WithPolicy("  read:\n    require-all: [{signer: $VOTER}]\n"),
                      ErrorKind::kMisplacedEntry, 5));
  EXPECT_TRUE(
      FailsAt(WithPolicy("  list_sessions:\n    - require-at-least-1: [{signer: $VOTER}]\n"),
              ErrorKind::kMisplacedEntry, 5));
  EXPECT_TRUE(Loads(WithPolicy("  create_sessions:\n    require-all: [{signer: $VOTER}]\n")));
}

TEST(PolicyGovernanceTest, NoMemberTwice) {
  // The same key written twice (once from a variable) would count twice towards N.
  std::string twice = "  update:\n    require-at-least-2:\n      - {signer: $VOTER}\n" +
                      SignerItem("signer-ed25519-c.pem", 6);
  EXPECT_TRUE(FailsAt(WithPolicy(twice), ErrorKind::kInvalidValue, 7));
  // Two groups that mean the same (members in another order).
  std::string groups =
      "  update:\n    require-at-least-1:\n"
      "      - require-all: [{signer: $VOTER}, {signer: $OTHER}]\n"
      "      - require-all: [{signer: $OTHER}, {signer: $VOTER}]\n";
  Variables vars;
  vars.Set("VOTER", ReadCert("signer-ed25519-c.pem"));
  vars.Set("OTHER", ReadCert("signer-ed25519-a.pem"));
  Diagnostic d;
  ASSERT_FALSE(LoadSession(WithPolicy(groups), "t.yaml", vars, std::nullopt, &d).ok());
  EXPECT_EQ(d.kind, ErrorKind::kInvalidValue);
  EXPECT_EQ(d.position.line, 7);
}

// --- signed sessions --------------------------------------------------------------------------

TEST(PolicySignedSessionTest, ASignedSessionIsRefusedForWhatItIs) {
  std::string json = R"({"session": "name: s\nversion: \"0.3\"\n",)"
                     "\n"
                     R"( "signatures": [{"signer": "x", "signature": "y"}]})";
  Diagnostic d;
  auto s = LoadSession(json, "t.json", Variables(), std::nullopt, &d);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(d.kind, ErrorKind::kSignedSession);
  EXPECT_EQ(d.position.line, 2);
  EXPECT_NE(d.message.find("not supported"), std::string::npos) << d.message;
}

}  // namespace
}  // namespace scone::sdl
