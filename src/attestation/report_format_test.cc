#include "attestation/report_format.h"

#include <gtest/gtest.h>

namespace scone::attestation {
namespace {

VerifiedQuote Sample() {
  VerifiedQuote q;
  q.status = TcbStatus::kOutOfDateConfigurationNeeded;
  q.platform_tcb_status = TcbStatus::kConfigurationNeeded;
  q.qe_status = TcbStatus::kOutOfDate;
  q.advisory_ids = {"INTEL-SA-00289", "INTEL-SA-00615"};
  q.report.mr_enclave.fill(0xab);
  q.report.mr_signer.fill(0xcd);
  q.report.isv_prod_id = 7;
  q.report.isv_svn = 9;
  q.report.set_attributes(kAttributeInit | kAttributeDebug, 0xe7);
  q.report.report_data[63] = 1;
  q.fmspc = {0x00, 0xa0, 0x67, 0x11, 0x00, 0x00};
  q.tcb_components = {11, 11, 2};
  q.pce_svn = 13;
  q.tcb_date = "2024-03-13T00:00:00Z";
  q.revocation_checked = false;
  q.revocation = {false, false};
  return q;
}

TEST(ReportFormat, JsonHasTheDocumentedFields) {
  auto j = VerifiedQuoteToJson(Sample());
  EXPECT_EQ(j["status"], "OutOfDateConfigurationNeeded");
  EXPECT_EQ(j["advisory_ids"], nlohmann::json({"INTEL-SA-00289", "INTEL-SA-00615"}));
  EXPECT_EQ(std::string(j["mrenclave"]).substr(0, 4), "abab");
  EXPECT_EQ(std::string(j["mrsigner"]).size(), 64u);
  EXPECT_EQ(j["isvprodid"], 7);
  EXPECT_EQ(j["isvsvn"], 9);
  EXPECT_EQ(j["debug"], true);
  EXPECT_EQ(std::string(j["report_data"]).size(), 128u);
  EXPECT_EQ(std::string(j["report_data"]).substr(126), "01");
  EXPECT_EQ(j["fmspc"], "00a067110000");
  EXPECT_EQ(j["qe_status"], "OutOfDate");
  EXPECT_EQ(j["platform_tcb_status"], "ConfigurationNeeded");
  EXPECT_EQ(j["pcesvn"], 13);
  EXPECT_EQ(j["cpusvn"], "0b0b0200000000000000000000000000");
  EXPECT_EQ(j["tcb_date"], "2024-03-13T00:00:00Z");
  EXPECT_EQ(j["revocation_checked"], false);
  EXPECT_EQ(j["revocation_checks"], nlohmann::json({{"root_ca_crl", false}, {"pck_crl", false}}));
}

TEST(ReportFormat, TextNamesStatusAndDebug) {
  std::string text = FormatVerifiedQuote(Sample());
  EXPECT_NE(text.find("Status: OutOfDateConfigurationNeeded\n"), std::string::npos);
  EXPECT_NE(text.find("Advisory IDs: INTEL-SA-00289, INTEL-SA-00615\n"), std::string::npos);
  EXPECT_NE(text.find("Debug: yes"), std::string::npos);
  EXPECT_NE(text.find("FMSPC: 00a067110000\n"), std::string::npos);
  EXPECT_NE(text.find("Revocation checked: NO"), std::string::npos);
  VerifiedQuote partial = Sample();
  partial.revocation.pck_crl = true;
  text = FormatVerifiedQuote(partial);
  EXPECT_NE(text.find("Revocation checked: partly"), std::string::npos);
  EXPECT_NE(text.find("PCK certificate against the PCK CRL: yes\n"), std::string::npos);
  EXPECT_NE(text.find("against the root CA CRL: NO"), std::string::npos);
}

TEST(ReportFormat, FailureJson) {
  auto j = VerificationFailureToJson(VerificationFailed("x"), FailureKind::kUntrustedRoot);
  EXPECT_EQ(j["error"]["kind"], "untrusted-root");
  EXPECT_EQ(j["error"]["code"], std::string(CodeName(Code::kVerificationFailed)));
  EXPECT_EQ(j["error"]["message"], "x");
}

}  // namespace
}  // namespace scone::attestation
