// Secret values on CAS (secret_values.h, docs/cas.md "Secrets"): stored with their version,
// imports resolved from the exporter's active version each time, the sharing entries.
#include "cas/server/secret_values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cas/server/session_models.h"
#include "common/test_util.h"
#include "sdl/session.h"
#include "store/store_test_util.h"

namespace scone::cas {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1'780'000'000;

std::string Hash(char c) { return std::string(64, c); }

std::string Text(const secrets::SecretValue& v) {
  ByteView b = v.material.Reveal();
  return std::string(b.begin(), b.end());
}

class SecretValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.db_path = dir_.path() / "cas.db";
    o.seal_key = store::testing::PlatformSealKeys(1);
    auto s = store::Store::OpenOrCreate(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    sessions_ = std::make_unique<SessionStore>(store_.get());
  }

  // Stores `yaml` as the next version `hash` of its session, as an upload does.
  Status Put(const std::string& yaml, const std::string& hash) {
    auto checked = sdl::LoadSession(yaml, "session", sdl::Variables{});
    if (!checked.ok()) return checked.status();
    const sdl::Session& session = checked->session;
    SCONE_ASSIGN_OR_RETURN(auto active, sessions_->LoadActive(session.name.value));
    StoredSession s;
    s.name = session.name.value;
    s.yaml = yaml;
    s.version.hash = hash;
    s.version.creator = "creator";
    s.version.created = kNow;
    CommitExpectation expect;
    if (active.has_value()) {
      expect.active = active->version.hash;
      s.version.predecessor = active->version.hash;
    }
    SCONE_ASSIGN_OR_RETURN(s.sharing, SharingOf(session));
    std::shared_ptr<const sdl::Session> previous;
    if (active.has_value()) {
      SCONE_ASSIGN_OR_RETURN(previous, models_.Of(*active));
    }
    SCONE_ASSIGN_OR_RETURN(
        SecretBytes values,
        ValuesForUpload(*sessions_, session, hash, s.sharing, expect.active, previous.get(), kNow));
    return sessions_->Commit(s, values, expect);
  }

  Result<secrets::SecretValues> StoredValues(const std::string& name, const std::string& hash) {
    SCONE_ASSIGN_OR_RETURN(SecretBytes stored, sessions_->Values(name, hash));
    return ParseStoredValues(stored, name);
  }

  scone::testing::TempDir dir_{"scone-secret-values"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<SessionStore> sessions_;
  SessionModels models_;
};

const char kExporter[] =
    "name: exporter\nversion: \"0.3\"\nsecrets:\n"
    "  - {name: shared, kind: ascii, export: [{session: importer}, {namespace: team}]}\n"
    "  - {name: mine, kind: ascii}\n";
const char kExporterWithoutExport[] =
    "name: exporter\nversion: \"0.3\"\nsecrets:\n"
    "  - {name: shared, kind: ascii, export: {namespace: team}}\n"
    "  - {name: mine, kind: ascii}\n";
const char kImporter[] =
    "name: importer\nversion: \"0.3\"\nsecrets:\n"
    "  - {name: local, import: {session: exporter, secret: shared}}\n"
    "  - {name: own, kind: binary}\n";

TEST_F(SecretValuesTest, EachVersionKeepsItsOwnValues) {
  const char v1[] = "name: a\nversion: \"0.3\"\nsecrets:\n  - {name: s, kind: ascii}\n";
  const char v2[] = "name: a\nversion: \"0.3\"\nsecrets:\n  - {name: s, kind: ascii, size: 30}\n";
  ASSERT_TRUE(Put(v1, Hash('1')).ok());
  auto first = StoredValues("a", Hash('1'));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(Put(v2, Hash('2')).ok());
  auto second = StoredValues("a", Hash('2'));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Text(second->at("s")).size(), 30u);
  // The older version, read by its hash, still has its own value.
  auto again = StoredValues("a", Hash('1'));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Text(again->at("s")), Text(first->at("s")));
  EXPECT_EQ(Text(again->at("s")).size(), 20u);
}

// An update without imports reads the previous values directly (not in a read transaction):
// an unchanged secret keeps its value, a changed one is generated anew, a new one appears.
TEST_F(SecretValuesTest, AnUpdateWithoutImportsKeepsTheUnchangedSecrets) {
  const char v1[] =
      "name: a\nversion: \"0.3\"\nsecrets:\n  - {name: kept, kind: ascii}\n"
      "  - {name: changed, kind: ascii}\n";
  const char v2[] =
      "name: a\nversion: \"0.3\"\nsecrets:\n  - {name: kept, kind: ascii}\n"
      "  - {name: changed, kind: ascii, size: 25}\n  - {name: added, kind: binary}\n";
  ASSERT_TRUE(Put(v1, Hash('1')).ok());
  auto first = StoredValues("a", Hash('1'));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(Put(v2, Hash('2')).ok());
  auto second = StoredValues("a", Hash('2'));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Text(second->at("kept")), Text(first->at("kept")));
  EXPECT_EQ(Text(second->at("changed")).size(), 25u);
  EXPECT_NE(Text(second->at("changed")), Text(first->at("changed")));
  EXPECT_EQ(second->count("added"), 1u);
}

TEST_F(SecretValuesTest, ARefusedCommitWritesNoValues) {
  const char v1[] = "name: a\nversion: \"0.3\"\nsecrets:\n  - {name: s, kind: ascii}\n";
  ASSERT_TRUE(Put(v1, Hash('1')).ok());
  // The same name again as a create (expectation: the name is free): refused, nothing kept.
  StoredSession s;
  s.name = "a";
  s.yaml = v1;
  s.version.hash = Hash('3');
  s.version.creator = "c";
  SecretBytes values = SecretBytes::CopyFrom(AsBytes("not stored"));
  EXPECT_EQ(sessions_->Commit(s, values, CommitExpectation{}).code(), Code::kAlreadyExists);
  auto stored = sessions_->Values("a", Hash('3'));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 0u);
}

TEST_F(SecretValuesTest, AnImportResolvesOnlyWhileTheActiveExporterExportsIt) {
  ASSERT_TRUE(Put(kExporter, Hash('e')).ok());
  ASSERT_TRUE(Put(kImporter, Hash('i')).ok());
  auto exporter_values = StoredValues("exporter", Hash('e'));
  ASSERT_TRUE(exporter_values.ok());
  std::string shared = Text(exporter_values->at("shared"));

  auto active = ActiveSecretValues(*sessions_, "importer");
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->session.version.hash, Hash('i'));
  EXPECT_EQ(Text((*active)->values.at("local")), shared);
  EXPECT_EQ((*active)->values.at("own").material.size(), 20u);
  EXPECT_EQ((*active)->values.count("mine"), 0u);

  // The exporter's next version no longer exports to "importer": refused at once.
  ASSERT_TRUE(Put(kExporterWithoutExport, Hash('f')).ok());
  auto refused = ActiveSecretValues(*sessions_, "importer");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("does not export it to importer"));
  EXPECT_THAT(refused.status().message(), Not(HasSubstr(shared)));

  // No such session: nullopt.
  auto none = ActiveSecretValues(*sessions_, "nobody");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(SecretValuesTest, ExportToANamespaceReachesEverySessionBelowIt) {
  ASSERT_TRUE(Put(kExporter, Hash('e')).ok());
  ASSERT_TRUE(Put("name: team\nversion: \"0.3\"\n", Hash('t')).ok());
  std::string in_team =
      "name: team/app\nversion: \"0.3\"\nsecrets:\n"
      "  - {name: x, kind: ascii, import: {session: exporter, secret: shared}}\n";
  EXPECT_TRUE(Put(in_team, Hash('a')).ok());
  // The parser takes `namespace` instead of `session`, not both.
  auto both = sdl::LoadSession(
      "name: e\nversion: \"0.3\"\nsecrets:\n"
      "  - {name: s, kind: ascii, export: {session: a, namespace: team}}\n",
      "session", sdl::Variables{});
  EXPECT_EQ(both.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(ExportReaches({"team", true, {}}, "team/a/b", ""));
  EXPECT_FALSE(ExportReaches({"team", true, {}}, "team", ""));
  EXPECT_FALSE(ExportReaches({"team", true, {}}, "teams/a", ""));
  EXPECT_TRUE(ExportReaches({"app", false, Hash('1')}, "app", Hash('1')));
  EXPECT_FALSE(ExportReaches({"app", false, Hash('1')}, "app", Hash('2')));
}

TEST_F(SecretValuesTest, UploadRefusesImportsThatDoNotResolve) {
  ASSERT_TRUE(Put(kExporter, Hash('e')).ok());
  struct Case {
    const char* secret;
    const char* words;
  } cases[] = {
      {"{name: x, import: {session: nobody, secret: s}}", "that session does not exist"},
      {"{name: x, import: {session: exporter, secret: mine}}", "does not export it"},
      {"{name: x, kind: binary, import: {session: exporter, secret: shared}}",
       "it is a ascii secret there"},
      {"{name: x, import: {session: exporter, secret: shared, cas_url: \"cas.example:8081\"}}",
       "another CAS"},
  };
  for (const Case& c : cases) {
    Status s =
        Put(std::string("name: importer\nversion: \"0.3\"\nsecrets:\n  - ") + c.secret + "\n",
            Hash('i'));
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.secret;
    EXPECT_THAT(s.message(), HasSubstr(c.words)) << c.secret;
    auto active = sessions_->LoadActive("importer");
    ASSERT_TRUE(active.ok());
    EXPECT_FALSE(active->has_value()) << "nothing stored for " << c.secret;
  }
}

TEST_F(SecretValuesTest, AKindlessImportsFormatsAreCheckedAgainstTheExportedKind) {
  ASSERT_TRUE(Put(kExporter, Hash('e')).ok());
  auto importer = [](const std::string& placeholder) {
    return "name: importer\nversion: \"0.3\"\nsecrets:\n"
           "  - {name: x, import: {session: exporter, secret: shared}}\n"
           "services:\n  - name: app\n    mrenclaves: [\"" +
           std::string(64, 'a') + "\"]\n    command: run\n    environment:\n      X: \"" +
           placeholder + "\"\n";
  };
  // `shared` is ascii: no certificate formats.
  Status s = Put(importer("$$SCONE::x:crt$$"), Hash('i'));
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("service app environment X"));
  EXPECT_THAT(s.message(), HasSubstr("session:10:"));
  EXPECT_TRUE(Put(importer("$$SCONE::x:hex$$"), Hash('i')).ok());
}

TEST_F(SecretValuesTest, SharingEntriesSurviveTheStore) {
  ASSERT_TRUE(Put(kExporter, Hash('e')).ok());
  ASSERT_TRUE(Put(kImporter, Hash('i')).ok());
  auto e = sessions_->LoadActive("exporter");
  ASSERT_TRUE(e.ok() && e->has_value());
  ASSERT_EQ((*e)->sharing.exports.size(), 1u);
  const SecretExport& x = (*e)->sharing.exports[0];
  EXPECT_EQ(x.secret, "shared");
  EXPECT_FALSE(x.is_public);
  ASSERT_EQ(x.to.size(), 2u);
  EXPECT_EQ(x.to[0].name, "importer");
  EXPECT_FALSE(x.to[0].is_namespace);
  EXPECT_EQ(x.to[1].name, "team");
  EXPECT_TRUE(x.to[1].is_namespace);
  auto i = sessions_->LoadActive("importer");
  ASSERT_TRUE(i.ok() && i->has_value());
  ASSERT_EQ((*i)->sharing.imports.size(), 1u);
  EXPECT_EQ((*i)->sharing.imports[0].secret, "local");
  EXPECT_EQ((*i)->sharing.imports[0].session, "exporter");
  EXPECT_EQ((*i)->sharing.imports[0].exported_secret, "shared");
  EXPECT_FALSE((*i)->sharing.imports[0].kind.has_value());
  // Strict: a malformed entry is refused.
  EXPECT_FALSE(SharingFromJson(nlohmann::json::parse(R"({"exports": [{"secret": 1}],
      "imports": []})"))
                   .ok());
}

}  // namespace
}  // namespace scone::cas
