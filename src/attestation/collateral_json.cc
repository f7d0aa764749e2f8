#include "attestation/collateral_json.h"

#include "common/hex.h"

namespace scone::attestation {
using nlohmann::json;

json CollateralToJson(const Collateral& c) {
  json j = {{"tcb_info", c.tcb_info_json},
            {"tcb_info_issuer_chain", c.tcb_info_issuer_chain_pem},
            {"qe_identity", c.qe_identity_json},
            {"qe_identity_issuer_chain", c.qe_identity_issuer_chain_pem}};
  if (c.pck_crl) j["pck_crl"] = HexEncode(*c.pck_crl);
  if (c.pck_crl_issuer_chain_pem) j["pck_crl_issuer_chain"] = *c.pck_crl_issuer_chain_pem;
  if (c.root_ca_crl) j["root_ca_crl"] = HexEncode(*c.root_ca_crl);
  return j;
}

namespace {

Status GetString(const json& j, const char* name, std::string& out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return InvalidArgument(std::string("collateral: \"") + name + "\" is missing or not a string");
  }
  out = it->get<std::string>();
  return Status::Ok();
}

Status GetOptional(const json& j, const char* name, std::optional<std::string>& out) {
  if (!j.contains(name)) return Status::Ok();
  std::string s;
  SCONE_RETURN_IF_ERROR(GetString(j, name, s));
  out = std::move(s);
  return Status::Ok();
}

Status GetOptionalHex(const json& j, const char* name, std::optional<Bytes>& out) {
  std::optional<std::string> hex;
  SCONE_RETURN_IF_ERROR(GetOptional(j, name, hex));
  if (!hex) return Status::Ok();
  auto bytes = HexDecode(*hex);
  if (!bytes.ok()) return bytes.status().WithContext(std::string("collateral: \"") + name + "\"");
  out = std::move(bytes).value();
  return Status::Ok();
}

}  // namespace

Result<Collateral> CollateralFromJson(const json& j) {
  if (!j.is_object()) return InvalidArgument("collateral: not a JSON object");
  Collateral c;
  SCONE_RETURN_IF_ERROR(GetString(j, "tcb_info", c.tcb_info_json));
  SCONE_RETURN_IF_ERROR(GetString(j, "tcb_info_issuer_chain", c.tcb_info_issuer_chain_pem));
  SCONE_RETURN_IF_ERROR(GetString(j, "qe_identity", c.qe_identity_json));
  SCONE_RETURN_IF_ERROR(GetString(j, "qe_identity_issuer_chain", c.qe_identity_issuer_chain_pem));
  SCONE_RETURN_IF_ERROR(GetOptionalHex(j, "pck_crl", c.pck_crl));
  SCONE_RETURN_IF_ERROR(GetOptional(j, "pck_crl_issuer_chain", c.pck_crl_issuer_chain_pem));
  SCONE_RETURN_IF_ERROR(GetOptionalHex(j, "root_ca_crl", c.root_ca_crl));
  return c;
}

}  // namespace scone::attestation
