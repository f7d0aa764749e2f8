// The session types of the CAS API (api.h, "sessions"): JSON in and out, strictly.
#include <utility>

#include "attestation/timestamp.h"
#include "cas/api.h"
#include "cas/api_members.h"

namespace scone::cas::api {
namespace {
using internal::Members;
using internal::Quoted;
using nlohmann::json;

// A session name is at most 128 characters (docs/session-language.md); a key hash about 50.
constexpr size_t kMaxNameSize = 128;
constexpr size_t kMaxKeyHashSize = 128;
constexpr size_t kMaxTimeSize = 64;

bool IsSessionHash(std::string_view s) {
  if (s.size() != kSessionHashSize) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> HashMember(const Members& m, const char* name) {
  SCONE_ASSIGN_OR_RETURN(std::string hash, m.String(name, kSessionHashSize));
  if (!IsSessionHash(hash)) {
    return InvalidArgument(Quoted(name) + " must be 64 lower-case hexadecimal digits");
  }
  return hash;
}

Result<std::string> NameMember(const Members& m, const char* name) {
  SCONE_ASSIGN_OR_RETURN(std::string value, m.String(name, kMaxNameSize));
  if (value.empty()) return InvalidArgument(Quoted(name) + " is empty");
  return value;
}

// The version members of `j` (shared by a history entry and a read answer).
Status ReadVersion(const Members& m, SessionVersion& v) {
  SCONE_ASSIGN_OR_RETURN(v.hash, HashMember(m, "hash"));
  SCONE_ASSIGN_OR_RETURN(v.creator, m.String("creator", kMaxKeyHashSize));
  if (v.creator.empty()) return InvalidArgument("\"creator\" is empty");
  SCONE_ASSIGN_OR_RETURN(v.predecessor, m.NullableString("predecessor", kSessionHashSize));
  if (v.predecessor.has_value() && !IsSessionHash(*v.predecessor)) {
    return InvalidArgument("\"predecessor\" must be null or 64 lower-case hexadecimal digits");
  }
  SCONE_ASSIGN_OR_RETURN(std::string created, m.String("created", kMaxTimeSize));
  auto time = attestation::ParseRfc3339(created);
  if (!time.ok()) return time.status().WithContext("\"created\"");
  v.created = *time;
  return Status::Ok();
}

void WriteVersion(const SessionVersion& v, json& j) {
  j["hash"] = v.hash;
  j["creator"] = v.creator;
  j["predecessor"] = v.predecessor.has_value() ? json(*v.predecessor) : json(nullptr);
  j["created"] = attestation::FormatRfc3339(v.created);
}

}  // namespace

json SessionUploadResponse::ToJson() const { return {{"name", name}, {"hash", hash}}; }

Result<SessionUploadResponse> SessionUploadResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"name", "hash"}));
  SessionUploadResponse r;
  SCONE_ASSIGN_OR_RETURN(r.name, NameMember(m, "name"));
  SCONE_ASSIGN_OR_RETURN(r.hash, HashMember(m, "hash"));
  return r;
}

json SessionVersion::ToJson() const {
  json j = json::object();
  WriteVersion(*this, j);
  return j;
}

Result<SessionVersion> SessionVersion::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"hash", "creator", "predecessor", "created"}));
  SessionVersion v;
  SCONE_RETURN_IF_ERROR(ReadVersion(m, v));
  return v;
}

json SessionReadResponse::ToJson() const {
  json j = {{"name", name}, {"session", session}};
  WriteVersion(version, j);
  return j;
}

Result<SessionReadResponse> SessionReadResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(
      Members m, Members::Of(j, {"name", "hash", "session", "creator", "predecessor", "created"}));
  SessionReadResponse r;
  SCONE_ASSIGN_OR_RETURN(r.name, NameMember(m, "name"));
  SCONE_ASSIGN_OR_RETURN(r.session, m.String("session", kMaxSessionSize));
  SCONE_RETURN_IF_ERROR(ReadVersion(m, r.version));
  return r;
}

json SessionHistoryResponse::ToJson() const {
  json list = json::array();
  for (const SessionVersion& v : versions) list.push_back(v.ToJson());
  return {{"name", name}, {"versions", std::move(list)}};
}

Result<SessionHistoryResponse> SessionHistoryResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"name", "versions"}));
  SessionHistoryResponse r;
  SCONE_ASSIGN_OR_RETURN(r.name, NameMember(m, "name"));
  SCONE_ASSIGN_OR_RETURN(const json* list, m.Any("versions"));
  if (!list->is_array()) return InvalidArgument("\"versions\" must be a list");
  for (size_t i = 0; i < list->size(); ++i) {
    auto v = SessionVersion::FromJson((*list)[i]);
    if (!v.ok()) return v.status().WithContext("\"versions\"[" + std::to_string(i) + "]");
    r.versions.push_back(std::move(*v));
  }
  return r;
}

json SessionListResponse::ToJson() const { return {{"sessions", sessions}}; }

Result<SessionListResponse> SessionListResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"sessions"}));
  SCONE_ASSIGN_OR_RETURN(const json* list, m.Any("sessions"));
  if (!list->is_array()) return InvalidArgument("\"sessions\" must be a list");
  SessionListResponse r;
  for (const json& item : *list) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
        item.get_ref<const std::string&>().size() > kMaxNameSize) {
      return InvalidArgument("\"sessions\" must hold session names of 1 to " +
                             std::to_string(kMaxNameSize) + " characters");
    }
    r.sessions.push_back(item.get<std::string>());
  }
  return r;
}

}  // namespace scone::cas::api
