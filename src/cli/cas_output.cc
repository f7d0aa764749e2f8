// Output of `scone cas ...` about an attested CAS (cas_output.h).
#include "cli/cas_output.h"

#include <ostream>

#include "attestation/timestamp.h"
#include "cli/relaxation_flags.h"
#include "common/hex.h"

namespace scone::cli {

using nlohmann::json;

std::string JoinOr(const std::vector<std::string>& items, const std::string& none) {
  if (items.empty()) return none;
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", " : "") + items[i];
  return out;
}

std::string WithNewline(std::string text) {
  if (text.empty() || text.back() != '\n') text += "\n";
  return text;
}

void ReportTrusted(Context& ctx, const CasEntry& entry, bool became_default, json extra) {
  const cas::CasEvidence& e = entry.evidence;
  if (ctx.output_format() == OutputFormat::kJson) {
    json out = entry.ToJson();
    for (const auto& item : extra.items()) out[item.key()] = item.value();
    ctx.PrintJson(out);
  } else {
    ctx.out() << "CAS " << entry.address << " at " << entry.api_url << " is trustworthy\n";
  }
  if (!e.relaxations.empty()) {
    std::vector<std::string> named;
    for (auto r : e.relaxations) named.push_back(RelaxationWithFlag(r));
    ctx.err() << "note: accepted with relaxations: " << JoinOr(named, "") << "\n";
  }
  if (!e.advisory_ids.empty()) {
    ctx.err() << "note: TCB status " << attestation::TcbStatusName(e.tcb_status)
              << ", advisories: " << JoinOr(e.advisory_ids, "") << "\n";
  }
  if (became_default) ctx.err() << "note: " << entry.address << " is now the default CAS\n";
}

std::string TcbText(const CasEntry& entry) {
  const cas::CasEvidence& e = entry.evidence;
  std::vector<std::string> relaxations;
  for (auto r : e.relaxations) relaxations.push_back(RelaxationWithFlag(r));
  std::string out;
  out += "TCB status: " + std::string(attestation::TcbStatusName(e.tcb_status)) + "\n";
  out += "Advisories: " + JoinOr(e.advisory_ids, "none") + "\n";
  out += "Relaxations: " + JoinOr(relaxations, "none") + "\n";
  out += "MRENCLAVE: " + HexEncode(e.mrenclave) + "\n";
  out += "MRSIGNER: " + HexEncode(e.mrsigner) + "\n";
  out += "ISVPRODID: " + std::to_string(e.isvprodid) + "\n";
  out += "ISVSVN: " + std::to_string(e.isvsvn) + "\n";
  out += std::string("Debug: ") + (e.flags.debug ? "yes" : "no") + "\n";
  out += std::string("Owner secret access: ") + (e.flags.owner_secret_access ? "yes" : "no") + "\n";
  out += "Verified at: " + attestation::FormatRfc3339(e.verified_at) + "\n";
  return out;
}

json TcbJson(const CasEntry& entry) {
  const cas::CasEvidence& e = entry.evidence;
  json names = json::array();
  for (auto r : e.relaxations) names.push_back(std::string(attestation::RelaxationName(r)));
  return {{"tcb_status", std::string(attestation::TcbStatusName(e.tcb_status))},
          {"advisory_ids", e.advisory_ids},
          {"relaxations", names},
          {"mrenclave", HexEncode(e.mrenclave)},
          {"mrsigner", HexEncode(e.mrsigner)},
          {"isvprodid", e.isvprodid},
          {"isvsvn", e.isvsvn},
          {"debug", e.flags.debug},
          {"owner_secret_access", e.flags.owner_secret_access},
          {"verified_at", e.verified_at}};
}

}  // namespace scone::cli
