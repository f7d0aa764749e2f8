// Evaluation of a session's access_policy (docs/cas.md "Access policy"): defaults,
// list_sessions, entries naming a secret (through the SecretLookup seam) and the entries
// that match nobody until governance lands.
#include "cas/server/access_policy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "crypto/test_util.h"
#include "sdl/session.h"

namespace scone::cas {
namespace {

using crypto::testing::MakeTestIdentity;
using crypto::testing::TestIdentity;

constexpr int64_t kNow = 1'780'000'000;

// The access policy of a session with `policy` under `access_policy:` (and `secrets`).
sdl::AccessPolicy PolicyOf(const std::string& policy, const std::string& secrets = "") {
  sdl::Variables vars;
  vars.Set("SIGNER", ReadFile(std::filesystem::path(SCONE_TESTDATA_DIR) / "sessions" / "certs" /
                              "signer-ed25519-a.pem")
                         .value());
  auto s = sdl::LoadSession("name: s\nversion: \"0.3\"\n" + secrets + "access_policy:\n" + policy,
                            "t.yaml", vars);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? s->session.access_policy : sdl::AccessPolicy{};
}

class AccessPolicyTest : public ::testing::Test {
 protected:
  // Whether `who` has `permission`, Alice being the creator.
  bool May(const sdl::AccessPolicy& policy, Permission permission, const TestIdentity& who,
           const SecretLookup& secrets = {}) {
    return Permits(policy, permission, alice_.key_hash, who.key_hash, secrets);
  }

  TestIdentity alice_ = MakeTestIdentity("alice", kNow);
  TestIdentity bob_ = MakeTestIdentity("bob", kNow);
  TestIdentity carol_ = MakeTestIdentity("carol", kNow);
  TestIdentity dave_ = MakeTestIdentity("dave", kNow);
};

TEST_F(AccessPolicyTest, ListSessionsDefaultsToReadAndCreatorsMayAlwaysList) {
  // Nothing given: read is CREATOR, so is list_sessions.
  sdl::AccessPolicy none = PolicyOf("  read: [CREATOR]\n");
  EXPECT_TRUE(May(none, Permission::kListSessions, alice_));
  EXPECT_FALSE(May(none, Permission::kListSessions, bob_));

  // The read list; the creator may not read, nor update (so not create sessions either).
  sdl::AccessPolicy read_bob = PolicyOf("  read: [" + bob_.key_hash + "]\n  update: NONE\n");
  EXPECT_TRUE(May(read_bob, Permission::kListSessions, bob_));
  EXPECT_FALSE(May(read_bob, Permission::kListSessions, alice_));
  EXPECT_FALSE(May(read_bob, Permission::kListSessions, carol_));

  // list_sessions given: it replaces read for listing; create_sessions may still list.
  sdl::AccessPolicy given =
      PolicyOf("  read: [" + bob_.key_hash + "]\n  update: NONE\n  list_sessions: [" +
               carol_.key_hash + "]\n  create_sessions: [" + dave_.key_hash + "]\n");
  EXPECT_TRUE(May(given, Permission::kListSessions, carol_));
  EXPECT_TRUE(May(given, Permission::kListSessions, dave_));
  EXPECT_FALSE(May(given, Permission::kListSessions, bob_));
  EXPECT_FALSE(May(given, Permission::kListSessions, alice_));
  EXPECT_TRUE(May(given, Permission::kRead, bob_));
  EXPECT_FALSE(May(given, Permission::kRead, carol_));

  // NONE in list_sessions locks listing, except for who may create sessions (the creator).
  sdl::AccessPolicy locked = PolicyOf("  read: ANY\n  list_sessions: NONE\n");
  EXPECT_FALSE(May(locked, Permission::kListSessions, bob_));
  EXPECT_TRUE(May(locked, Permission::kListSessions, alice_));
  EXPECT_TRUE(May(locked, Permission::kRead, bob_));
}

TEST_F(AccessPolicyTest, SecretEntriesMatchNobodyWithoutTheSecretsValue) {
  // Fail closed: until CAS passes a SecretLookup, or when it has no value, nobody matches.
  sdl::AccessPolicy p =
      PolicyOf("  read: [\"$$SCONE::admin$$\"]\n",
               "secrets:\n  - {name: admin, kind: ascii, value: " + bob_.key_hash + "}\n");
  EXPECT_FALSE(May(p, Permission::kRead, bob_));
  EXPECT_FALSE(May(p, Permission::kRead, alice_));
  SecretLookup nothing = [](std::string_view) { return std::optional<PolicySecret>(); };
  EXPECT_FALSE(May(p, Permission::kRead, bob_, nothing));
  EXPECT_EQ(RequirePermission(p, Permission::kRead, alice_.key_hash, bob_.key_hash, "s").code(),
            Code::kPermissionDenied);
}

TEST_F(AccessPolicyTest, SecretEntriesMatchTheKeyHashOrTheCertificatesKey) {
  sdl::AccessPolicy p =
      PolicyOf("  read: [\"$$SCONE::admin$$\"]\n  update: [\"$$SCONE::service$$\"]\n",
               "secrets:\n  - {name: admin, kind: ascii, value: " + bob_.key_hash +
                   "}\n  - {name: service_key, kind: private-key}\n"
                   "  - {name: service, kind: x509, private_key: service_key}\n");
  std::string asked;
  SecretLookup secrets = [&](std::string_view name) -> std::optional<PolicySecret> {
    asked += std::string(name) + ";";
    if (name == "admin") {
      return PolicySecret{sdl::SecretKind::kAscii, SecretBytes::CopyFrom(AsBytes(bob_.key_hash))};
    }
    if (name == "service") {
      // A chain: the first certificate's key is the one that counts.
      std::string chain = carol_.pem + dave_.pem;
      return PolicySecret{sdl::SecretKind::kX509, SecretBytes::CopyFrom(AsBytes(chain))};
    }
    return std::nullopt;
  };
  EXPECT_TRUE(May(p, Permission::kRead, bob_, secrets));
  EXPECT_FALSE(May(p, Permission::kRead, carol_, secrets));
  EXPECT_TRUE(May(p, Permission::kUpdate, carol_, secrets));
  EXPECT_FALSE(May(p, Permission::kUpdate, dave_, secrets));
  EXPECT_FALSE(May(p, Permission::kUpdate, bob_, secrets));
  EXPECT_NE(asked.find("admin;"), std::string::npos);
  EXPECT_NE(asked.find("service;"), std::string::npos);

  // Values that name no key match nobody: another kind, a broken certificate, a prefix.
  auto returning = [](sdl::SecretKind kind, const std::string& value) -> SecretLookup {
    return [kind, value](std::string_view) -> std::optional<PolicySecret> {
      return PolicySecret{kind, SecretBytes::CopyFrom(AsBytes(value))};
    };
  };
  EXPECT_FALSE(May(p, Permission::kRead, bob_, returning(sdl::SecretKind::kBinary, bob_.key_hash)));
  EXPECT_FALSE(May(p, Permission::kUpdate, carol_, returning(sdl::SecretKind::kX509, "garbage")));
  EXPECT_FALSE(
      May(p, Permission::kUpdate, carol_, returning(sdl::SecretKind::kPublicKey, carol_.pem)));
  EXPECT_FALSE(May(p, Permission::kRead, bob_,
                   returning(sdl::SecretKind::kAscii, bob_.key_hash.substr(0, 10))));
  EXPECT_FALSE(May(p, Permission::kRead, bob_, returning(sdl::SecretKind::kAscii, "")));
}

TEST_F(AccessPolicyTest, SignersAndGovernanceMatchNobody) {
  sdl::AccessPolicy p = PolicyOf(
      "  update: [{signer: $SIGNER}]\n  create_sessions: {require-all: [{signer: $SIGNER}]}\n");
  for (const TestIdentity* who : {&alice_, &bob_}) {
    EXPECT_FALSE(May(p, Permission::kUpdate, *who));
    EXPECT_FALSE(May(p, Permission::kCreateSessions, *who));
  }
  EXPECT_TRUE(May(p, Permission::kRead, alice_));
}

TEST_F(AccessPolicyTest, CasRefusesToStoreSignersAndGovernance) {
  EXPECT_TRUE(RequireSupportedPolicy(PolicyOf("  read: ANY\n  list_sessions: NONE\n")).ok());
  for (const std::string& policy :
       {std::string("  update: [CREATOR, {signer: $SIGNER}]\n"),
        std::string("  create_sessions:\n    require-at-least-1: [{signer: $SIGNER}]\n")}) {
    Status st = RequireSupportedPolicy(PolicyOf(policy));
    EXPECT_EQ(st.code(), Code::kAlreadyExists) << policy;
    EXPECT_EQ(st.message().rfind(kGovernanceNotSupported, 0), 0u) << st.message();
  }
  EXPECT_EQ(SignedSessionNotSupported().code(), Code::kAlreadyExists);
}

}  // namespace
}  // namespace scone::cas
