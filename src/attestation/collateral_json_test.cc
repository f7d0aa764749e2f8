#include "attestation/collateral_json.h"

#include <gtest/gtest.h>

namespace scone::attestation {
namespace {

TEST(CollateralJson, RoundTripsRealCollateralByteForByte) {
  auto c = LoadCollateralDir(std::string(SCONE_TESTDATA_DIR) + "/vectors/dcap-qvl/pcs");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto back = CollateralFromJson(nlohmann::json::parse(CollateralToJson(*c).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->tcb_info_json, c->tcb_info_json);
  EXPECT_EQ(back->qe_identity_json, c->qe_identity_json);
  EXPECT_EQ(back->tcb_info_issuer_chain_pem, c->tcb_info_issuer_chain_pem);
  EXPECT_EQ(back->pck_crl, c->pck_crl);
  EXPECT_EQ(back->root_ca_crl, c->root_ca_crl);
  EXPECT_EQ(back->pck_crl_issuer_chain_pem, c->pck_crl_issuer_chain_pem);
}

TEST(CollateralJson, RejectsMissingOrIllTypedMembers) {
  EXPECT_FALSE(CollateralFromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(CollateralFromJson({{"tcb_info", 1}}).ok());
  nlohmann::json j = {{"tcb_info", "a"},
                      {"tcb_info_issuer_chain", "b"},
                      {"qe_identity", "c"},
                      {"qe_identity_issuer_chain", "d"}};
  auto c = CollateralFromJson(j);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_crls());
  j["pck_crl"] = "zz";
  EXPECT_EQ(CollateralFromJson(j).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone::attestation
