#include "attestation/report_format.h"

#include "common/hex.h"

namespace scone::attestation {

using nlohmann::json;

json VerifiedQuoteToJson(const VerifiedQuote& q) {
  json j;
  j["status"] = std::string(TcbStatusName(q.status));
  j["advisory_ids"] = q.advisory_ids;
  j["mrenclave"] = HexEncode(q.mr_enclave());
  j["mrsigner"] = HexEncode(q.mr_signer());
  j["isvprodid"] = q.isv_prod_id();
  j["isvsvn"] = q.isv_svn();
  j["debug"] = q.debug();
  j["report_data"] = HexEncode(q.report_data());
  j["fmspc"] = HexEncode(q.fmspc);
  j["qe_status"] = std::string(TcbStatusName(q.qe_status));
  j["platform_tcb_status"] = std::string(TcbStatusName(q.platform_tcb_status));
  j["tcb_date"] = q.tcb_date;
  j["qe_tcb_date"] = q.qe_tcb_date;
  j["pce_id"] = HexEncode(q.pce_id);
  j["cpusvn"] = HexEncode(q.tcb_components);
  j["pcesvn"] = q.pce_svn;
  j["attributes"] = HexEncode(q.report.attributes);
  j["tcb_evaluation_data_number"] = q.tcb_evaluation_data_number;
  j["revocation_checked"] = q.revocation_checked;
  j["revocation_checks"] = {{"root_ca_crl", q.revocation.root_ca_crl},
                            {"pck_crl", q.revocation.pck_crl}};
  return j;
}

std::string FormatVerifiedQuote(const VerifiedQuote& q, RelaxationWords words) {
  std::string advisories;
  for (const auto& a : q.advisory_ids) advisories += (advisories.empty() ? "" : ", ") + a;
  std::string s;
  auto line = [&s](std::string_view name, const std::string& value) {
    s += name;
    s += ": ";
    s += value;
    s += '\n';
  };
  line("Status", std::string(TcbStatusName(q.status)));
  line("Advisory IDs", advisories.empty() ? "none" : advisories);
  line("MRENCLAVE", HexEncode(q.mr_enclave()));
  line("MRSIGNER", HexEncode(q.mr_signer()));
  line("ISVPRODID", std::to_string(q.isv_prod_id()));
  line("ISVSVN", std::to_string(q.isv_svn()));
  line("Debug", q.debug() ? "yes (NOT confidential)" : "no");
  line("Report data", HexEncode(q.report_data()));
  line("FMSPC", HexEncode(q.fmspc));
  line("Platform TCB status", std::string(TcbStatusName(q.platform_tcb_status)) +
                                  (q.tcb_date.empty() ? "" : " (TCB date " + q.tcb_date + ")"));
  line("QE status", std::string(TcbStatusName(q.qe_status)));
  line("PCK TCB components", HexEncode(q.tcb_components));
  line("PCESVN", std::to_string(q.pce_svn));
  if (q.revocation.complete()) {
    line("Revocation checked", "yes (root CA CRL and PCK CRL)");
  } else {
    auto ran = [](bool checked) {
      return checked ? std::string("yes") : std::string("NO (CRL absent)");
    };
    const bool none = !q.revocation.root_ca_crl && !q.revocation.pck_crl;
    line("Revocation checked", std::string(none ? "NO" : "partly") + " (" +
                                   std::string(words(Relaxation::kUnverifiablePcsCerts)) +
                                   "; CRL files missing)");
    line("  PCK CA, TCB signing and root certificates against the root CA CRL",
         ran(q.revocation.root_ca_crl));
    line("  PCK certificate against the PCK CRL", ran(q.revocation.pck_crl));
  }
  return s;
}

json VerificationFailureToJson(const Status& status, FailureKind kind) {
  return {{"error",
           {{"code", std::string(CodeName(status.code()))},
            {"kind", std::string(FailureKindName(kind))},
            {"message", status.message()}}}};
}

Status TerminalStatusError(const VerifiedQuote& quote) {
  if (!IsTerminalStatus(quote.status)) return Status::Ok();
  return VerificationFailed(
      "the quote verifies, but its TCB status is " + std::string(TcbStatusName(quote.status)) +
      " (platform " + std::string(TcbStatusName(quote.platform_tcb_status)) + ", QE " +
      std::string(TcbStatusName(quote.qe_status)) +
      "): the platform's keys or its quoting enclave are revoked; no option accepts it");
}

}  // namespace scone::attestation
