#include "attestation/simulated_pki.h"

#include <nlohmann/json.hpp>

#include "attestation/timestamp.h"
#include "common/hex.h"
#include "crypto/crl.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::attestation {

using nlohmann::json;

namespace {

std::string UpperHex(ByteView b) {
  std::string s = HexEncode(b);
  for (char& c : s) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

Result<std::string> ChainPem(std::initializer_list<X509*> certs) {
  std::string out;
  for (X509* c : certs) {
    SCONE_ASSIGN_OR_RETURN(std::string pem, crypto::CertificateToPem(c));
    out += pem;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<SimulatedPki>> SimulatedPki::Generate(const SimulatedPkiOptions& o) {
  std::unique_ptr<SimulatedPki> pki(new SimulatedPki());
  const bool shared_root = o.root != nullptr || o.root_key != nullptr;
  if (shared_root) {
    if (o.root == nullptr || o.root_key == nullptr ||
        !crypto::PrivateKeyMatchesCertificate(o.root_key, o.root)) {
      return InvalidArgument("a shared root needs its certificate and its matching key");
    }
    if (EVP_PKEY_up_ref(o.root_key) != 1 || X509_up_ref(o.root) != 1) {
      return crypto::OpenSslError("taking a reference to the shared root");
    }
    pki->root_key_.reset(o.root_key);
    pki->root_.reset(o.root);
  } else {
    SCONE_ASSIGN_OR_RETURN(pki->root_key_, crypto::GenerateEcP256Key());
  }
  SCONE_ASSIGN_OR_RETURN(pki->pck_ca_key_, crypto::GenerateEcP256Key());
  SCONE_ASSIGN_OR_RETURN(pki->pck_key_, crypto::GenerateEcP256Key());
  SCONE_ASSIGN_OR_RETURN(pki->tcb_signer_key_, crypto::GenerateEcP256Key());
  SCONE_ASSIGN_OR_RETURN(pki->attestation_key_, crypto::GenerateEcP256Key());

  crypto::CertificateOptions ca;
  ca.organization = o.organization;
  ca.not_before = o.not_before;
  ca.not_after = o.not_after;
  ca.is_ca = true;
  ca.common_name = o.organization + " Root CA";
  if (!shared_root) {
    SCONE_ASSIGN_OR_RETURN(
        pki->root_,
        crypto::CreateCertificate(pki->root_key_.get(), pki->root_key_.get(), nullptr, ca));
  }
  ca.common_name = o.organization + " PCK Platform CA";
  SCONE_ASSIGN_OR_RETURN(pki->pck_ca_,
                         crypto::CreateCertificate(pki->pck_ca_key_.get(), pki->root_key_.get(),
                                                   pki->root_.get(), ca));
  crypto::CertificateOptions leaf = ca;
  leaf.is_ca = false;
  leaf.common_name = o.organization + " TCB Signing";
  SCONE_ASSIGN_OR_RETURN(pki->tcb_signer_,
                         crypto::CreateCertificate(pki->tcb_signer_key_.get(), pki->root_key_.get(),
                                                   pki->root_.get(), leaf));
  leaf.common_name = o.organization + " PCK Certificate";
  SCONE_ASSIGN_OR_RETURN(pki->pck_,
                         crypto::CreateCertificate(pki->pck_key_.get(), pki->pck_ca_key_.get(),
                                                   pki->pck_ca_.get(), leaf));
  // Add the SGX extension and sign again (the signature covers the extensions).
  SCONE_ASSIGN_OR_RETURN(crypto::X509ExtensionPtr ext, MakePckX509Extension(o.pck));
  if (X509_add_ext(pki->pck_.get(), ext.get(), -1) != 1 ||
      X509_sign(pki->pck_.get(), pki->pck_ca_key_.get(), EVP_sha256()) <= 0) {
    return crypto::OpenSslError("adding the SGX extension to the PCK certificate");
  }
  return pki;
}

Result<std::unique_ptr<SimulatedPki>> SimulatedPki::FromParts(SimulatedPkiParts parts) {
  struct Pair {
    const char* name;
    EVP_PKEY* key;
    X509* cert;
    EVP_PKEY* issuer_key;
  };
  const Pair pairs[] = {
      {"root CA", parts.root_key.get(), parts.root.get(), parts.root_key.get()},
      {"PCK CA", parts.pck_ca_key.get(), parts.pck_ca.get(), parts.root_key.get()},
      {"TCB signing", parts.tcb_signer_key.get(), parts.tcb_signer.get(), parts.root_key.get()},
      {"PCK", parts.pck_key.get(), parts.pck.get(), parts.pck_ca_key.get()},
  };
  if (!parts.attestation_key) return DataLoss("the QE attestation key is missing");
  for (const auto& p : pairs) {
    if (p.key == nullptr || p.cert == nullptr) {
      return DataLoss(std::string("the ") + p.name + " key or certificate is missing");
    }
    if (!crypto::PrivateKeyMatchesCertificate(p.key, p.cert)) {
      return DataLoss(std::string("the ") + p.name + " key does not belong to its certificate");
    }
    if (X509_verify(p.cert, p.issuer_key) != 1) {
      crypto::ClearOpenSslErrors();
      return DataLoss(std::string("the ") + p.name +
                      " certificate is not signed by its issuer's key");
    }
  }
  auto ext = ParsePckExtensions(parts.pck.get());
  if (!ext.ok()) return DataLoss(ext.status().message());
  std::unique_ptr<SimulatedPki> pki(new SimulatedPki());
  pki->root_key_ = std::move(parts.root_key);
  pki->pck_ca_key_ = std::move(parts.pck_ca_key);
  pki->pck_key_ = std::move(parts.pck_key);
  pki->tcb_signer_key_ = std::move(parts.tcb_signer_key);
  pki->attestation_key_ = std::move(parts.attestation_key);
  pki->root_ = std::move(parts.root);
  pki->pck_ca_ = std::move(parts.pck_ca);
  pki->pck_ = std::move(parts.pck);
  pki->tcb_signer_ = std::move(parts.tcb_signer);
  return pki;
}

Result<std::string> SimulatedPki::RootPem() const { return crypto::CertificateToPem(root()); }
Result<std::string> SimulatedPki::PckChainPem() const {
  return ChainPem({pck_cert(), pck_ca(), root()});
}
Result<std::string> SimulatedPki::PckCaChainPem() const { return ChainPem({pck_ca(), root()}); }
Result<std::string> SimulatedPki::TcbSignerChainPem() const {
  return ChainPem({tcb_signer(), root()});
}

Result<std::string> SimulatedPki::SignCollateralJson(std::string_view member,
                                                     std::string_view body) const {
  SCONE_ASSIGN_OR_RETURN(auto sig, crypto::SignEcdsaP256Raw(tcb_signer_key(), AsBytes(body)));
  return "{\"" + std::string(member) + "\":" + std::string(body) + ",\"signature\":\"" +
         HexEncode(sig) + "\"}";
}

Result<Bytes> SimulatedPki::RootCaCrl(const std::vector<X509*>& revoked, int64_t this_update,
                                      int64_t next_update) const {
  SCONE_ASSIGN_OR_RETURN(auto crl,
                         crypto::CreateCrl(root(), root_key(), revoked, this_update, next_update));
  return crypto::CrlToDer(crl.get());
}

Result<Bytes> SimulatedPki::PckCrl(const std::vector<X509*>& revoked, int64_t this_update,
                                   int64_t next_update) const {
  SCONE_ASSIGN_OR_RETURN(
      auto crl, crypto::CreateCrl(pck_ca(), pck_ca_key(), revoked, this_update, next_update));
  return crypto::CrlToDer(crl.get());
}

Result<Collateral> SimulatedPki::MakeCollateral(const TcbInfo& tcb_info,
                                                const QeIdentity& qe_identity,
                                                int64_t crl_this_update,
                                                int64_t crl_next_update) const {
  Collateral c;
  SCONE_ASSIGN_OR_RETURN(c.tcb_info_json, SignCollateralJson("tcbInfo", TcbInfoBodyJson(tcb_info)));
  SCONE_ASSIGN_OR_RETURN(c.tcb_info_issuer_chain_pem, TcbSignerChainPem());
  SCONE_ASSIGN_OR_RETURN(c.qe_identity_json,
                         SignCollateralJson("enclaveIdentity", QeIdentityBodyJson(qe_identity)));
  SCONE_ASSIGN_OR_RETURN(c.qe_identity_issuer_chain_pem, TcbSignerChainPem());
  SCONE_ASSIGN_OR_RETURN(c.pck_crl, PckCrl({}, crl_this_update, crl_next_update));
  SCONE_ASSIGN_OR_RETURN(c.pck_crl_issuer_chain_pem, PckCaChainPem());
  SCONE_ASSIGN_OR_RETURN(c.root_ca_crl, RootCaCrl({}, crl_this_update, crl_next_update));
  return c;
}

Result<Quote> SimulatedPki::MakeQuote(const QuoteHeader& header, const ReportBody& report,
                                      const ReportBody& qe_report, ByteView qe_auth_data) const {
  Quote q;
  q.header = header;
  q.report = report;
  q.qe_report = qe_report;
  q.qe_auth_data.assign(qe_auth_data.begin(), qe_auth_data.end());
  SCONE_ASSIGN_OR_RETURN(q.attestation_key, crypto::EcP256PublicKeyToRaw(attestation_key()));
  crypto::Sha256Hasher h;
  h.Update(q.attestation_key).Update(q.qe_auth_data);
  const auto binding = h.Finish();
  std::fill(q.qe_report.report_data.begin(), q.qe_report.report_data.end(), uint8_t{0});
  std::copy(binding.begin(), binding.end(), q.qe_report.report_data.begin());
  SCONE_ASSIGN_OR_RETURN(q.qe_report_signature,
                         crypto::SignEcdsaP256Raw(pck_key(), SerializeReportBody(q.qe_report)));
  SCONE_ASSIGN_OR_RETURN(q.isv_signature,
                         crypto::SignEcdsaP256Raw(attestation_key(), SerializeQuoteSignedPart(q)));
  SCONE_ASSIGN_OR_RETURN(std::string chain, PckChainPem());
  q.certification_data = ToBytes(chain);
  q.certification_data.push_back(0);
  q.certification_data_type = kCertificationDataPckChain;
  return q;
}

std::string TcbInfoBodyJson(const TcbInfo& info) {
  json body = json::object();
  if (info.version == 3) body["id"] = info.id.empty() ? "SGX" : info.id;
  body["version"] = info.version;
  body["issueDate"] = FormatRfc3339(info.issue_date);
  body["nextUpdate"] = FormatRfc3339(info.next_update);
  body["fmspc"] = UpperHex(info.fmspc);
  body["pceId"] = UpperHex(info.pce_id);
  body["tcbType"] = info.tcb_type;
  body["tcbEvaluationDataNumber"] = info.tcb_evaluation_data_number;
  json levels = json::array();
  for (const TcbLevel& l : info.levels) {
    json tcb = json::object();
    if (info.version == 3) {
      json comps = json::array();
      for (uint8_t svn : l.sgx_components) comps.push_back({{"svn", svn}});
      tcb["sgxtcbcomponents"] = comps;
    } else {
      for (size_t i = 0; i < 16; ++i) {
        std::string key = std::to_string(i + 1);
        if (key.size() < 2) key.insert(0, "0");
        tcb["sgxtcbcomp" + key + "svn"] = l.sgx_components[i];
      }
    }
    tcb["pcesvn"] = l.pce_svn;
    json level = {{"tcb", tcb}, {"tcbDate", l.tcb_date}, {"tcbStatus", TcbStatusName(l.status)}};
    if (!l.advisory_ids.empty()) level["advisoryIDs"] = l.advisory_ids;
    levels.push_back(level);
  }
  body["tcbLevels"] = levels;
  return body.dump();
}

std::string QeIdentityBodyJson(const QeIdentity& id) {
  const ByteArray<4> misc = {
      static_cast<uint8_t>(id.misc_select >> 24), static_cast<uint8_t>(id.misc_select >> 16),
      static_cast<uint8_t>(id.misc_select >> 8), static_cast<uint8_t>(id.misc_select)};
  const ByteArray<4> mask = {static_cast<uint8_t>(id.misc_select_mask >> 24),
                             static_cast<uint8_t>(id.misc_select_mask >> 16),
                             static_cast<uint8_t>(id.misc_select_mask >> 8),
                             static_cast<uint8_t>(id.misc_select_mask)};
  json body = json::object();
  body["id"] = id.id.empty() ? "QE" : id.id;
  body["version"] = id.version;
  body["issueDate"] = FormatRfc3339(id.issue_date);
  body["nextUpdate"] = FormatRfc3339(id.next_update);
  body["tcbEvaluationDataNumber"] = id.tcb_evaluation_data_number;
  body["miscselect"] = UpperHex(misc);
  body["miscselectMask"] = UpperHex(mask);
  body["attributes"] = UpperHex(id.attributes);
  body["attributesMask"] = UpperHex(id.attributes_mask);
  body["mrsigner"] = UpperHex(id.mr_signer);
  body["isvprodid"] = id.isv_prod_id;
  json levels = json::array();
  for (const QeTcbLevel& l : id.levels) {
    json level = {{"tcb", {{"isvsvn", l.isv_svn}}},
                  {"tcbDate", l.tcb_date},
                  {"tcbStatus", TcbStatusName(l.status)}};
    if (!l.advisory_ids.empty()) level["advisoryIDs"] = l.advisory_ids;
    levels.push_back(level);
  }
  body["tcbLevels"] = levels;
  return body.dump();
}

}  // namespace scone::attestation
