// The session endpoints (docs/cas.md "Sessions") against a real CAS in this process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "cas/protocol.h"
#include "cas/server/access_policy.h"
#include "cas/server/cas_test_util.h"
#include "common/file_util.h"
#include "crypto/test_util.h"
#include "platform/platform.h"
#include "sdl/session.h"

namespace scone::cas {
namespace {
using crypto::testing::MakeTestIdentity;
using crypto::testing::TestIdentity;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestCas;
using testing::TestCasIdentity;

constexpr int64_t kNow = 1'780'000'000;

// The message of an error answer.
std::string Message(const net::HttpResponse& r) {
  auto e = api::ParseBody<api::ErrorBody>(r.body, "error");
  return e.ok() && !e->msg.empty() ? e->msg.front() : "<no message: " + r.body + ">";
}

std::string Session(const std::string& name, const std::string& extra = "") {
  return "name: " + name + "\nversion: \"0.3\"\n" + extra;
}

std::string WithPredecessor(const std::string& yaml, const std::string& hash) {
  return yaml + "predecessor: " + hash + "\n";
}

class SessionHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = platform::Platform::OpenOrCreate(dir_.path() / "platform", {}, kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    cas_ = std::make_unique<TestCas>(std::shared_ptr<const platform::Platform>(std::move(*p)),
                                     TestCasIdentity(), kNow);
    ASSERT_TRUE(cas_->ok()) << cas_->status().ToString();
    auto r = cas_->Provision(owner_.der);
    ASSERT_EQ(r.status, 200u) << r.body;
  }

  net::HttpResponse Call(const std::string& method, const std::string& path,
                         const std::string& body, const TestIdentity& who) {
    return cas_->Call(method, path, body, who.der);
  }

  // Uploads `yaml` as `who`; returns the hash (empty on failure, which fails the test).
  std::string Create(const std::string& yaml, const TestIdentity& who, unsigned status = 201) {
    auto r = Call("POST", "/v1/sessions", yaml, who);
    EXPECT_EQ(r.status, status) << r.body;
    auto up = api::ParseBody<api::SessionUploadResponse>(r.body, "answer");
    return up.ok() ? up->hash : "";
  }

  std::string Update(const std::string& name, const std::string& yaml, const TestIdentity& who) {
    auto r = Call("PUT", api::SessionPath(name), yaml, who);
    EXPECT_EQ(r.status, 200u) << r.body;
    auto up = api::ParseBody<api::SessionUploadResponse>(r.body, "answer");
    return up.ok() ? up->hash : "";
  }

  static std::string Hash(const std::string& yaml, const TestIdentity& creator) {
    auto checked = sdl::LoadSession(yaml, "s", sdl::Variables{});
    EXPECT_TRUE(checked.ok()) << checked.status().ToString();
    auto hash = sdl::SessionHash(checked->session, creator.pem);
    return hash.ok() ? *hash : "";
  }

  scone::testing::TempDir dir_{"scone-sessions"};
  std::unique_ptr<TestCas> cas_;
  TestIdentity owner_ = MakeTestIdentity("owner", kNow);
  TestIdentity alice_ = MakeTestIdentity("alice", kNow);
  TestIdentity bob_ = MakeTestIdentity("bob", kNow);
};

TEST_F(SessionHandlerTest, CreatesReadsUpdatesAndKeepsTheChain) {
  std::string v1 = Session("app", "# first\n");
  std::string h1 = Create(v1, alice_);
  // The hash is the session language's, with the uploader's certificate as creator: what
  // `scone session calculate-hash FILE --creator CERT` prints offline.
  EXPECT_EQ(h1, Hash(v1, alice_));

  auto again = Call("POST", "/v1/sessions", v1, alice_);
  EXPECT_EQ(again.status, 409u);
  EXPECT_THAT(again.body, HasSubstr("update"));
  EXPECT_THAT(again.body, HasSubstr(h1));

  auto read = Call("GET", api::SessionPath("app"), "", alice_);
  ASSERT_EQ(read.status, 200u) << read.body;
  auto r1 = api::ParseBody<api::SessionReadResponse>(read.body, "answer");
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->session, v1);  // exactly as uploaded, comment included
  EXPECT_EQ(r1->version.hash, h1);
  EXPECT_EQ(r1->version.creator, alice_.key_hash);
  EXPECT_FALSE(r1->version.predecessor.has_value());
  EXPECT_EQ(r1->version.created, kNow);

  std::string v2 = WithPredecessor(Session("app", "# second\n"), h1);
  std::string h2 = Update("app", v2, alice_);
  EXPECT_EQ(h2, Hash(v2, alice_));
  // POST with the active hash as predecessor updates too (200), as SCONE's CLI does; so does
  // the compatibility path.
  std::string v3 = WithPredecessor(Session("app", "# third\n"), h2);
  std::string h3 = Create(v3, alice_, 200);
  auto legacy = Call("POST", "/session", WithPredecessor(Session("app"), h3), alice_);
  ASSERT_EQ(legacy.status, 200u) << legacy.body;
  auto h4 = api::ParseBody<api::SessionUploadResponse>(legacy.body, "answer");
  ASSERT_TRUE(h4.ok());

  auto history = Call("GET", api::SessionHistoryPath("app"), "", alice_);
  ASSERT_EQ(history.status, 200u) << history.body;
  auto h = api::ParseBody<api::SessionHistoryResponse>(history.body, "answer");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->versions.size(), 4u);
  EXPECT_EQ(h->versions[0].hash, h1);
  EXPECT_FALSE(h->versions[0].predecessor.has_value());
  EXPECT_EQ(h->versions[1].predecessor, h1);
  EXPECT_EQ(h->versions[2].hash, h3);
  EXPECT_EQ(h->versions[3].hash, h4->hash);

  auto old = Call("GET", api::SessionPath("app", h1), "", alice_);
  ASSERT_EQ(old.status, 200u) << old.body;
  EXPECT_EQ(api::ParseBody<api::SessionReadResponse>(old.body, "a")->session, v1);
  EXPECT_EQ(Call("GET", api::SessionPath("app", std::string(64, '0')), "", alice_).status, 404u);
  EXPECT_EQ(Call("GET", api::SessionPath("app", "xyz"), "", alice_).status, 400u);
  EXPECT_EQ(Call("GET", api::SessionPath("nothing"), "", alice_).status, 404u);
}

TEST_F(SessionHandlerTest, LegacyPathCreatesWith201) {
  auto r = Call("POST", "/session", Session("legacy"), alice_);
  ASSERT_EQ(r.status, 201u) << r.body;
  auto up = api::ParseBody<api::SessionUploadResponse>(r.body, "answer");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->name, "legacy");
}

TEST_F(SessionHandlerTest, UpdateNeedsTheActiveHashAsPredecessor) {
  std::string h1 = Create(Session("app"), alice_);
  auto missing = Call("PUT", api::SessionPath("app"), Session("app", "# x\n"), alice_);
  EXPECT_EQ(missing.status, 409u);
  EXPECT_THAT(missing.body, HasSubstr(h1));
  auto stale = Call("PUT", api::SessionPath("app"),
                    WithPredecessor(Session("app"), std::string(64, 'e')), alice_);
  EXPECT_EQ(stale.status, 409u);
  EXPECT_THAT(stale.body, HasSubstr(h1));
  auto stale_post =
      Call("POST", "/v1/sessions", WithPredecessor(Session("app"), std::string(64, 'e')), alice_);
  EXPECT_EQ(stale_post.status, 409u);
  EXPECT_THAT(stale_post.body, HasSubstr(h1));
  // The file names another session than the path.
  EXPECT_EQ(
      Call("PUT", api::SessionPath("app"), WithPredecessor(Session("other"), h1), alice_).status,
      400u);
  EXPECT_EQ(
      Call("PUT", api::SessionPath("nothing"), WithPredecessor(Session("nothing"), h1), alice_)
          .status,
      404u);
  EXPECT_EQ(Call("POST", "/v1/sessions", WithPredecessor(Session("fresh"), h1), alice_).status,
            404u);
  // Nothing of the refused uploads was stored.
  auto history = Call("GET", api::SessionHistoryPath("app"), "", alice_);
  EXPECT_EQ(api::ParseBody<api::SessionHistoryResponse>(history.body, "a")->versions.size(), 1u);
}

// An update whose predecessor is an older version (cached: this CAS stored it) is checked
// against that version's policy, and the commit refuses it because it is not the active
// one: a policy that once allowed a client does not let it replace the version that no
// longer does.
TEST_F(SessionHandlerTest, AnOlderPredecessorThatAllowedTheClientIsRefused) {
  std::string open_policy = Session("app", "access_policy:\n  update: [ANY]\n");
  std::string h1 = Create(open_policy, alice_);
  std::string locked_policy = WithPredecessor(Session("app"), h1);  // update: CREATOR
  std::string h2 = Update("app", locked_policy, alice_);
  for (const char* method : {"PUT", "POST"}) {
    std::string path = std::string(method) == "PUT" ? api::SessionPath("app") : "/v1/sessions";
    auto stale = Call(method, path, WithPredecessor(Session("app", "# bob\n"), h1), bob_);
    EXPECT_EQ(stale.status, 409u) << method << ": " << stale.body;
    EXPECT_THAT(Message(stale), HasSubstr(h2));
    auto current = Call(method, path, WithPredecessor(Session("app", "# bob\n"), h2), bob_);
    EXPECT_EQ(current.status, 403u) << method << ": " << current.body;
    EXPECT_THAT(Message(current), HasSubstr("\"update\""));
  }
  auto history = Call("GET", api::SessionHistoryPath("app"), "", alice_);
  auto versions = api::ParseBody<api::SessionHistoryResponse>(history.body, "a")->versions;
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[1].hash, h2);
  // Once the predecessor is current again for its creator, the update works.
  EXPECT_FALSE(Update("app", WithPredecessor(Session("app", "# alice\n"), h2), alice_).empty());
}

// After a restart nothing of a version is cached: an update reads the version it replaces
// from the store, and its policy and creator still decide.
TEST_F(SessionHandlerTest, AfterARestartAnUpdateReadsThePolicyFromTheStore) {
  std::string yaml = Session("app", "access_policy:\n  read: [ANY]\n");
  std::string h1 = Create(yaml, alice_);
  Create(Session("team"), alice_);
  cas_->Restart();
  ASSERT_TRUE(cas_->ok()) << cas_->status().ToString();
  auto refused = Call("PUT", api::SessionPath("app"), WithPredecessor(yaml + "# bob\n", h1), bob_);
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_THAT(Message(refused), HasSubstr("update"));
  EXPECT_EQ(Call("POST", "/v1/sessions", Session("team/x"), bob_).status, 403u);
  cas_->Restart();
  ASSERT_TRUE(cas_->ok()) << cas_->status().ToString();
  std::string h2 = Update("app", WithPredecessor(yaml + "# alice\n", h1), alice_);
  EXPECT_EQ(h2, Hash(WithPredecessor(yaml + "# alice\n", h1), alice_));
  Create(Session("team/x"), alice_);
  auto history = Call("GET", api::SessionHistoryPath("app"), "", bob_);
  ASSERT_EQ(history.status, 200u) << history.body;
  auto versions = api::ParseBody<api::SessionHistoryResponse>(history.body, "a")->versions;
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].hash, h1);
  EXPECT_EQ(versions[1].hash, h2);
}

TEST_F(SessionHandlerTest, RefusesBadInputWithTheRightStatus) {
  auto invalid = Call("POST", "/v1/sessions", "name: app\nversion: \"0.3\"\nbogus: 1\n", alice_);
  EXPECT_EQ(invalid.status, 400u);
  EXPECT_THAT(invalid.body, HasSubstr("bogus"));
  EXPECT_EQ(Call("POST", "/v1/sessions", "name: $UNSET\nversion: \"0.3\"\n", alice_).status, 400u);
  EXPECT_EQ(Call("POST", "/v1/sessions", "{", alice_).status, 400u);
  // A raw '/' is another path (404); a name the session language refuses is 400.
  EXPECT_EQ(Call("GET", "/v1/sessions/a/b", "", alice_).status, 404u);
  EXPECT_EQ(Call("GET", "/v1/sessions/a%2F..%2Fb", "", alice_).status, 400u);
  EXPECT_EQ(Call("GET", "/v1/sessions/a%zz", "", alice_).status, 400u);
  EXPECT_EQ(Call("GET", "/v1/sessions/a?bogus=1", "", alice_).status, 400u);
  // No client certificate: 401 before anything else.
  EXPECT_EQ(cas_->Call("POST", "/v1/sessions", Session("app")).status, 401u);
  EXPECT_EQ(cas_->Call("GET", "/v1/sessions", "").status, 401u);
}

TEST_F(SessionHandlerTest, NeedsAProvisionedCas) {
  auto p = platform::Platform::OpenOrCreate(dir_.path() / "platform2", {}, kNow);
  ASSERT_TRUE(p.ok());
  TestCas fresh(std::shared_ptr<const platform::Platform>(std::move(*p)), TestCasIdentity(), kNow);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh.Call("POST", "/v1/sessions", Session("app"), alice_.der).status, 412u);
}

TEST_F(SessionHandlerTest, OthersAreRefusedUnlessThePolicyNamesThem) {
  std::string secret_yaml =
      Session("app", "secrets:\n  - name: pw\n    kind: ascii\n    value: hunter2-secret\n");
  std::string h1 = Create(secret_yaml, alice_);
  auto read = Call("GET", api::SessionPath("app"), "", bob_);
  EXPECT_EQ(read.status, 403u);
  EXPECT_THAT(Message(read), HasSubstr("\"read\""));
  EXPECT_THAT(read.body, Not(HasSubstr("hunter2")));
  EXPECT_EQ(Call("GET", api::SessionHistoryPath("app"), "", bob_).status, 403u);
  auto update = Call("PUT", api::SessionPath("app"), WithPredecessor(Session("app"), h1), bob_);
  EXPECT_EQ(update.status, 403u);
  EXPECT_THAT(Message(update), HasSubstr("\"update\""));

  // By key hash, by certificate (its key), and ANY.
  std::string by_key = WithPredecessor(
      Session("app", "access_policy:\n  read: [CREATOR, " + bob_.key_hash + "]\n"), h1);
  std::string h2 = Update("app", by_key, alice_);
  EXPECT_EQ(Call("GET", api::SessionPath("app"), "", bob_).status, 200u);
  EXPECT_EQ(Call("GET", api::SessionPath("app"), "", owner_).status, 403u);

  std::string indented;
  for (char c : bob_.pem) {
    indented += c;
    if (c == '\n') indented += "      ";
  }
  std::string by_cert = WithPredecessor(
      Session("app", "access_policy:\n  update:\n    - CREATOR\n    - |\n      " + indented + "\n"),
      h2);
  std::string h3 = Update("app", by_cert, alice_);
  // Bob may update now (and becomes the creator of his version); he may not read it, since
  // `read` defaults to CREATOR of the active version... which is Bob.
  std::string h4 = Update(
      "app",
      WithPredecessor(Session("app", "access_policy:\n  read: [ANY]\n  update: [NONE]\n"), h3),
      bob_);
  EXPECT_EQ(Call("GET", api::SessionPath("app"), "", owner_).status, 200u);
  // NONE locks the session for everybody, its creator included.
  auto locked = Call("PUT", api::SessionPath("app"), WithPredecessor(Session("app"), h4), bob_);
  EXPECT_EQ(locked.status, 403u);
  EXPECT_EQ(
      Call("PUT", api::SessionPath("app"), WithPredecessor(Session("app"), h4), alice_).status,
      403u);
}

TEST_F(SessionHandlerTest, NamespacesNeedCreateSessionsOfTheParent) {
  auto orphan = Call("POST", "/v1/sessions", Session("ns/app"), alice_);
  EXPECT_EQ(orphan.status, 404u);
  Create(Session("ns", "access_policy:\n  create_sessions: [" + bob_.key_hash + "]\n"), alice_);
  auto refused = Call("POST", "/v1/sessions", Session("ns/app"), alice_);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_THAT(Message(refused), HasSubstr("\"create_sessions\""));
  Create(Session("ns/app"), bob_);
  Create(Session("ns/app2", "access_policy:\n  read: [ANY]\n"), bob_);
  // The session in the namespace is Bob's: its own policy applies to it.
  EXPECT_EQ(Call("GET", api::SessionPath("ns/app"), "", bob_).status, 200u);
  EXPECT_EQ(Call("GET", api::SessionPath("ns/app"), "", alice_).status, 403u);

  // Listing a namespace needs its list_sessions (default: its read list, CREATOR = Alice).
  auto listed = Call("GET", api::SessionListPath("ns"), "", alice_);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(api::ParseBody<api::SessionListResponse>(listed.body, "a")->sessions,
            (std::vector<std::string>{"ns/app", "ns/app2"}));
  // Who may create sessions in the namespace may list it; anybody else may not.
  EXPECT_EQ(Call("GET", api::SessionListPath("ns"), "", bob_).status, 200u);
  auto not_listed = Call("GET", api::SessionListPath("ns"), "", owner_);
  EXPECT_EQ(not_listed.status, 403u);
  EXPECT_THAT(Message(not_listed), HasSubstr("\"list_sessions\""));
  // Top level: the sessions the caller may read.
  Create(Session("bobs"), bob_);
  auto top = Call("GET", api::SessionListPath(), "", bob_);
  ASSERT_EQ(top.status, 200u) << top.body;
  EXPECT_EQ(api::ParseBody<api::SessionListResponse>(top.body, "a")->sessions,
            (std::vector<std::string>{"bobs"}));
}

TEST_F(SessionHandlerTest, OfRacingUpdatesFromOnePredecessorExactlyOneWins) {
  std::string active = Create(Session("race"), alice_);
  constexpr int kClients = 16;
  for (int round = 0; round < 3; ++round) {
    std::atomic<int> won{0};
    std::atomic<int> conflicts{0};
    std::vector<std::string> winners(kClients);
    std::vector<std::thread> threads;
    threads.reserve(kClients);
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        std::string yaml =
            WithPredecessor(Session("race", "# round " + std::to_string(round) + " client " +
                                                std::to_string(i) + "\n"),
                            active);
        auto r = cas_->Call("PUT", api::SessionPath("race"), yaml, alice_.der);
        if (r.status == 200) {
          ++won;
          winners[static_cast<size_t>(i)] =
              api::ParseBody<api::SessionUploadResponse>(r.body, "a")->hash;
        } else if (r.status == 409) {
          ++conflicts;
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(won.load(), 1) << "round " << round;
    ASSERT_EQ(conflicts.load(), kClients - 1);
    for (const std::string& w : winners) {
      if (!w.empty()) active = w;
    }
    auto read = Call("GET", api::SessionPath("race"), "", alice_);
    EXPECT_EQ(api::ParseBody<api::SessionReadResponse>(read.body, "a")->version.hash, active);
  }
  auto history = Call("GET", api::SessionHistoryPath("race"), "", alice_);
  EXPECT_EQ(api::ParseBody<api::SessionHistoryResponse>(history.body, "a")->versions.size(), 4u);
}

TEST_F(SessionHandlerTest, ListingANamespaceHonoursItsListSessions) {
  // The namespace's list_sessions names the owner, who may neither read nor update it.
  Create(Session("ns", "access_policy:\n  read: [CREATOR, " + bob_.key_hash +
                           "]\n  list_sessions: [" + owner_.key_hash + "]\n"),
         alice_);
  Create(Session("ns/app"), alice_);
  auto by_owner = Call("GET", api::SessionListPath("ns"), "", owner_);
  ASSERT_EQ(by_owner.status, 200u) << by_owner.body;
  EXPECT_EQ(api::ParseBody<api::SessionListResponse>(by_owner.body, "a")->sessions,
            (std::vector<std::string>{"ns/app"}));
  // Bob may read the namespace's session but not list it; Alice may create sessions in it.
  EXPECT_EQ(Call("GET", api::SessionPath("ns"), "", bob_).status, 200u);
  auto by_bob = Call("GET", api::SessionListPath("ns"), "", bob_);
  EXPECT_EQ(by_bob.status, 403u);
  EXPECT_THAT(Message(by_bob), HasSubstr("\"list_sessions\""));
  EXPECT_EQ(Call("GET", api::SessionListPath("ns"), "", alice_).status, 200u);
}

TEST_F(SessionHandlerTest, SignedSessionsAndGovernanceAreRefusedAndNothingIsStored) {
  std::string signer = ReadFile(std::filesystem::path(SCONE_TESTDATA_DIR) / "sessions" / "certs" /
                                "signer-ed25519-a.pem")
                           .value();
  std::string indented;
  for (char c : signer) {
    indented += c;
    if (c == '\n') indented += "          ";
  }
  for (const std::string& policy :
       {"access_policy:\n  update:\n    - signer: |\n          " + indented + "\n",
        "access_policy:\n  create_sessions:\n    require-all:\n      - signer: |\n          " +
            indented + "\n"}) {
    auto r = Call("POST", "/v1/sessions", Session("gov", policy), alice_);
    EXPECT_EQ(r.status, 409u) << r.body;
    EXPECT_THAT(Message(r), HasSubstr(std::string(kGovernanceNotSupported)));
  }
  // A signed session ({session, signatures}) as the body: the same refusal.
  auto signed_body =
      Call("POST", "/v1/sessions",
           R"({"session": "name: gov\nversion: \"0.3\"\n", "signatures": []})", alice_);
  EXPECT_EQ(signed_body.status, 409u) << signed_body.body;
  EXPECT_THAT(Message(signed_body), HasSubstr(std::string(kGovernanceNotSupported)));
  // Nothing was stored: the name is free and its first version is an ordinary one.
  EXPECT_EQ(Call("GET", api::SessionPath("gov"), "", alice_).status, 404u);
  Create(Session("gov"), alice_);
}

}  // namespace
}  // namespace scone::cas

namespace scone::cas {
namespace {

// `$$SCONE::name$$` entries name clients through the session's own secrets (issue 13 item 3):
// an ascii secret holding a key hash, an x509 secret by its certificate's key.
TEST_F(SessionHandlerTest, SecretEntriesNameClientsByTheSessionsSecrets) {
  TestIdentity carol = MakeTestIdentity("carol", kNow);
  std::string indented;
  for (char c : bob_.pem) {
    indented += c;
    if (c == '\n') indented += "      ";
  }
  Create(Session("by-hash",
                 "secrets:\n  - name: reader\n    kind: ascii\n    value: " + alice_.key_hash +
                     "\naccess_policy:\n  read: [CREATOR, \"$$SCONE::reader$$\"]\n"),
         owner_);
  Create(Session("by-cert", "secrets:\n  - name: reader\n    kind: x509\n    value: |\n      " +
                                indented +
                                "\naccess_policy:\n  read: [CREATOR, \"$$SCONE::reader$$\"]\n"),
         owner_);
  EXPECT_EQ(Call("GET", api::SessionPath("by-hash"), "", alice_).status, 200u);
  EXPECT_EQ(Call("GET", api::SessionPath("by-cert"), "", bob_).status, 200u);
  // Nobody else: not the other secret's client, not a third one.
  EXPECT_EQ(Call("GET", api::SessionPath("by-hash"), "", bob_).status, 403u);
  EXPECT_EQ(Call("GET", api::SessionPath("by-cert"), "", alice_).status, 403u);
  EXPECT_EQ(Call("GET", api::SessionPath("by-cert"), "", carol).status, 403u);
}

TEST_F(SessionHandlerTest, AnImportedSecretEntryHoldsOnlyWhileItIsExported) {
  std::string exporter = Session("admins",
                                 "secrets:\n  - name: admin\n    kind: ascii\n"
                                 "    value: " +
                                     alice_.key_hash + "\n    export:\n      - session: app\n");
  std::string h = Create(exporter, owner_);
  Create(Session("app",
                 "secrets:\n  - name: admin\n    kind: ascii\n    import:\n      session: admins\n"
                 "      secret: admin\naccess_policy:\n  read: [CREATOR, \"$$SCONE::admin$$\"]\n"),
         owner_);
  EXPECT_EQ(Call("GET", api::SessionPath("app"), "", alice_).status, 200u);
  // The exporter stops exporting: the entry stops naming alice at once.
  Update("admins",
         WithPredecessor(Session("admins",
                                 "secrets:\n  - name: admin\n    kind: ascii\n"
                                 "    value: " +
                                     alice_.key_hash + "\n"),
                         h),
         owner_);
  EXPECT_EQ(Call("GET", api::SessionPath("app"), "", alice_).status, 403u);
  EXPECT_EQ(Call("GET", api::SessionPath("app"), "", owner_).status, 200u);
}

}  // namespace
}  // namespace scone::cas
