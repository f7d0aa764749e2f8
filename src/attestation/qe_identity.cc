#include "attestation/qe_identity.h"

#include <algorithm>

#include "attestation/signed_json.h"
#include "attestation/timestamp.h"

namespace scone::attestation {

using nlohmann::json;

namespace {

Result<int64_t> DateMember(const json& obj, std::string_view key, const std::string& what) {
  SCONE_ASSIGN_OR_RETURN(std::string s, StringMember(obj, key, what));
  auto t = ParseRfc3339(s);
  if (!t.ok()) return t.status().WithContext(what + ": \"" + std::string(key) + "\"");
  return t;
}

template <size_t N>
Status HexArray(const json& obj, std::string_view key, const std::string& what, ByteArray<N>& out) {
  SCONE_ASSIGN_OR_RETURN(Bytes b, HexMember(obj, key, N, what));
  std::copy(b.begin(), b.end(), out.begin());
  return Status::Ok();
}

uint32_t BigEndian32(const ByteArray<4>& b) {
  return static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
         static_cast<uint32_t>(b[2]) << 8 | b[3];
}

Result<QeTcbLevel> ParseLevel(const json& level, const std::string& where) {
  QeTcbLevel out;
  SCONE_ASSIGN_OR_RETURN(const json* tcb, Member(level, "tcb", where));
  SCONE_ASSIGN_OR_RETURN(int64_t svn, IntMember(*tcb, "isvsvn", 0, 65535, where + ".tcb"));
  out.isv_svn = static_cast<uint16_t>(svn);
  SCONE_ASSIGN_OR_RETURN(out.tcb_date, StringMember(level, "tcbDate", where));
  SCONE_RETURN_IF_ERROR(ParseRfc3339(out.tcb_date).status().WithContext(where + ": \"tcbDate\""));
  SCONE_ASSIGN_OR_RETURN(std::string status, StringMember(level, "tcbStatus", where));
  auto st = ParseTcbStatus(status);
  if (!st.ok() ||
      (*st != TcbStatus::kUpToDate && *st != TcbStatus::kOutOfDate && *st != TcbStatus::kRevoked)) {
    return InvalidArgument(where + ": tcbStatus \"" + status.substr(0, 64) +
                           "\" is not UpToDate, OutOfDate or Revoked");
  }
  out.status = *st;
  auto it = level.find("advisoryIDs");
  if (it != level.end()) {
    if (!it->is_array()) return InvalidArgument(where + ": \"advisoryIDs\" is not an array");
    for (const json& a : *it) {
      if (!a.is_string()) return InvalidArgument(where + ": an advisory ID is not a string");
      out.advisory_ids.push_back(a.get<std::string>());
    }
  }
  return out;
}

}  // namespace

Result<QeIdentity> ParseQeIdentity(std::string_view json_text) {
  SCONE_ASSIGN_OR_RETURN(SignedJson signed_json,
                         ParseSignedJson(json_text, "enclaveIdentity", "QE identity"));
  const json& v = signed_json.value;
  QeIdentity id;
  id.signed_body = std::move(signed_json.body);
  id.signature = signed_json.signature;
  const std::string w = "QE identity";
  SCONE_ASSIGN_OR_RETURN(id.version, IntMember(v, "version", 0, INT32_MAX, w));
  if (id.version != 2) {
    return InvalidArgument(w + ": version " + std::to_string(id.version) + " is not supported (2)");
  }
  SCONE_ASSIGN_OR_RETURN(id.id, StringMember(v, "id", w));
  if (id.id != "QE") {
    return InvalidArgument(w + ": id \"" + id.id.substr(0, 16) + "\" is not \"QE\"");
  }
  SCONE_ASSIGN_OR_RETURN(id.issue_date, DateMember(v, "issueDate", w));
  SCONE_ASSIGN_OR_RETURN(id.next_update, DateMember(v, "nextUpdate", w));
  SCONE_ASSIGN_OR_RETURN(id.tcb_evaluation_data_number,
                         IntMember(v, "tcbEvaluationDataNumber", 0, INT32_MAX, w));
  ByteArray<4> misc{}, misc_mask{};
  SCONE_RETURN_IF_ERROR(HexArray(v, "miscselect", w, misc));
  SCONE_RETURN_IF_ERROR(HexArray(v, "miscselectMask", w, misc_mask));
  id.misc_select = BigEndian32(misc);
  id.misc_select_mask = BigEndian32(misc_mask);
  SCONE_RETURN_IF_ERROR(HexArray(v, "attributes", w, id.attributes));
  SCONE_RETURN_IF_ERROR(HexArray(v, "attributesMask", w, id.attributes_mask));
  SCONE_RETURN_IF_ERROR(HexArray(v, "mrsigner", w, id.mr_signer));
  SCONE_ASSIGN_OR_RETURN(int64_t prod, IntMember(v, "isvprodid", 0, 65535, w));
  id.isv_prod_id = static_cast<uint16_t>(prod);
  SCONE_ASSIGN_OR_RETURN(const json* levels, Member(v, "tcbLevels", w));
  if (!levels->is_array() || levels->empty()) {
    return InvalidArgument(w + ": \"tcbLevels\" is not a non-empty array");
  }
  for (size_t i = 0; i < levels->size(); ++i) {
    SCONE_ASSIGN_OR_RETURN(QeTcbLevel level,
                           ParseLevel((*levels)[i], w + ": tcbLevels[" + std::to_string(i) + "]"));
    id.levels.push_back(std::move(level));
  }
  return id;
}

const QeTcbLevel* SelectQeTcbLevel(const QeIdentity& identity, uint16_t isv_svn) {
  // The matching level with the highest isvsvn (PCS lists them highest first).
  const QeTcbLevel* best = nullptr;
  for (const QeTcbLevel& level : identity.levels) {
    if (level.isv_svn <= isv_svn && (best == nullptr || level.isv_svn > best->isv_svn)) {
      best = &level;
    }
  }
  return best;
}

}  // namespace scone::attestation
