// DCAP collateral in Intel PCS formats, as files in a directory:
//
//   tcb_info.json                TCB info for the platform's FMSPC (tcb_info.h)
//   tcb_info_issuer_chain.pem    TCB signing certificate, then the root
//   qe_identity.json             QE identity (qe_identity.h)
//   qe_identity_issuer_chain.pem TCB signing certificate, then the root
//   pck_crl.der                  CRL of the PCK issuing CA (Platform or Processor), DER or PEM
//   pck_crl_issuer_chain.pem     the PCK CA, then the root
//   root_ca_crl.der              CRL of the root CA, DER or PEM
//
// Collateral is untrusted input until the verifier has checked it. The three CRL files may
// be absent; whether that is acceptable is the verifier's decision
// (VerifierOptions::accept_unverifiable_pcs_certs).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "attestation/qe_identity.h"
#include "attestation/tcb_info.h"
#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::attestation {

inline constexpr char kTcbInfoFile[] = "tcb_info.json";
inline constexpr char kTcbInfoIssuerChainFile[] = "tcb_info_issuer_chain.pem";
inline constexpr char kQeIdentityFile[] = "qe_identity.json";
inline constexpr char kQeIdentityIssuerChainFile[] = "qe_identity_issuer_chain.pem";
inline constexpr char kPckCrlFile[] = "pck_crl.der";
inline constexpr char kPckCrlIssuerChainFile[] = "pck_crl_issuer_chain.pem";
inline constexpr char kRootCaCrlFile[] = "root_ca_crl.der";

// The raw bytes of the collateral files. Plain value; the verifier keys its cache on it.
struct Collateral {
  std::string tcb_info_json;
  std::string tcb_info_issuer_chain_pem;
  std::string qe_identity_json;
  std::string qe_identity_issuer_chain_pem;
  std::optional<Bytes> pck_crl;
  std::optional<std::string> pck_crl_issuer_chain_pem;
  std::optional<Bytes> root_ca_crl;

  bool has_crls() const { return pck_crl && pck_crl_issuer_chain_pem && root_ca_crl; }
};

// Reads the files above from `dir`. The four TCB info / QE identity files are required
// (kNotFound naming the file); CRL files that do not exist are left empty. Each file is
// limited to 1 MiB.
Result<Collateral> LoadCollateralDir(const std::filesystem::path& dir);

// Writes every present file into `dir` (created with mode 0755 if missing), each atomically.
Status WriteCollateralDir(const std::filesystem::path& dir, const Collateral& collateral);

// The collateral decoded, without any signature, chain or time check.
struct ParsedCollateral {
  TcbInfo tcb_info;
  std::vector<crypto::X509Ptr> tcb_info_issuer_chain;  // leaf (signer) first
  QeIdentity qe_identity;
  std::vector<crypto::X509Ptr> qe_identity_issuer_chain;
  crypto::X509CrlPtr pck_crl;                         // null if absent
  std::vector<crypto::X509Ptr> pck_crl_issuer_chain;  // empty if absent
  crypto::X509CrlPtr root_ca_crl;                     // null if absent
};

// Decodes everything in `collateral`; kInvalidArgument naming the file on the first error.
Result<ParsedCollateral> ParseCollateral(const Collateral& collateral);

}  // namespace scone::attestation
