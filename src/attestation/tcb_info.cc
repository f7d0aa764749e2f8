#include "attestation/tcb_info.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "attestation/signed_json.h"
#include "attestation/timestamp.h"

namespace scone::attestation {

using nlohmann::json;

namespace {

constexpr std::string_view kWhat = "TCB info";

Result<int64_t> DateMember(const json& obj, std::string_view key, std::string_view what) {
  SCONE_ASSIGN_OR_RETURN(std::string s, StringMember(obj, key, what));
  auto t = ParseRfc3339(s);
  if (!t.ok()) return t.status().WithContext(std::string(what) + ": \"" + std::string(key) + "\"");
  return t;
}

Result<std::vector<std::string>> Advisories(const json& level, const std::string& where) {
  std::vector<std::string> out;
  auto it = level.find("advisoryIDs");
  if (it == level.end()) return out;
  if (!it->is_array()) return InvalidArgument(where + ": \"advisoryIDs\" is not an array");
  for (const json& a : *it) {
    if (!a.is_string()) return InvalidArgument(where + ": an advisory ID is not a string");
    out.push_back(a.get<std::string>());
  }
  return out;
}

Result<TcbLevel> ParseLevel(const json& level, int64_t version, const std::string& where) {
  TcbLevel out;
  SCONE_ASSIGN_OR_RETURN(const json* tcb, Member(level, "tcb", where));
  const std::string tw = where + ".tcb";
  if (version == 3) {
    SCONE_ASSIGN_OR_RETURN(const json* comps, Member(*tcb, "sgxtcbcomponents", tw));
    if (!comps->is_array() || comps->size() != 16) {
      return InvalidArgument(tw + ": \"sgxtcbcomponents\" is not an array of 16");
    }
    for (size_t i = 0; i < 16; ++i) {
      SCONE_ASSIGN_OR_RETURN(int64_t svn,
                             IntMember((*comps)[i], "svn", 0, 255,
                                       tw + ".sgxtcbcomponents[" + std::to_string(i) + "]"));
      out.sgx_components[i] = static_cast<uint8_t>(svn);
    }
  } else {
    for (size_t i = 0; i < 16; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "sgxtcbcomp%02zusvn", i + 1);
      SCONE_ASSIGN_OR_RETURN(int64_t svn, IntMember(*tcb, key, 0, 255, tw));
      out.sgx_components[i] = static_cast<uint8_t>(svn);
    }
  }
  SCONE_ASSIGN_OR_RETURN(int64_t pcesvn, IntMember(*tcb, "pcesvn", 0, 65535, tw));
  out.pce_svn = static_cast<uint16_t>(pcesvn);
  SCONE_ASSIGN_OR_RETURN(out.tcb_date, StringMember(level, "tcbDate", where));
  SCONE_RETURN_IF_ERROR(ParseRfc3339(out.tcb_date).status().WithContext(where + ": \"tcbDate\""));
  SCONE_ASSIGN_OR_RETURN(std::string status, StringMember(level, "tcbStatus", where));
  auto st = ParseTcbStatus(status);
  if (!st.ok()) return st.status().WithContext(where);
  out.status = *st;
  SCONE_ASSIGN_OR_RETURN(out.advisory_ids, Advisories(level, where));
  return out;
}

}  // namespace

Result<TcbInfo> ParseTcbInfo(std::string_view json_text) {
  SCONE_ASSIGN_OR_RETURN(SignedJson signed_json, ParseSignedJson(json_text, "tcbInfo", kWhat));
  const json& v = signed_json.value;
  TcbInfo info;
  info.signed_body = std::move(signed_json.body);
  info.signature = signed_json.signature;
  const std::string w = "TCB info";
  SCONE_ASSIGN_OR_RETURN(info.version, IntMember(v, "version", 0, INT32_MAX, w));
  if (info.version != 2 && info.version != 3) {
    return InvalidArgument(w + ": version " + std::to_string(info.version) +
                           " is not supported (2 or 3)");
  }
  if (info.version == 3) {
    SCONE_ASSIGN_OR_RETURN(info.id, StringMember(v, "id", w));
    if (info.id != "SGX") {
      return InvalidArgument(w + ": id \"" + info.id.substr(0, 16) +
                             "\" is not \"SGX\" (this verifier handles SGX quotes only)");
    }
  }
  SCONE_ASSIGN_OR_RETURN(info.issue_date, DateMember(v, "issueDate", w));
  SCONE_ASSIGN_OR_RETURN(info.next_update, DateMember(v, "nextUpdate", w));
  SCONE_ASSIGN_OR_RETURN(Bytes fmspc, HexMember(v, "fmspc", 6, w));
  std::copy(fmspc.begin(), fmspc.end(), info.fmspc.begin());
  SCONE_ASSIGN_OR_RETURN(Bytes pce_id, HexMember(v, "pceId", 2, w));
  std::copy(pce_id.begin(), pce_id.end(), info.pce_id.begin());
  SCONE_ASSIGN_OR_RETURN(info.tcb_type, IntMember(v, "tcbType", 0, INT32_MAX, w));
  if (info.tcb_type != 0) {
    return InvalidArgument(w + ": tcbType " + std::to_string(info.tcb_type) +
                           " is not supported (0)");
  }
  SCONE_ASSIGN_OR_RETURN(info.tcb_evaluation_data_number,
                         IntMember(v, "tcbEvaluationDataNumber", 0, INT32_MAX, w));
  SCONE_ASSIGN_OR_RETURN(const json* levels, Member(v, "tcbLevels", w));
  if (!levels->is_array() || levels->empty()) {
    return InvalidArgument(w + ": \"tcbLevels\" is not a non-empty array");
  }
  for (size_t i = 0; i < levels->size(); ++i) {
    SCONE_ASSIGN_OR_RETURN(
        TcbLevel level,
        ParseLevel((*levels)[i], info.version, w + ": tcbLevels[" + std::to_string(i) + "]"));
    info.levels.push_back(std::move(level));
  }
  return info;
}

const TcbLevel* SelectTcbLevel(const TcbInfo& info, const ByteArray<16>& components,
                               uint16_t pce_svn) {
  // Intel's QVL keeps the levels ordered highest first (component SVNs, then PCESVN,
  // compared lexicographically) and takes the first one the platform meets. PCS serves
  // them in that order; choosing the highest matching level gives the same answer even if
  // a file were ordered differently.
  const TcbLevel* best = nullptr;
  for (const TcbLevel& level : info.levels) {
    bool ok = pce_svn >= level.pce_svn;
    for (size_t i = 0; ok && i < 16; ++i) ok = components[i] >= level.sgx_components[i];
    if (!ok) continue;
    if (best == nullptr || std::tie(level.sgx_components, level.pce_svn) >
                               std::tie(best->sgx_components, best->pce_svn)) {
      best = &level;
    }
  }
  return best;
}

}  // namespace scone::attestation
