#include "attestation/verifier.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <unordered_set>

#include "attestation/intel_root.h"
#include "attestation/sgx_extensions.h"
#include "attestation/verifier_checks.h"
#include "common/hex.h"
#include "crypto/crl.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/x509.h"
#include "crypto/x509_verify.h"

namespace scone::attestation {

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone:
      return "none";
    case FailureKind::kMalformedQuote:
      return "malformed-quote";
    case FailureKind::kMalformedCollateral:
      return "malformed-collateral";
    case FailureKind::kMissingCrls:
      return "missing-crls";
    case FailureKind::kUntrustedRoot:
      return "untrusted-root";
    case FailureKind::kCertificateRevoked:
      return "certificate-revoked";
    case FailureKind::kCertificateExpired:
      return "certificate-expired";
    case FailureKind::kCertificateNotYetValid:
      return "certificate-not-yet-valid";
    case FailureKind::kCertificateChainInvalid:
      return "certificate-chain-invalid";
    case FailureKind::kRootCaCrlInvalid:
      return "root-ca-crl-invalid";
    case FailureKind::kRootCaCrlNotYetValid:
      return "root-ca-crl-not-yet-valid";
    case FailureKind::kRootCaCrlExpired:
      return "root-ca-crl-expired";
    case FailureKind::kPckCrlInvalid:
      return "pck-crl-invalid";
    case FailureKind::kPckCrlNotYetValid:
      return "pck-crl-not-yet-valid";
    case FailureKind::kPckCrlExpired:
      return "pck-crl-expired";
    case FailureKind::kTcbInfoSignatureInvalid:
      return "tcb-info-signature-invalid";
    case FailureKind::kTcbInfoNotYetValid:
      return "tcb-info-not-yet-valid";
    case FailureKind::kTcbInfoExpired:
      return "tcb-info-expired";
    case FailureKind::kQeIdentitySignatureInvalid:
      return "qe-identity-signature-invalid";
    case FailureKind::kQeIdentityNotYetValid:
      return "qe-identity-not-yet-valid";
    case FailureKind::kQeIdentityExpired:
      return "qe-identity-expired";
    case FailureKind::kPckExtensionInvalid:
      return "pck-extension-invalid";
    case FailureKind::kFmspcMismatch:
      return "fmspc-mismatch";
    case FailureKind::kPceIdMismatch:
      return "pce-id-mismatch";
    case FailureKind::kQeReportSignatureInvalid:
      return "qe-report-signature-invalid";
    case FailureKind::kQeReportDataMismatch:
      return "qe-report-data-mismatch";
    case FailureKind::kQeIdentityMismatch:
      return "qe-identity-mismatch";
    case FailureKind::kIsvSignatureInvalid:
      return "isv-signature-invalid";
    case FailureKind::kTcbNotSupported:
      return "tcb-not-supported";
    case FailureKind::kTcbRevoked:
      return "tcb-revoked";
  }
  return "unknown";
}

bool IsTerminalStatus(TcbStatus status) { return status == TcbStatus::kRevoked; }

TcbStatus ConvergeTcbStatus(TcbStatus platform, TcbStatus qe) {
  if (qe == TcbStatus::kRevoked) return TcbStatus::kRevoked;
  if (qe == TcbStatus::kOutOfDate) {
    switch (platform) {
      case TcbStatus::kUpToDate:
      case TcbStatus::kSWHardeningNeeded:
        return TcbStatus::kOutOfDate;
      case TcbStatus::kConfigurationNeeded:
      case TcbStatus::kConfigurationAndSWHardeningNeeded:
        return TcbStatus::kOutOfDateConfigurationNeeded;
      default:
        break;
    }
  }
  return platform;
}

namespace {

using crypto::X509Ptr;
using verifier_internal::CheckContext;
using verifier_internal::CheckCrlWindow;
using verifier_internal::CheckWindow;
using verifier_internal::Failer;
using verifier_internal::Present;
using verifier_internal::VerifyChain;
using verifier_internal::VerifySignedCollateral;
using verifier_internal::Window;

void AppendField(std::string& key, ByteView data) {
  uint64_t n = data.size();
  for (int i = 0; i < 8; ++i) key.push_back(static_cast<char>(n >> (8 * i)));
  key.append(AsChars(data));
}

void AppendOptional(std::string& key, bool present, ByteView data) {
  key.push_back(present ? '\1' : '\0');
  if (present) AppendField(key, data);
}

// The cache key: the exact collateral bytes, unambiguously framed.
std::string CollateralKey(const Collateral& c) {
  std::string key;
  key.reserve(c.tcb_info_json.size() + c.qe_identity_json.size() + 16384);
  AppendField(key, AsBytes(c.tcb_info_json));
  AppendField(key, AsBytes(c.tcb_info_issuer_chain_pem));
  AppendField(key, AsBytes(c.qe_identity_json));
  AppendField(key, AsBytes(c.qe_identity_issuer_chain_pem));
  AppendOptional(key, c.pck_crl.has_value(), c.pck_crl ? ByteView(*c.pck_crl) : ByteView());
  AppendOptional(key, c.pck_crl_issuer_chain_pem.has_value(),
                 c.pck_crl_issuer_chain_pem ? AsBytes(*c.pck_crl_issuer_chain_pem) : ByteView());
  AppendOptional(key, c.root_ca_crl.has_value(),
                 c.root_ca_crl ? ByteView(*c.root_ca_crl) : ByteView());
  return key;
}

std::string Hex(ByteView b) { return HexEncode(b); }

}  // namespace

struct QuoteVerifier::PckEntry {
  crypto::EvpPkeyPtr pck_key;
  PckExtensions extensions;
  TcbLevel tcb_level;  // the matched level
  Window window;       // includes the collateral's window
  // QE reports whose signature verified with pck_key: the exact 384 report bytes followed
  // by the 64 signature bytes. The QE signs the same report for every quote of its
  // attestation key, so a repeat quote skips that ECDSA verification; any other byte is
  // verified again. Bounded by cache_capacity. Guarded by QuoteVerifier::mu_.
  mutable std::unordered_set<std::string> verified_qe_reports;
};

struct QuoteVerifier::CollateralEntry {
  ParsedCollateral parsed;
  // All three CRL files were given: every chain must then be covered by its CRLs.
  // Otherwise (only with accept_unverifiable_pcs_certs) the CRLs that were given are
  // checked and the others are reported as not checked.
  bool crls_complete = false;
  Window window;
  // PCK chains verified under this collateral, keyed by the quote's certification data.
  // Guarded by QuoteVerifier::mu_.
  mutable std::unordered_map<std::string, std::shared_ptr<const PckEntry>> pck_chains;
};

QuoteVerifier::QuoteVerifier(VerifierOptions options, std::vector<X509Ptr> roots)
    : options_(std::move(options)), roots_(std::move(roots)) {}

QuoteVerifier::~QuoteVerifier() = default;

Result<std::unique_ptr<QuoteVerifier>> QuoteVerifier::New(VerifierOptions options) {
  std::vector<X509Ptr> roots;
  if (options.trusted_roots.empty()) {
    SCONE_ASSIGN_OR_RETURN(X509Ptr intel, IntelSgxRootCa());
    roots.push_back(std::move(intel));
  }
  for (size_t i = 0; i < options.trusted_roots.size(); ++i) {
    auto cert = crypto::ParseCertificatePemOrDer(options.trusted_roots[i]);
    if (!cert.ok()) {
      return cert.status().WithContext("trusted root " + std::to_string(i + 1));
    }
    if (X509_check_issued(cert->get(), cert->get()) != X509_V_OK) {
      return InvalidArgument("trusted root " + std::to_string(i + 1) + " (" +
                             crypto::SubjectName(cert->get()) + ") is not self-signed");
    }
    roots.push_back(std::move(cert).value());
  }
  if (options.cache_capacity == 0) options.cache_capacity = 1;
  return std::unique_ptr<QuoteVerifier>(new QuoteVerifier(std::move(options), std::move(roots)));
}

void QuoteVerifier::ClearCache() const {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.clear();
  attestation_keys_.clear();
}

Result<VerifiedQuote> QuoteVerifier::Verify(ByteView quote_bytes, const Collateral& collateral,
                                            int64_t now, FailureKind* failure) const {
  const Failer fail(failure);
  if (failure != nullptr) *failure = FailureKind::kNone;
  const CheckContext ctx{roots_, fail, now};

  // 1. Formats.
  auto parsed_quote = ParseQuote(quote_bytes);
  if (!parsed_quote.ok()) return fail(FailureKind::kMalformedQuote, parsed_quote.status());
  const Quote& quote = *parsed_quote;

  // 2-5. Collateral (cached by its bytes while `now` is inside its validity window).
  std::string ckey = CollateralKey(collateral);
  std::shared_ptr<const CollateralEntry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(ckey);
    if (it != cache_.end() && it->second->window.Contains(now)) entry = it->second;
  }
  if (!entry) {
    auto fresh = std::make_shared<CollateralEntry>();
    auto parsed = ParseCollateral(collateral);
    if (!parsed.ok()) return fail(FailureKind::kMalformedCollateral, parsed.status());
    fresh->parsed = std::move(parsed).value();
    ParsedCollateral& p = fresh->parsed;
    Window& w = fresh->window;
    fresh->crls_complete = collateral.has_crls();
    if (!fresh->crls_complete) {
      if (!options_.accept_unverifiable_pcs_certs) {
        std::string missing;
        if (!collateral.root_ca_crl) missing += std::string(" ") + kRootCaCrlFile;
        if (!collateral.pck_crl) missing += std::string(" ") + kPckCrlFile;
        if (!collateral.pck_crl_issuer_chain_pem) {
          missing += std::string(" ") + kPckCrlIssuerChainFile;
        }
        return fail(
            FailureKind::kMissingCrls,
            FailedPrecondition("collateral lacks the CRLs needed to check revocation:" + missing +
                               " (relaxation unverifiable-pcs-certs verifies without them)"));
      }
      // Relaxed: every CRL that is present is still checked (and reported); an issuer
      // chain without its CRL checks nothing and is ignored.
      if (!p.pck_crl) p.pck_crl_issuer_chain.clear();
    }
    const bool complete = fresh->crls_complete;

    X509_CRL* root_crl = p.root_ca_crl.get();
    if (root_crl != nullptr) {
      // 2. Root CA CRL: issued by one of the trusted roots.
      bool issued = false;
      for (const X509Ptr& root : roots_) {
        if (crypto::VerifyCrlIssuedBy(root_crl, root.get()).ok()) {
          issued = true;
          SCONE_ASSIGN_OR_RETURN(int64_t nb,
                                 crypto::Asn1TimeToUnix(X509_get0_notBefore(root.get())));
          SCONE_ASSIGN_OR_RETURN(int64_t na,
                                 crypto::Asn1TimeToUnix(X509_get0_notAfter(root.get())));
          w.Narrow(nb, na);
          break;
        }
      }
      if (!issued) {
        bool known_issuer = false;
        for (const X509Ptr& root : roots_) {
          known_issuer |=
              X509_NAME_cmp(X509_CRL_get_issuer(root_crl), X509_get_subject_name(root.get())) == 0;
        }
        if (!known_issuer) {
          // Collateral of another PKI (e.g. a simulated platform whose root was not given).
          return fail(FailureKind::kUntrustedRoot,
                      VerificationFailed(std::string(kRootCaCrlFile) +
                                         " is issued by a CA that is not a trusted root; the "
                                         "verifier trusts only the Intel SGX Root CA unless "
                                         "another root is given explicitly"));
        }
        return fail(FailureKind::kRootCaCrlInvalid,
                    VerificationFailed(std::string(kRootCaCrlFile) +
                                       " is not signed by the trusted root CA it names"));
      }
      SCONE_RETURN_IF_ERROR(
          CheckCrlWindow(ctx, "the root CA CRL", root_crl, FailureKind::kRootCaCrlInvalid,
                         FailureKind::kRootCaCrlNotYetValid, FailureKind::kRootCaCrlExpired, w));
    }

    // 3. TCB info.
    const TcbInfo& tcb = p.tcb_info;
    SCONE_RETURN_IF_ERROR(VerifySignedCollateral(ctx, "TCB info", p.tcb_info_issuer_chain, root_crl,
                                                 complete, tcb.signed_body, tcb.signature,
                                                 FailureKind::kTcbInfoSignatureInvalid, w));
    SCONE_RETURN_IF_ERROR(CheckWindow(fail, "TCB info", tcb.issue_date, tcb.next_update, now,
                                      FailureKind::kTcbInfoNotYetValid,
                                      FailureKind::kTcbInfoExpired, w));
    // 4. QE identity.
    const QeIdentity& qe = p.qe_identity;
    SCONE_RETURN_IF_ERROR(VerifySignedCollateral(ctx, "QE identity", p.qe_identity_issuer_chain,
                                                 root_crl, complete, qe.signed_body, qe.signature,
                                                 FailureKind::kQeIdentitySignatureInvalid, w));
    SCONE_RETURN_IF_ERROR(CheckWindow(fail, "QE identity", qe.issue_date, qe.next_update, now,
                                      FailureKind::kQeIdentityNotYetValid,
                                      FailureKind::kQeIdentityExpired, w));
    // 5. PCK CRL. Without its issuer chain (relaxed mode only) the CRL is checked against
    // the CA that issued the quote's PCK certificate, in step 6.
    if (p.pck_crl) {
      const auto& chain = p.pck_crl_issuer_chain;
      if (!chain.empty()) {
        SCONE_RETURN_IF_ERROR(
            VerifyChain(ctx, "PCK CRL issuer chain", chain, Present({root_crl}), complete, w));
        Status s = crypto::VerifyCrlIssuedBy(p.pck_crl.get(), chain.front().get());
        if (!s.ok()) {
          return fail(FailureKind::kPckCrlInvalid,
                      VerificationFailed(std::string(kPckCrlFile) + ": " + s.message()));
        }
      }
      SCONE_RETURN_IF_ERROR(
          CheckCrlWindow(ctx, "the PCK CRL", p.pck_crl.get(), FailureKind::kPckCrlInvalid,
                         FailureKind::kPckCrlNotYetValid, FailureKind::kPckCrlExpired, w));
    }
    entry = fresh;
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= options_.cache_capacity) cache_.clear();
    cache_[ckey] = fresh;
  }
  const ParsedCollateral& col = entry->parsed;

  // 6-7. The PCK chain and the platform's TCB level (cached per certification data).
  std::string pck_key_bytes(AsChars(quote.certification_data));
  std::shared_ptr<const PckEntry> pck;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entry->pck_chains.find(pck_key_bytes);
    if (it != entry->pck_chains.end() && it->second->window.Contains(now)) pck = it->second;
  }
  if (!pck) {
    auto fresh = std::make_shared<PckEntry>();
    fresh->window = entry->window;
    auto chain = crypto::ParseCertificatesPem(PckChainPem(quote));
    if (!chain.ok()) {
      return fail(FailureKind::kMalformedQuote,
                  chain.status().WithContext("quote: certification data (PCK chain)"));
    }
    SCONE_RETURN_IF_ERROR(VerifyChain(ctx, "the quote's PCK certificate chain", *chain,
                                      Present({col.root_ca_crl.get(), col.pck_crl.get()}),
                                      entry->crls_complete, fresh->window));
    X509* leaf = chain->front().get();
    if (col.pck_crl) {
      // The PCK CRL must be the CRL of the CA that issued this PCK certificate (Intel has a
      // Platform CA and a Processor CA): a CRL of the other CA would check nothing. The
      // next certificate of the chain is that CA only if its key signed the PCK certificate.
      X509* issuer = (*chain)[1].get();
      if (X509_verify(leaf, X509_get0_pubkey(issuer)) != 1) {
        crypto::ClearOpenSslErrors();
        return fail(FailureKind::kCertificateChainInvalid,
                    VerificationFailed("the quote's PCK certificate chain is not in order: the "
                                       "second certificate did not issue the PCK certificate"));
      }
      Status s = crypto::VerifyCrlIssuedBy(col.pck_crl.get(), issuer);
      if (!s.ok()) {
        return fail(FailureKind::kPckCrlInvalid,
                    VerificationFailed(std::string(kPckCrlFile) +
                                       " is not the CRL of the CA that issued the PCK "
                                       "certificate (" +
                                       crypto::SubjectName(issuer) + "): " + s.message() +
                                       "; fetch the PCK CRL of that CA"));
      }
      if (crypto::CrlListsCertificate(col.pck_crl.get(), leaf)) {
        return fail(FailureKind::kCertificateRevoked,
                    VerificationFailed("the quote's PCK certificate is revoked (listed in " +
                                       std::string(kPckCrlFile) + ")"));
      }
    }
    auto ext = ParsePckExtensions(leaf);
    if (!ext.ok()) return fail(FailureKind::kPckExtensionInvalid, ext.status());
    fresh->extensions = *ext;
    const TcbInfo& tcb = col.tcb_info;
    if (ext->fmspc != tcb.fmspc) {
      return fail(FailureKind::kFmspcMismatch,
                  VerificationFailed("the TCB info is for FMSPC " + Hex(tcb.fmspc) +
                                     " but the PCK certificate has FMSPC " + Hex(ext->fmspc) +
                                     " (fetch the TCB info for this platform)"));
    }
    if (ext->pce_id != tcb.pce_id) {
      return fail(FailureKind::kPceIdMismatch,
                  VerificationFailed("the TCB info is for PCE-ID " + Hex(tcb.pce_id) +
                                     " but the PCK certificate has PCE-ID " + Hex(ext->pce_id)));
    }
    const TcbLevel* level = SelectTcbLevel(tcb, ext->tcb_components, ext->pce_svn);
    if (level == nullptr) {
      return fail(FailureKind::kTcbNotSupported,
                  VerificationFailed("TCB not supported: no TCB level of the TCB info matches "
                                     "the PCK certificate's SVNs (components " +
                                     Hex(ext->tcb_components) + ", PCESVN " +
                                     std::to_string(ext->pce_svn) + ")"));
    }
    fresh->tcb_level = *level;
    SCONE_ASSIGN_OR_RETURN(fresh->pck_key, crypto::CertificatePublicKey(leaf));
    pck = fresh;
    std::lock_guard<std::mutex> lock(mu_);
    if (entry->pck_chains.size() >= options_.cache_capacity) entry->pck_chains.clear();
    entry->pck_chains[pck_key_bytes] = fresh;
  }

  // 8. QE report signature and binding of the attestation key.
  constexpr size_t kQeReportOffset = kQuoteSignedSize + 4 + 64 + 64;
  ByteView qe_report_raw = quote_bytes.subspan(kQeReportOffset, kReportBodySize);
  std::string qe_report_key(AsChars(qe_report_raw));
  qe_report_key.append(AsChars(quote.qe_report_signature));
  bool qe_report_verified = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    qe_report_verified = pck->verified_qe_reports.contains(qe_report_key);
  }
  if (!qe_report_verified) {
    if (!crypto::VerifyEcdsaP256Raw(pck->pck_key.get(), qe_report_raw, quote.qe_report_signature)
             .ok()) {
      return fail(FailureKind::kQeReportSignatureInvalid,
                  VerificationFailed("the QE report signature does not verify with the PCK "
                                     "certificate's key"));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (pck->verified_qe_reports.size() >= options_.cache_capacity) {
      pck->verified_qe_reports.clear();
    }
    pck->verified_qe_reports.insert(std::move(qe_report_key));
  }
  crypto::Sha256Hasher hasher;
  hasher.Update(quote.attestation_key).Update(quote.qe_auth_data);
  const crypto::Sha256Digest binding = hasher.Finish();
  const auto& rd = quote.qe_report.report_data;
  if (!std::equal(binding.begin(), binding.end(), rd.begin()) ||
      !std::all_of(rd.begin() + 32, rd.end(), [](uint8_t b) { return b == 0; })) {
    return fail(FailureKind::kQeReportDataMismatch,
                VerificationFailed("the QE report data is not SHA-256(attestation key || QE "
                                   "auth data) followed by 32 zero bytes"));
  }

  // 9. The QE against the QE identity.
  const QeIdentity& qe = col.qe_identity;
  const ReportBody& qr = quote.qe_report;
  if ((qr.misc_select & qe.misc_select_mask) != qe.misc_select) {
    return fail(FailureKind::kQeIdentityMismatch,
                VerificationFailed("the QE's MISCSELECT does not match the QE identity"));
  }
  for (size_t i = 0; i < 16; ++i) {
    if ((qr.attributes[i] & qe.attributes_mask[i]) != qe.attributes[i]) {
      return fail(FailureKind::kQeIdentityMismatch,
                  VerificationFailed("the QE's attributes do not match the QE identity"));
    }
  }
  if (qr.mr_signer != qe.mr_signer) {
    return fail(FailureKind::kQeIdentityMismatch,
                VerificationFailed("the QE's MRSIGNER " + Hex(qr.mr_signer) +
                                   " is not the QE identity's " + Hex(qe.mr_signer)));
  }
  if (qr.isv_prod_id != qe.isv_prod_id) {
    return fail(FailureKind::kQeIdentityMismatch,
                VerificationFailed("the QE's ISVPRODID " + std::to_string(qr.isv_prod_id) +
                                   " is not the QE identity's " + std::to_string(qe.isv_prod_id)));
  }
  const QeTcbLevel* qe_level = SelectQeTcbLevel(qe, qr.isv_svn);

  // 10. The ISV report signature by the attestation key.
  std::shared_ptr<EVP_PKEY> att_key;
  const std::string att_key_bytes(AsChars(quote.attestation_key));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = attestation_keys_.find(att_key_bytes);
    if (it != attestation_keys_.end()) att_key = it->second;
  }
  if (!att_key) {
    auto key = crypto::EcP256PublicKeyFromRaw(quote.attestation_key);
    if (!key.ok()) {
      return fail(FailureKind::kMalformedQuote,
                  key.status().WithContext("quote: attestation key at offset 500"));
    }
    att_key = std::shared_ptr<EVP_PKEY>(std::move(key).value().release(), EVP_PKEY_free);
    std::lock_guard<std::mutex> lock(mu_);
    if (attestation_keys_.size() >= options_.cache_capacity) attestation_keys_.clear();
    attestation_keys_[att_key_bytes] = att_key;
  }
  if (!crypto::VerifyEcdsaP256Raw(att_key.get(), quote_bytes.first(kQuoteSignedSize),
                                  quote.isv_signature)
           .ok()) {
    return fail(FailureKind::kIsvSignatureInvalid,
                VerificationFailed("the ISV enclave report signature (over quote bytes "
                                   "[0, 432)) does not verify with the attestation key"));
  }

  // 11. Status.
  VerifiedQuote out;
  out.platform_tcb_status = pck->tcb_level.status;
  out.tcb_date = pck->tcb_level.tcb_date;
  out.qe_status = qe_level != nullptr ? qe_level->status : TcbStatus::kOutOfDate;
  if (qe_level != nullptr) out.qe_tcb_date = qe_level->tcb_date;
  out.status = ConvergeTcbStatus(out.platform_tcb_status, out.qe_status);
  std::set<std::string> advisories(pck->tcb_level.advisory_ids.begin(),
                                   pck->tcb_level.advisory_ids.end());
  if (qe_level != nullptr) {
    advisories.insert(qe_level->advisory_ids.begin(), qe_level->advisory_ids.end());
  }
  out.advisory_ids.assign(advisories.begin(), advisories.end());
  out.header = quote.header;
  out.report = quote.report;
  out.fmspc = pck->extensions.fmspc;
  out.pce_id = pck->extensions.pce_id;
  out.tcb_components = pck->extensions.tcb_components;
  out.pce_svn = pck->extensions.pce_svn;
  out.cpu_svn = pck->extensions.cpu_svn;
  out.tcb_evaluation_data_number = col.tcb_info.tcb_evaluation_data_number;
  out.revocation.root_ca_crl = col.root_ca_crl != nullptr;
  out.revocation.pck_crl = col.pck_crl != nullptr;
  out.revocation_checked = out.revocation.complete();
  return out;
}

}  // namespace scone::attestation
