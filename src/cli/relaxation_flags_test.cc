// The CLI's words for relaxations and refusals (relaxation_flags.h).
#include "cli/relaxation_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace scone::cli {
namespace {
using attestation::PolicyCheck;
using attestation::PolicyViolation;
using attestation::Relaxation;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Every relaxation of the vocabulary has a flag of its own; a value added to the enum
// without one fails here.
TEST(RelaxationFlags, EveryRelaxationHasItsOwnFlag) {
  std::set<std::string> flags;
  for (Relaxation r : attestation::kAllRelaxations) {
    std::string flag(RelaxationFlag(r));
    EXPECT_THAT(flag, StartsWith("-")) << attestation::RelaxationName(r);
    EXPECT_TRUE(flags.insert(flag).second) << flag;
    EXPECT_THAT(RelaxationWithFlag(r),
                StartsWith(std::string(attestation::RelaxationName(r)) + " (-"));
  }
  EXPECT_EQ(RelaxationFlag(Relaxation::kConfigurationNeeded), "-C/--accept-configuration-needed");
  EXPECT_EQ(RelaxationFlag(Relaxation::kOutOfDate), "-G/--accept-group-out-of-date");
  EXPECT_EQ(RelaxationFlag(Relaxation::kSwHardeningNeeded), "-S/--accept-sw-hardening-needed");
  EXPECT_EQ(RelaxationWithFlag(Relaxation::kConfigurationNeeded), "configuration-needed (-C)");
  EXPECT_EQ(RelaxationWithFlag(Relaxation::kUnprovisioned),
            "unprovisioned (--only_for_testing_allow-unprovisioned-cas)");
}

TEST(RelaxationFlags, ViolationTextNamesTheFlagsNeededAndMissing) {
  PolicyViolation v{PolicyCheck::kTcbStatus,
                    {Relaxation::kSwHardeningNeeded},
                    {Relaxation::kConfigurationNeeded, Relaxation::kSwHardeningNeeded},
                    "ConfigurationAndSWHardeningNeeded",
                    "TCB status is ConfigurationAndSWHardeningNeeded"};
  EXPECT_EQ(PolicyViolationText(v),
            "TCB status is ConfigurationAndSWHardeningNeeded; accepting it needs "
            "-C/--accept-configuration-needed and -S/--accept-sw-hardening-needed (missing: "
            "-S/--accept-sw-hardening-needed)");
  PolicyViolation debug{PolicyCheck::kDebug,
                        {Relaxation::kDebug},
                        {Relaxation::kDebug},
                        "debug",
                        "the enclave runs in debug mode"};
  EXPECT_EQ(PolicyViolationText(debug),
            "the enclave runs in debug mode; to accept it add --only_for_testing-debug");
  PolicyViolation advisories{PolicyCheck::kAdvisories,
                             {Relaxation::kIgnoreAdvisories},
                             {Relaxation::kIgnoreAdvisories},
                             "INTEL-SA-00615",
                             "the platform is affected by security advisories INTEL-SA-00615"};
  EXPECT_THAT(PolicyViolationText(advisories),
              HasSubstr("; to accept them add --ignore-advisories INTEL-SA-00615"));
  PolicyViolation identity{PolicyCheck::kMrEnclave, {}, {}, "aa", "MRENCLAVE aa is not expected"};
  EXPECT_EQ(PolicyViolationText(identity), "MRENCLAVE aa is not expected");
}

TEST(RelaxationFlags, MissingCrlsNameTheFlagOtherFailuresAreKept) {
  Status missing = FailedPrecondition("collateral lacks the CRLs");
  Status hinted = WithQuoteFailureHint(missing, attestation::FailureKind::kMissingCrls);
  EXPECT_EQ(hinted.code(), Code::kFailedPrecondition);
  EXPECT_THAT(hinted.message(), HasSubstr("--accept-unverifiable-pcs-certs"));
  Status other = VerificationFailed("x");
  EXPECT_EQ(WithQuoteFailureHint(other, attestation::FailureKind::kTcbRevoked).message(), "x");
}

// Each CAS refusal keeps its code and names the option involved.
TEST(RelaxationFlags, CasRefusalsNameTheirOptions) {
  const Status rejected(Code::kPolicyRejected, "neutral");
  cas::CasAttestPolicy policy;
  struct Case {
    cas::CasRefusal refusal;
    const char* expected;
  };
  auto refusal = [](cas::CasCheck check) {
    cas::CasRefusal r;
    r.check = check;
    return r;
  };
  cas::CasRefusal key = refusal(cas::CasCheck::kCasKeyHash);
  key.seen = "A";
  key.expected = "B";
  cas::CasRefusal sw = refusal(cas::CasCheck::kSoftwareKeyHash);
  cas::CasRefusal quote = refusal(cas::CasCheck::kQuote);
  quote.quote_failure = attestation::FailureKind::kUntrustedRoot;
  quote.simulated = true;
  cas::CasRefusal signer = refusal(cas::CasCheck::kPolicy);
  signer.problem = cas::PolicyProblem::kSignerIncomplete;
  cas::CasRefusal ignore = refusal(cas::CasCheck::kPolicy);
  ignore.problem = cas::PolicyProblem::kIgnoreSignerWithoutMrenclave;
  cas::CasRefusal contradiction = refusal(cas::CasCheck::kPolicy);
  contradiction.problem = cas::PolicyProblem::kIgnoreSignerWithSigner;
  cas::CasRefusal enclave = refusal(cas::CasCheck::kEnclave);
  enclave.violations = {{PolicyCheck::kMrSigner, {}, {}, "22", "MRSIGNER 22 is not expected"},
                        {PolicyCheck::kIsvSvn, {}, {}, "1", "ISVSVN 1 is below 2"}};
  for (const Case& c : {
           Case{key, "the CAS key hash is A, not B as given with -c"},
           Case{sw, "as given with -s"},
           Case{quote, "--only_for_testing-sim-root-ca FILE"},
           Case{signer, "--mrsigner, --isvprodid and --isvsvn must be given together"},
           Case{ignore, "add MRENCLAVE or --mrenclave"},
           Case{contradiction, "--only_for_testing-ignore-signer contradicts --mrsigner"},
           Case{enclave, "use --mrsigner with --isvprodid and --isvsvn"},
           Case{enclave, "give --isvsvn N or the CAS's MRENCLAVE"},
           Case{refusal(cas::CasCheck::kTrustAnyNotDebug), "--only_for_testing-trust-any"},
           Case{refusal(cas::CasCheck::kUnprovisioned),
                "--only_for_testing_allow-unprovisioned-cas"},
           Case{refusal(cas::CasCheck::kOwnerSecretAccess), "--allow-cas-owner-secret-access"},
       }) {
    Status s = CasRefusalStatus(rejected, c.refusal, policy);
    EXPECT_EQ(s.code(), Code::kPolicyRejected) << c.expected;
    EXPECT_THAT(s.message(), HasSubstr(c.expected));
  }
  // Tampered evidence has no option to name: the message is kept.
  EXPECT_EQ(CasRefusalStatus(rejected, refusal(cas::CasCheck::kEvidence), policy).message(),
            "neutral");
}

}  // namespace
}  // namespace scone::cli
