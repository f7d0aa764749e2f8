// One test per row of the migration table (docs/secrets.md, "Migration"): the plan
// (PlanMigration) and what generation makes of it.
#include "secrets/migration.h"

#include <gtest/gtest.h>

#include "crypto/keys.h"
#include "crypto/x509.h"
#include "secrets/test_util.h"

namespace scone::secrets {
namespace {

using testing::Generate;
using testing::Load;

struct Update {
  sdl::Session before;
  SecretValues before_values;
  sdl::Session after;
  SecretValues after_values;
  std::map<std::string, MigrationStep, std::less<>> plan;
};

Update Updated(std::string_view before, std::string_view after) {
  Update u;
  u.before = Load(before);
  u.before_values = Generate(u.before);
  u.after = Load(after);
  u.plan = PlanMigration(u.before, u.before_values, u.after);
  u.after_values = Generate(u.after, PreviousVersion{&u.before, &u.before_values});
  return u;
}

bool Kept(const Update& u, const char* name) {
  return u.before_values.at(name).material == u.after_values.at(name).material;
}

MigrationAction Action(const Update& u, const char* name) { return u.plan.at(name).action; }

TEST(MigrationTest, AsciiAndBinaryOfTheSameNameAndKindAreKept) {
  auto u =
      Updated("secrets: [{name: a, kind: ascii}, {name: b, kind: binary, size: 32}]\n",
              "secrets: [{name: a, kind: ascii, size: 20}, {name: b, kind: binary, size: 32}]\n");
  EXPECT_EQ(Action(u, "a"), MigrationAction::kKeep);
  EXPECT_EQ(Action(u, "b"), MigrationAction::kKeep);
  EXPECT_TRUE(Kept(u, "a"));
  EXPECT_TRUE(Kept(u, "b"));
}

TEST(MigrationTest, AnotherKindUnderTheSameNameIsGenerated) {
  auto u = Updated("secrets: [{name: a, kind: ascii}]\n", "secrets: [{name: a, kind: binary}]\n");
  EXPECT_EQ(Action(u, "a"), MigrationAction::kGenerate);
  EXPECT_FALSE(Kept(u, "a"));
}

TEST(MigrationTest, AChangedSizeIsGenerated) {
  auto u = Updated("secrets: [{name: a, kind: ascii}]\n",
                   "secrets: [{name: a, kind: ascii, size: 8}]\n");
  EXPECT_EQ(Action(u, "a"), MigrationAction::kGenerate);
  EXPECT_EQ(u.after_values.at("a").material.size(), 8u);
}

TEST(MigrationTest, ANewNameIsGenerated) {
  auto u = Updated("secrets: [{name: a, kind: ascii}]\n", "secrets: [{name: b, kind: ascii}]\n");
  EXPECT_EQ(Action(u, "b"), MigrationAction::kGenerate);
  EXPECT_EQ(u.after_values.count("a"), 0u);  // a removed secret is gone
}

TEST(MigrationTest, AnExplicitValueWinsAndAnEarlierExplicitValueIsNotKept) {
  auto u = Updated("secrets: [{name: a, kind: ascii}, {name: b, kind: ascii, value: given}]\n",
                   "secrets: [{name: a, kind: ascii, value: now-given}, {name: b, kind: ascii}]\n");
  EXPECT_EQ(Action(u, "a"), MigrationAction::kGiven);
  EXPECT_EQ(AsChars(u.after_values.at("a").material.Reveal()), "now-given");
  EXPECT_EQ(Action(u, "b"), MigrationAction::kGenerate);
  EXPECT_NE(AsChars(u.after_values.at("b").material.Reveal()), "given");
}

TEST(MigrationTest, PrivateKeyIsKeptOnlyWithMigrateInBothVersions) {
  const char* with = "secrets: [{name: k, kind: private-key, migrate: true}]\n";
  const char* without = "secrets: [{name: k, kind: private-key}]\n";
  const char* off = "secrets: [{name: k, kind: private-key, migrate: false}]\n";
  auto both = Updated(with, with);
  EXPECT_EQ(Action(both, "k"), MigrationAction::kKeep);
  EXPECT_TRUE(Kept(both, "k"));
  for (auto [b, a] : {std::pair{with, without}, std::pair{without, with}, std::pair{with, off},
                      std::pair{without, without}}) {
    auto u = Updated(b, a);
    EXPECT_EQ(Action(u, "k"), MigrationAction::kGenerate) << b << a;
    EXPECT_FALSE(Kept(u, "k"));
  }
}

TEST(MigrationTest, PrivateKeyOfAnotherKeyTypeIsGenerated) {
  auto u = Updated("secrets: [{name: k, kind: private-key, migrate: true}]\n",
                   "secrets: [{name: k, kind: private-key, key_type: P-384, migrate: true}]\n");
  EXPECT_EQ(Action(u, "k"), MigrationAction::kGenerate);
  // The same type in another spelling is the same type.
  auto same =
      Updated("secrets: [{name: k, kind: private-key, key_type: ed25519, migrate: true}]\n",
              "secrets: [{name: k, kind: private-key, key_type: Ed25519, migrate: true}]\n");
  EXPECT_EQ(Action(same, "k"), MigrationAction::kKeep);
}

TEST(MigrationTest, PublicKeyFollowsItsPrivateKey) {
  const char* s =
      "secrets: [{name: k, kind: private-key, migrate: true}, "
      "{name: p, kind: public-key, private_key: k}]\n";
  auto u = Updated(s, s);
  EXPECT_EQ(Action(u, "p"), MigrationAction::kGenerate);
  EXPECT_TRUE(Kept(u, "p"));  // derived again from the kept key: the same public key
}

TEST(MigrationTest, CertificatesAreReissuedOverAKeptKey) {
  const char* s =
      "secrets: [{name: k, kind: private-key, migrate: true}, "
      "{name: c, kind: x509, private_key: k}]\n";
  auto u = Updated(s, s);
  EXPECT_EQ(Action(u, "c"), MigrationAction::kGenerate);
  EXPECT_NE(u.before_values.at("c").chain[0], u.after_values.at("c").chain[0]);  // re-issued
  EXPECT_TRUE(Kept(u, "c"));  // over the same key
}

TEST(MigrationTest, CertificatesAreReissuedOverANewKeyWhenTheKeyIsNotKept) {
  const char* s =
      "secrets: [{name: k, kind: private-key}, {name: c, kind: x509, private_key: k}]\n";
  auto u = Updated(s, s);
  EXPECT_NE(u.before_values.at("c").chain[0], u.after_values.at("c").chain[0]);
  EXPECT_FALSE(Kept(u, "c"));
}

TEST(MigrationTest, ACaWithoutPrivateKeyKeepsItsKeyOnlyWithMigrateInBothVersions) {
  const char* with = "secrets: [{name: ca, kind: x509-ca, migrate: true}]\n";
  const char* without = "secrets: [{name: ca, kind: x509-ca}]\n";
  auto u = Updated(with, with);
  EXPECT_EQ(Action(u, "ca"), MigrationAction::kReissueOverKeptKey);
  EXPECT_TRUE(Kept(u, "ca"));
  EXPECT_NE(u.before_values.at("ca").chain[0], u.after_values.at("ca").chain[0]);
  auto v = Updated(with, without);
  EXPECT_EQ(Action(v, "ca"), MigrationAction::kGenerate);
  EXPECT_FALSE(Kept(v, "ca"));
}

TEST(MigrationTest, ImportedSecretsAreNotMigrated) {
  auto u = Updated("secrets: [{name: a, kind: ascii}]\n",
                   "secrets: [{name: a, kind: ascii, import: {session: other, secret: a}}]\n");
  EXPECT_EQ(Action(u, "a"), MigrationAction::kImported);
  EXPECT_EQ(u.after_values.count("a"), 0u);
}

}  // namespace
}  // namespace scone::secrets
