#include "platform/platform.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "attestation/policy.h"
#include "attestation/quote.h"
#include "attestation/verifier.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "platform/platform_test_util.h"

namespace scone::platform {
namespace {

using attestation::FailureKind;
using attestation::TcbStatus;
using testing::TempDir;

constexpr int64_t kNow = 1780000000;

EnclaveIdentity SomeEnclave() {
  EnclaveIdentity id;
  id.mrenclave.fill(0xab);
  id.mrsigner.fill(0xcd);
  id.isvprodid = 42;
  id.isvsvn = 3;
  id.attributes_flags = kAttrInit | kAttrMode64Bit;
  return id;
}

std::unique_ptr<attestation::QuoteVerifier> VerifierTrusting(const std::string& root_pem) {
  attestation::VerifierOptions o;
  if (!root_pem.empty()) o.trusted_roots.push_back(ToBytes(root_pem));
  auto v = attestation::QuoteVerifier::New(o);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return std::move(v).value();
}

PlatformOptions StateOptions(TcbStatus state) {
  PlatformOptions o;
  o.tcb_state = state;
  return o;
}

std::unique_ptr<Platform> Create(const TempDir& dir, const char* name, TcbStatus state) {
  auto p = Platform::OpenOrCreate(dir.path() / name, StateOptions(state), kNow);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

TEST(Platform, QuotesVerifyWithEachTcbStateAndItsAdvisories) {
  TempDir dir;
  for (TcbStatus state :
       {TcbStatus::kUpToDate, TcbStatus::kSWHardeningNeeded, TcbStatus::kConfigurationNeeded,
        TcbStatus::kConfigurationAndSWHardeningNeeded, TcbStatus::kOutOfDate,
        TcbStatus::kOutOfDateConfigurationNeeded, TcbStatus::kRevoked}) {
    SCOPED_TRACE(std::string(attestation::TcbStatusName(state)));
    auto p = Create(dir, attestation::TcbStatusName(state).data(), state);
    ASSERT_NE(p, nullptr);
    Bytes report_data(64, 0x11);
    auto quote = p->Quote(SomeEnclave(), report_data);
    ASSERT_TRUE(quote.ok()) << quote.status().ToString();
    auto collateral = p->CollateralAt(kNow);
    ASSERT_TRUE(collateral.ok());
    auto verified = VerifierTrusting(p->sim_root_pem())->Verify(*quote, *collateral, kNow);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(verified->status, state);
    EXPECT_EQ(verified->advisory_ids, AdvisoriesForState(state));
    EXPECT_EQ(verified->mr_enclave(), SomeEnclave().mrenclave);
    EXPECT_EQ(verified->mr_signer(), SomeEnclave().mrsigner);
    EXPECT_EQ(verified->isv_prod_id(), 42);
    EXPECT_EQ(verified->isv_svn(), 3);
    EXPECT_FALSE(verified->debug());
    EXPECT_EQ(Bytes(verified->report_data().begin(), verified->report_data().end()), report_data);
  }
}

TEST(Platform, SimulatedQuoteFailsWithoutTheSimulatedRoot) {
  TempDir dir;
  auto p = Create(dir, "p", TcbStatus::kUpToDate);
  ASSERT_NE(p, nullptr);
  auto quote = p->Quote(SomeEnclave(), {});
  auto collateral = p->CollateralAt(kNow);
  ASSERT_TRUE(quote.ok() && collateral.ok());
  FailureKind kind = FailureKind::kNone;
  auto r = VerifierTrusting("")->Verify(*quote, *collateral, kNow, &kind);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(kind, FailureKind::kUntrustedRoot);
}

TEST(Platform, EveryFlippedQuoteByteFails) {
  TempDir dir;
  auto p = Create(dir, "p", TcbStatus::kUpToDate);
  ASSERT_NE(p, nullptr);
  auto quote = p->Quote(SomeEnclave(), Bytes(64, 1));
  auto collateral = p->CollateralAt(kNow);
  ASSERT_TRUE(quote.ok() && collateral.ok());
  auto verifier = VerifierTrusting(p->sim_root_pem());
  // Every byte up to the certification data (whose PEM text has slack a flip may not hit).
  for (size_t i = 0; i < 1100 && i < quote->size(); ++i) {
    Bytes bad = *quote;
    bad[i] ^= 0x01;
    EXPECT_FALSE(verifier->Verify(bad, *collateral, kNow).ok()) << "byte " << i;
  }
}

TEST(Platform, TwoDirectoriesAreTwoMachines) {
  TempDir dir;
  auto a = Create(dir, "a", TcbStatus::kUpToDate);
  auto b = Create(dir, "b", TcbStatus::kUpToDate);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->sim_root_pem(), b->sim_root_pem());
  EXPECT_NE(a->pck_values().ppid, b->pck_values().ppid);
  // a's quote with b's collateral (and b's root) does not verify.
  auto quote = a->Quote(SomeEnclave(), {});
  auto collateral_b = b->CollateralAt(kNow);
  ASSERT_TRUE(quote.ok() && collateral_b.ok());
  EXPECT_FALSE(VerifierTrusting(b->sim_root_pem())->Verify(*quote, *collateral_b, kNow).ok());
  EXPECT_FALSE(VerifierTrusting(a->sim_root_pem())->Verify(*quote, *collateral_b, kNow).ok());
  // Sealing differs.
  auto sealed = a->Seal(SealPolicy::kMrSigner, SomeEnclave(), ToBytes("db key"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(a->Unseal(SomeEnclave(), *sealed).ok());
  EXPECT_EQ(b->Unseal(SomeEnclave(), *sealed).status().code(), Code::kDataLoss);
}

TEST(Platform, ReopensWithTheSameKeysAndKeepsItsState) {
  TempDir dir;
  auto a = Create(dir, "p", TcbStatus::kOutOfDate);
  ASSERT_NE(a, nullptr);
  auto sealed = a->Seal(SealPolicy::kMrEnclave, SomeEnclave(), ToBytes("x"));
  ASSERT_TRUE(sealed.ok());
  auto again = Platform::OpenOrCreate(dir.path() / "p", {}, kNow + 100);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->sim_root_pem(), a->sim_root_pem());
  EXPECT_EQ((*again)->tcb_state(), TcbStatus::kOutOfDate);
  EXPECT_TRUE((*again)->Unseal(SomeEnclave(), *sealed).ok());
  auto other_state =
      Platform::OpenOrCreate(dir.path() / "p", StateOptions(TcbStatus::kUpToDate), kNow);
  EXPECT_EQ(other_state.status().code(), Code::kFailedPrecondition);
}

TEST(Platform, TrailingSlashNamesTheSameDirectory) {
  TempDir dir;
  auto p = Platform::OpenOrCreate((dir.path() / "p").string() + "/", {}, kNow);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(Platform::Open(dir.path() / "p").ok());
}

TEST(Platform, PrivateFilesAreOwnerOnlyAndCheckedOnOpen) {
  TempDir dir;
  auto p = Create(dir, "p", TcbStatus::kUpToDate);
  ASSERT_NE(p, nullptr);
  for (const char* f : {"root-ca.key", "pck-ca.key", "pck.key", "tcb-signing.key",
                        "qe-attestation.key", "sealing.secret"}) {
    struct stat st {};
    ASSERT_EQ(stat((dir.path() / "p" / f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  struct stat st {};
  ASSERT_EQ(stat((dir.path() / "p").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(chmod((dir.path() / "p" / "pck.key").c_str(), 0644), 0);
  EXPECT_EQ(Platform::Open(dir.path() / "p").status().code(), Code::kPermissionDenied);
}

TEST(Platform, DamagedFilesAreDataLoss) {
  TempDir dir;
  auto a = Create(dir, "a", TcbStatus::kUpToDate);
  auto b = Create(dir, "b", TcbStatus::kUpToDate);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  // A key from another machine does not belong to this machine's certificate.
  auto other_key = ReadFile(dir.path() / "b" / "pck.key");
  ASSERT_TRUE(other_key.ok());
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "a" / "pck.key", AsBytes(*other_key), 0600).ok());
  EXPECT_EQ(Platform::Open(dir.path() / "a").status().code(), Code::kDataLoss);
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "b" / "platform.json", AsBytes("{"), 0644).ok());
  EXPECT_EQ(Platform::Open(dir.path() / "b").status().code(), Code::kDataLoss);
  EXPECT_EQ(Platform::Open(dir.path() / "none").status().code(), Code::kNotFound);
}

TEST(Platform, PolicyFlagsRelaxTheMatchingStates) {
  TempDir dir;
  auto p = Create(dir, "p", TcbStatus::kConfigurationNeeded);
  ASSERT_NE(p, nullptr);
  auto quote = p->Quote(SomeEnclave(), {});
  auto collateral = p->CollateralAt(kNow);
  auto verified = VerifierTrusting(p->sim_root_pem())->Verify(*quote, *collateral, kNow);
  ASSERT_TRUE(verified.ok());
  attestation::QuotePolicy policy;
  policy.ignore_all_advisories = true;
  EXPECT_FALSE(attestation::CheckPolicy(*verified, policy).ok());
  policy.accept_configuration_needed = true;
  EXPECT_TRUE(attestation::CheckPolicy(*verified, policy).ok());
}

// `las --sim-root-from`: a second machine under the first one's root, as real machines share
// Intel's root. Its quotes verify against the first machine's root alone; its own keys and
// sealing secret are new.
TEST(Platform, SimRootFromCertifiesANewMachineUnderTheOtherRoot) {
  TempDir dir;
  auto a = Create(dir, "a", TcbStatus::kUpToDate);
  ASSERT_NE(a, nullptr);
  PlatformOptions o;
  o.tcb_state = TcbStatus::kSWHardeningNeeded;
  o.sim_root_from = dir.path() / "a";
  auto b = Platform::OpenOrCreate(dir.path() / "b", o, kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)->sim_root_pem(), a->sim_root_pem());

  auto quote = (*b)->Quote(SomeEnclave(), Bytes(64, 0x22));
  auto collateral = (*b)->CollateralAt(kNow);
  ASSERT_TRUE(quote.ok() && collateral.ok());
  auto verified = VerifierTrusting(a->sim_root_pem())->Verify(*quote, *collateral, kNow);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->status, TcbStatus::kSWHardeningNeeded);

  // Its own machine: another QE attestation key, PPID and PCK key, another sealing secret.
  auto qa = attestation::ParseQuote(*a->Quote(SomeEnclave(), {}));
  auto qb = attestation::ParseQuote(*quote);
  ASSERT_TRUE(qa.ok() && qb.ok());
  EXPECT_NE(qa->attestation_key, qb->attestation_key);
  EXPECT_NE(a->pck_values().ppid, (*b)->pck_values().ppid);
  for (const char* f : {"pck.key", "pck-ca.key", "qe-attestation.key", "sealing.secret"}) {
    EXPECT_NE(*ReadFile(dir.path() / "a" / f), *ReadFile(dir.path() / "b" / f)) << f;
  }
  auto ka = a->SealKey(SealPolicy::kMrSigner, SomeEnclave(), 3);
  auto kb = (*b)->SealKey(SealPolicy::kMrSigner, SomeEnclave(), 3);
  ASSERT_TRUE(ka.ok() && kb.ok());
  EXPECT_NE(HexEncode(ka->Reveal()), HexEncode(kb->Reveal()));
  auto sealed = a->Seal(SealPolicy::kMrSigner, SomeEnclave(), AsBytes("db key"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ((*b)->Unseal(SomeEnclave(), *sealed).status().code(), Code::kDataLoss);

  // Reopening with the same root is fine; with another root it is refused.
  EXPECT_TRUE(Platform::OpenOrCreate(dir.path() / "b", o, kNow).ok());
  auto c = Create(dir, "c", TcbStatus::kUpToDate);
  ASSERT_NE(c, nullptr);
  o.sim_root_from = dir.path() / "c";
  EXPECT_EQ(Platform::OpenOrCreate(dir.path() / "b", o, kNow).status().code(),
            Code::kFailedPrecondition);
  // A platform of its own root does not verify under the other root.
  auto qc = c->Quote(SomeEnclave(), {});
  EXPECT_FALSE(VerifierTrusting(a->sim_root_pem())->Verify(*qc, *c->CollateralAt(kNow), kNow).ok());
  // The other directory must be a platform.
  o.sim_root_from = dir.path() / "none";
  EXPECT_EQ(Platform::OpenOrCreate(dir.path() / "d", o, kNow).status().code(), Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "d"));
}

}  // namespace
}  // namespace scone::platform
