#include "attestation/collateral.h"

#include "common/file_util.h"
#include "crypto/crl.h"
#include "crypto/x509.h"

namespace scone::attestation {

namespace {

constexpr size_t kMaxCollateralFile = 1 << 20;

Result<std::optional<std::string>> ReadOptional(const std::filesystem::path& path) {
  auto content = ReadFile(path, kMaxCollateralFile);
  if (content.ok()) return std::optional<std::string>(std::move(content).value());
  if (content.status().code() == Code::kNotFound) return std::optional<std::string>();
  return content.status().WithContext(path.string());
}

Result<std::string> ReadRequired(const std::filesystem::path& dir, const char* name) {
  auto content = ReadFile(dir / name, kMaxCollateralFile);
  if (!content.ok()) {
    return content.status().WithContext("collateral file " + (dir / name).string());
  }
  return content;
}

Result<std::vector<crypto::X509Ptr>> Chain(std::string_view pem, const char* file) {
  auto chain = crypto::ParseCertificatesPem(pem);
  if (!chain.ok()) return chain.status().WithContext(file);
  return chain;
}

Result<crypto::X509CrlPtr> Crl(const Bytes& data, const char* file) {
  auto crl = crypto::ParseCrlPemOrDer(data);
  if (!crl.ok()) return crl.status().WithContext(file);
  return crl;
}

}  // namespace

Result<Collateral> LoadCollateralDir(const std::filesystem::path& dir) {
  Collateral c;
  SCONE_ASSIGN_OR_RETURN(c.tcb_info_json, ReadRequired(dir, kTcbInfoFile));
  SCONE_ASSIGN_OR_RETURN(c.tcb_info_issuer_chain_pem, ReadRequired(dir, kTcbInfoIssuerChainFile));
  SCONE_ASSIGN_OR_RETURN(c.qe_identity_json, ReadRequired(dir, kQeIdentityFile));
  SCONE_ASSIGN_OR_RETURN(c.qe_identity_issuer_chain_pem,
                         ReadRequired(dir, kQeIdentityIssuerChainFile));
  SCONE_ASSIGN_OR_RETURN(auto pck_crl, ReadOptional(dir / kPckCrlFile));
  if (pck_crl) c.pck_crl = ToBytes(*pck_crl);
  SCONE_ASSIGN_OR_RETURN(c.pck_crl_issuer_chain_pem, ReadOptional(dir / kPckCrlIssuerChainFile));
  SCONE_ASSIGN_OR_RETURN(auto root_crl, ReadOptional(dir / kRootCaCrlFile));
  if (root_crl) c.root_ca_crl = ToBytes(*root_crl);
  return c;
}

Status WriteCollateralDir(const std::filesystem::path& dir, const Collateral& c) {
  SCONE_RETURN_IF_ERROR(EnsureDirectory(dir, 0755));
  auto write = [&](const char* name, ByteView data) {
    return WriteFileAtomic(dir / name, data, 0644);
  };
  SCONE_RETURN_IF_ERROR(write(kTcbInfoFile, AsBytes(c.tcb_info_json)));
  SCONE_RETURN_IF_ERROR(write(kTcbInfoIssuerChainFile, AsBytes(c.tcb_info_issuer_chain_pem)));
  SCONE_RETURN_IF_ERROR(write(kQeIdentityFile, AsBytes(c.qe_identity_json)));
  SCONE_RETURN_IF_ERROR(write(kQeIdentityIssuerChainFile, AsBytes(c.qe_identity_issuer_chain_pem)));
  if (c.pck_crl) SCONE_RETURN_IF_ERROR(write(kPckCrlFile, *c.pck_crl));
  if (c.pck_crl_issuer_chain_pem) {
    SCONE_RETURN_IF_ERROR(write(kPckCrlIssuerChainFile, AsBytes(*c.pck_crl_issuer_chain_pem)));
  }
  if (c.root_ca_crl) SCONE_RETURN_IF_ERROR(write(kRootCaCrlFile, *c.root_ca_crl));
  return Status::Ok();
}

Result<ParsedCollateral> ParseCollateral(const Collateral& c) {
  ParsedCollateral p;
  auto tcb = ParseTcbInfo(c.tcb_info_json);
  if (!tcb.ok()) return tcb.status().WithContext(kTcbInfoFile);
  p.tcb_info = std::move(tcb).value();
  SCONE_ASSIGN_OR_RETURN(p.tcb_info_issuer_chain,
                         Chain(c.tcb_info_issuer_chain_pem, kTcbInfoIssuerChainFile));
  auto qe = ParseQeIdentity(c.qe_identity_json);
  if (!qe.ok()) return qe.status().WithContext(kQeIdentityFile);
  p.qe_identity = std::move(qe).value();
  SCONE_ASSIGN_OR_RETURN(p.qe_identity_issuer_chain,
                         Chain(c.qe_identity_issuer_chain_pem, kQeIdentityIssuerChainFile));
  if (c.pck_crl) {
    SCONE_ASSIGN_OR_RETURN(p.pck_crl, Crl(*c.pck_crl, kPckCrlFile));
  }
  if (c.pck_crl_issuer_chain_pem) {
    SCONE_ASSIGN_OR_RETURN(p.pck_crl_issuer_chain,
                           Chain(*c.pck_crl_issuer_chain_pem, kPckCrlIssuerChainFile));
  }
  if (c.root_ca_crl) {
    SCONE_ASSIGN_OR_RETURN(p.root_ca_crl, Crl(*c.root_ca_crl, kRootCaCrlFile));
  }
  return p;
}

}  // namespace scone::attestation
