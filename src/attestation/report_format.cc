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
  return j;
}

std::string FormatVerifiedQuote(const VerifiedQuote& q) {
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
  line("Revocation checked", q.revocation_checked ? "yes" : "NO (--accept-unverifiable-pcs-certs)");
  return s;
}

json VerificationFailureToJson(const Status& status, FailureKind kind) {
  return {{"error",
           {{"code", std::string(CodeName(status.code()))},
            {"kind", std::string(FailureKindName(kind))},
            {"message", status.message()}}}};
}

}  // namespace scone::attestation
