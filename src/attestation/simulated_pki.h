// A complete DCAP certificate hierarchy under a root of our own, and the collateral and
// quotes it signs: root CA -> PCK CA -> PCK certificate (with the SGX extension), root CA ->
// TCB signing certificate, a QE attestation key, CRLs, signed TCB info and QE identity.
//
// Quotes and collateral made here have exactly Intel's formats and verify with the same
// QuoteVerifier as Intel-rooted ones once the simulated root is trusted explicitly. Used
// by tests (to sign what Intel's keys cannot: revoked certificates, other FMSPCs, expired
// collateral) and by the simulated platform.
//
// The object owns every private key; they never leave it except through the accessors,
// which borrow.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/collateral.h"
#include "attestation/qe_identity.h"
#include "attestation/quote.h"
#include "attestation/sgx_extensions.h"
#include "attestation/tcb_info.h"
#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::attestation {

struct SimulatedPkiOptions {
  // Validity of every certificate, Unix seconds.
  int64_t not_before = 0;
  int64_t not_after = 0;
  std::string organization = "SCONE simulated SGX";
  // What the PCK certificate certifies about the platform.
  PckExtensions pck;
  // An existing root to certify under (borrowed; both or neither): another simulated
  // machine's root CA, as Intel's one root certifies every real machine. Every other key
  // (PCK CA, PCK, TCB signing, QE attestation) is generated fresh. Unset: a new root.
  EVP_PKEY* root_key = nullptr;
  X509* root = nullptr;
};

// The keys and certificates of a SimulatedPki, e.g. as loaded from a platform directory.
struct SimulatedPkiParts {
  crypto::EvpPkeyPtr root_key, pck_ca_key, pck_key, tcb_signer_key, attestation_key;
  crypto::X509Ptr root, pck_ca, pck, tcb_signer;
};

class SimulatedPki {
 public:
  // Generates fresh P-256 keys and certificates (under `options.root` if given;
  // kInvalidArgument if only one of root and root_key is given or they do not match).
  static Result<std::unique_ptr<SimulatedPki>> Generate(const SimulatedPkiOptions& options);

  // Reassembles a PKI from stored parts. Fails (kDataLoss) unless every key belongs to its
  // certificate, the PCK CA, TCB signing and PCK certificates are issued by the right keys
  // and the PCK certificate carries a valid SGX extension.
  static Result<std::unique_ptr<SimulatedPki>> FromParts(SimulatedPkiParts parts);

  X509* root() const { return root_.get(); }
  X509* pck_ca() const { return pck_ca_.get(); }
  X509* pck_cert() const { return pck_.get(); }
  X509* tcb_signer() const { return tcb_signer_.get(); }
  EVP_PKEY* root_key() const { return root_key_.get(); }
  EVP_PKEY* pck_ca_key() const { return pck_ca_key_.get(); }
  EVP_PKEY* pck_key() const { return pck_key_.get(); }
  EVP_PKEY* tcb_signer_key() const { return tcb_signer_key_.get(); }
  EVP_PKEY* attestation_key() const { return attestation_key_.get(); }

  Result<std::string> RootPem() const;
  Result<std::string> PckChainPem() const;        // PCK, PCK CA, root
  Result<std::string> PckCaChainPem() const;      // PCK CA, root
  Result<std::string> TcbSignerChainPem() const;  // TCB signer, root

  // `{"<member>":<body>,"signature":"<hex r||s>"}` with the exact bytes of `body` signed
  // by the TCB signing key.
  Result<std::string> SignCollateralJson(std::string_view member, std::string_view body) const;

  // DER CRLs of the root CA and of the PCK CA listing `revoked`.
  Result<Bytes> RootCaCrl(const std::vector<X509*>& revoked, int64_t this_update,
                          int64_t next_update) const;
  Result<Bytes> PckCrl(const std::vector<X509*>& revoked, int64_t this_update,
                       int64_t next_update) const;

  // Signed TCB info and QE identity, the issuer chains and empty CRLs valid
  // [crl_this_update, crl_next_update].
  Result<Collateral> MakeCollateral(const TcbInfo& tcb_info, const QeIdentity& qe_identity,
                                    int64_t crl_this_update, int64_t crl_next_update) const;

  // A complete quote: sets the attestation key, binds it (and `qe_auth_data`) into the QE
  // report's report data, signs the QE report with the PCK key and header + `report` with
  // the attestation key, and attaches the PCK chain (NUL-terminated, as Intel's QE does).
  Result<Quote> MakeQuote(const QuoteHeader& header, const ReportBody& report,
                          const ReportBody& qe_report, ByteView qe_auth_data) const;

 private:
  SimulatedPki() = default;

  crypto::EvpPkeyPtr root_key_, pck_ca_key_, pck_key_, tcb_signer_key_, attestation_key_;
  crypto::X509Ptr root_, pck_ca_, pck_, tcb_signer_;
};

// The JSON text of a "tcbInfo" body (version 3 form, or version 2 if info.version == 2)
// and of an "enclaveIdentity" body, as PCS serves them. signed_body and signature are
// ignored.
std::string TcbInfoBodyJson(const TcbInfo& info);
std::string QeIdentityBodyJson(const QeIdentity& identity);

}  // namespace scone::attestation
