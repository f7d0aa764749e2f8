// The backup types of api.h (docs/backup.md).
#include "attestation/collateral_json.h"
#include "cas/api.h"
#include "cas/api_members.h"

namespace scone::cas::api {
using internal::Members;
using nlohmann::json;

namespace {
constexpr size_t kMaxQuoteSize = 64 << 10;
constexpr size_t kMaxPemSize = 64 << 10;
constexpr size_t kMaxAddressSize = 256;
constexpr size_t kMaxSpkiSize = 256;

Result<int64_t> Ranged(const Members& m, const char* name, int64_t max) {
  SCONE_ASSIGN_OR_RETURN(int64_t v, m.Int(name));
  if (v < 0 || v > max) {
    return InvalidArgument(internal::Quoted(name) + " must be 0 to " + std::to_string(max));
  }
  return v;
}
}  // namespace

json BackupKeyRequest::ToJson() const { return {{"nonce", HexEncode(nonce)}}; }

Result<BackupKeyRequest> BackupKeyRequest::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"nonce"}));
  BackupKeyRequest r;
  SCONE_ASSIGN_OR_RETURN(r.nonce, m.Hex("nonce", kMinNonceSize, kMaxNonceSize));
  return r;
}

json BackupKeyResponse::ToJson() const {
  return {{"quote", HexEncode(quote)},
          {"collateral", attestation::CollateralToJson(collateral)},
          {"salt", HexEncode(salt)},
          {"key_isvsvn", key_isvsvn},
          {"public_key", HexEncode(public_key)}};
}

Result<BackupKeyResponse> BackupKeyResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(
      Members m, Members::Of(j, {"quote", "collateral", "salt", "key_isvsvn", "public_key"}));
  BackupKeyResponse r;
  SCONE_ASSIGN_OR_RETURN(r.quote, m.Hex("quote", 1, kMaxQuoteSize));
  SCONE_ASSIGN_OR_RETURN(const json* collateral, m.Any("collateral"));
  auto c = attestation::CollateralFromJson(*collateral);
  if (!c.ok()) return c.status().WithContext("\"collateral\"");
  r.collateral = std::move(*c);
  SCONE_ASSIGN_OR_RETURN(r.salt, m.Hex("salt", 32, 32));
  SCONE_ASSIGN_OR_RETURN(r.key_isvsvn, Ranged(m, "key_isvsvn", 0xffff));
  SCONE_ASSIGN_OR_RETURN(r.public_key, m.Hex("public_key", 1, kMaxSpkiSize));
  return r;
}

json RegisterBackupRequest::ToJson() const {
  return {{"backup", backup},
          {"accept_configuration_needed", accept_configuration_needed},
          {"accept_out_of_date", accept_out_of_date},
          {"accept_sw_hardening_needed", accept_sw_hardening_needed},
          {"sim_root_ca", sim_root_ca}};
}

Result<RegisterBackupRequest> RegisterBackupRequest::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(
      Members m, Members::Of(j, {"backup", "accept_configuration_needed", "accept_out_of_date",
                                 "accept_sw_hardening_needed", "sim_root_ca"}));
  RegisterBackupRequest r;
  SCONE_ASSIGN_OR_RETURN(r.backup, m.String("backup", kMaxAddressSize));
  if (r.backup.empty()) return InvalidArgument("\"backup\" must name the backup CAS");
  SCONE_ASSIGN_OR_RETURN(r.accept_configuration_needed, m.Bool("accept_configuration_needed"));
  SCONE_ASSIGN_OR_RETURN(r.accept_out_of_date, m.Bool("accept_out_of_date"));
  SCONE_ASSIGN_OR_RETURN(r.accept_sw_hardening_needed, m.Bool("accept_sw_hardening_needed"));
  SCONE_ASSIGN_OR_RETURN(r.sim_root_ca, m.String("sim_root_ca", kMaxPemSize));
  return r;
}

json BackupInfo::ToJson() const {
  return {{"id", id},
          {"address", address},
          {"mrsigner", mrsigner},
          {"isvprodid", isvprodid},
          {"isvsvn", isvsvn},
          {"debug", debug},
          {"tcb_status", tcb_status},
          {"registered", registered}};
}

Result<BackupInfo> BackupInfo::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(
      Members m, Members::Of(j, {"id", "address", "mrsigner", "isvprodid", "isvsvn", "debug",
                                 "tcb_status", "registered"}));
  BackupInfo b;
  SCONE_ASSIGN_OR_RETURN(b.id, m.String("id", 32));
  SCONE_ASSIGN_OR_RETURN(b.address, m.String("address", kMaxAddressSize));
  SCONE_ASSIGN_OR_RETURN(b.mrsigner, m.String("mrsigner", 64));
  SCONE_ASSIGN_OR_RETURN(b.isvprodid, Ranged(m, "isvprodid", 0xffff));
  SCONE_ASSIGN_OR_RETURN(b.isvsvn, Ranged(m, "isvsvn", 0xffff));
  SCONE_ASSIGN_OR_RETURN(b.debug, m.Bool("debug"));
  SCONE_ASSIGN_OR_RETURN(b.tcb_status, m.String("tcb_status", 64));
  SCONE_ASSIGN_OR_RETURN(b.registered, m.Int("registered"));
  return b;
}

json BackupListResponse::ToJson() const {
  json list = json::array();
  for (const auto& b : backups) list.push_back(b.ToJson());
  return {{"backups", list}};
}

Result<BackupListResponse> BackupListResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m, Members::Of(j, {"backups"}));
  SCONE_ASSIGN_OR_RETURN(const json* list, m.Any("backups"));
  if (!list->is_array()) return InvalidArgument("\"backups\" must be a list");
  BackupListResponse r;
  for (const auto& item : *list) {
    auto b = BackupInfo::FromJson(item);
    if (!b.ok()) return b.status().WithContext("\"backups\"");
    r.backups.push_back(std::move(*b));
  }
  return r;
}

json RemoveBackupResponse::ToJson() const { return json::object(); }

Result<RemoveBackupResponse> RemoveBackupResponse::FromJson(const json& j) {
  SCONE_RETURN_IF_ERROR(Members::Of(j, {}).status());
  return RemoveBackupResponse{};
}

std::string BackupPath(std::string_view id) { return "/v1/backups/" + PercentEncode(id); }

json DatabaseGenerationResponse::ToJson() const {
  return {{"key_id", key_id},
          {"generation", generation},
          {"instance", instance},
          {"opened_at", opened_at}};
}

Result<DatabaseGenerationResponse> DatabaseGenerationResponse::FromJson(const json& j) {
  SCONE_ASSIGN_OR_RETURN(Members m,
                         Members::Of(j, {"key_id", "generation", "instance", "opened_at"}));
  DatabaseGenerationResponse r;
  SCONE_ASSIGN_OR_RETURN(Bytes key_id, m.Hex("key_id", 16, 16));
  r.key_id = HexEncode(key_id);
  SCONE_ASSIGN_OR_RETURN(r.generation, Ranged(m, "generation", INT64_MAX));
  if (r.generation == 0) return InvalidArgument("\"generation\" must be 1 or more");
  SCONE_ASSIGN_OR_RETURN(r.instance, m.String("instance", 128));
  if (r.instance.empty()) return InvalidArgument("\"instance\" must not be empty");
  SCONE_ASSIGN_OR_RETURN(r.opened_at, m.Int("opened_at"));
  return r;
}

}  // namespace scone::cas::api
