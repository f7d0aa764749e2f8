#include "platform/sealing.h"

#include <gtest/gtest.h>

namespace scone::platform {
namespace {

SecretBytes Platform(uint8_t fill) { return SecretBytes::CopyFrom(Bytes(32, fill)); }

EnclaveIdentity Enclave(uint8_t enclave, uint8_t signer, uint16_t prodid, uint16_t svn) {
  EnclaveIdentity id;
  id.mrenclave.fill(enclave);
  id.mrsigner.fill(signer);
  id.isvprodid = prodid;
  id.isvsvn = svn;
  return id;
}

Bytes Plain() { return ToBytes("database key"); }

TEST(Sealing, RoundTripsUnderBothPolicies) {
  auto id = Enclave(1, 2, 3, 4);
  for (auto policy : {SealPolicy::kMrEnclave, SealPolicy::kMrSigner}) {
    auto sealed = Seal(Platform(9), policy, id, Plain());
    ASSERT_TRUE(sealed.ok());
    auto opened = Unseal(Platform(9), id, *sealed);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(Bytes(opened->Reveal().begin(), opened->Reveal().end()), Plain());
  }
}

TEST(Sealing, AnotherPlatformCannotUnseal) {
  auto id = Enclave(1, 2, 3, 4);
  auto sealed = Seal(Platform(9), SealPolicy::kMrSigner, id, Plain());
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(Unseal(Platform(8), id, *sealed).status().code(), Code::kDataLoss);
}

TEST(Sealing, MrEnclavePolicyBindsTheProgram) {
  auto sealed = Seal(Platform(9), SealPolicy::kMrEnclave, Enclave(1, 2, 3, 4), Plain());
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(Unseal(Platform(9), Enclave(5, 2, 3, 4), *sealed).status().code(), Code::kDataLoss);
}

TEST(Sealing, MrSignerPolicySurvivesUpgradesButNotOtherSignerOrProduct) {
  auto sealed = Seal(Platform(9), SealPolicy::kMrSigner, Enclave(1, 2, 3, 4), Plain());
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(Unseal(Platform(9), Enclave(7, 2, 3, 5), *sealed).ok());  // new program, svn 5
  EXPECT_EQ(Unseal(Platform(9), Enclave(1, 6, 3, 4), *sealed).status().code(), Code::kDataLoss);
  EXPECT_EQ(Unseal(Platform(9), Enclave(1, 2, 4, 4), *sealed).status().code(), Code::kDataLoss);
}

TEST(Sealing, DebugBuildCannotOpenProductionData) {
  auto production = Enclave(1, 2, 3, 4);
  auto debug = production;
  debug.attributes_flags |= kAttrDebug;
  for (auto policy : {SealPolicy::kMrEnclave, SealPolicy::kMrSigner}) {
    auto sealed = Seal(Platform(9), policy, production, Plain());
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(Unseal(Platform(9), debug, *sealed).status().code(), Code::kDataLoss);
  }
}

TEST(Sealing, OlderVersionCannotOpenNewerData) {
  auto sealed = Seal(Platform(9), SealPolicy::kMrSigner, Enclave(1, 2, 3, 4), Plain());
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(Unseal(Platform(9), Enclave(1, 2, 3, 3), *sealed).status().code(),
            Code::kPermissionDenied);
}

TEST(Sealing, RejectsTamperingAndGarbage) {
  auto id = Enclave(1, 2, 3, 4);
  auto sealed = Seal(Platform(9), SealPolicy::kMrSigner, id, Plain());
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    Bytes bad = *sealed;
    bad[i] ^= 0x01;
    EXPECT_FALSE(Unseal(Platform(9), id, bad).ok()) << i;
  }
  EXPECT_EQ(Unseal(Platform(9), id, ToBytes("garbage")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Unseal(Platform(9), id, {}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone::platform
