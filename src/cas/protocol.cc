#include "cas/protocol.h"

#include <algorithm>
#include <cstdlib>

#include "attestation/report_format.h"
#include "cas/release_signer.h"
#include "common/hex.h"
#include "crypto/hash.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::cas {
namespace {
using nlohmann::json;

constexpr char kReportDataLabel[] = "scone-cas-attestation/1";

ByteArray<32> ParseBuildHex32(const char* hex) {
  auto bytes = HexDecode(hex, 32);
  // A broken build value must not fail open (an all-zero MRSIGNER would never match, and
  // CAS would take itself for a non-release build).
  if (!bytes.ok()) std::abort();
  ByteArray<32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

struct ParsedCertificate {
  crypto::X509Ptr cert;
  Bytes spki;
  std::string key_hash;
};

Result<ParsedCertificate> ParseCasCertificate(const std::string& pem, const char* what) {
  auto certs = crypto::ParseCertificatesPem(pem);
  if (!certs.ok()) return certs.status().WithContext(what);
  if (certs->size() != 1) return InvalidArgument(std::string(what) + ": expected one certificate");
  ParsedCertificate out;
  out.cert = std::move(certs->front());
  SCONE_ASSIGN_OR_RETURN(auto key, crypto::CertificatePublicKey(out.cert.get()));
  SCONE_ASSIGN_OR_RETURN(out.spki, crypto::PublicKeySpkiDer(key.get()));
  out.key_hash = crypto::KeyHashFromSpkiDer(out.spki);
  return out;
}

Status Tampered(const std::string& what) {
  return Status(Code::kVerificationFailed,
                "the CAS attestation answer does not hold together: " + what +
                    ". It was changed on the way or does not come from a CAS; do not trust "
                    "this CAS");
}

}  // namespace

const ByteArray<32>& ReleaseSignerMrSigner() {
  static const ByteArray<32> value = ParseBuildHex32(kReleaseSignerMrSignerHex);
  return value;
}
uint16_t CasIsvProdId() { return kCasIsvProdIdValue; }
uint16_t CasIsvSvn() { return kCasIsvSvnValue; }
bool ReleaseSignerIsBuildKey() { return kReleaseSignerIsBuildKey; }

ByteArray<64> AttestationReportData(ByteView nonce, ByteView cas_key_spki_der,
                                    ByteView software_key_spki_der, const AttestationFlags& flags) {
  Bytes input(std::begin(kReportDataLabel), std::end(kReportDataLabel));  // includes the NUL
  input.push_back(static_cast<uint8_t>(nonce.size()));
  input.insert(input.end(), nonce.begin(), nonce.end());
  auto cas = crypto::Sha256(cas_key_spki_der);
  auto sw = crypto::Sha256(software_key_spki_der);
  input.insert(input.end(), cas.begin(), cas.end());
  input.insert(input.end(), sw.begin(), sw.end());
  input.push_back(flags.ToByte());
  return crypto::Sha512(input);
}

ByteArray<64> BackupKeyReportData(ByteView nonce, ByteView public_key_spki_der, ByteView salt,
                                  uint16_t key_isvsvn) {
  static constexpr char kLabel[] = "scone-cas-backup-key/1";
  Bytes input(std::begin(kLabel), std::end(kLabel));  // includes the NUL
  input.push_back(static_cast<uint8_t>(nonce.size()));
  input.insert(input.end(), nonce.begin(), nonce.end());
  auto key = crypto::Sha256(public_key_spki_der);
  input.insert(input.end(), key.begin(), key.end());
  input.insert(input.end(), salt.begin(), salt.end());
  input.push_back(static_cast<uint8_t>(key_isvsvn & 0xff));
  input.push_back(static_cast<uint8_t>(key_isvsvn >> 8));
  return crypto::Sha512(input);
}

Status ValidatePolicy(const CasAttestPolicy& p, CasRefusal* refusal) {
  auto refuse = [&](PolicyProblem problem, Status status) {
    if (refusal != nullptr) {
      *refusal = CasRefusal{};
      refusal->check = CasCheck::kPolicy;
      refusal->problem = problem;
    }
    return status;
  };
  if (p.mrsigner.has_value() != p.isvprodid.has_value() ||
      (p.mrsigner.has_value() && !p.isvsvn.has_value())) {
    return refuse(PolicyProblem::kSignerIncomplete,
                  InvalidArgument("a CAS of another signer needs its MRSIGNER, ISVPRODID and "
                                  "minimum ISVSVN together"));
  }
  if (p.ignore_signer && p.mrsigner.has_value()) {
    return refuse(PolicyProblem::kIgnoreSignerWithSigner,
                  InvalidArgument("not checking the signer contradicts an expected MRSIGNER"));
  }
  if (p.ignore_signer && p.mrenclaves.empty() && !p.trust_any) {
    return refuse(PolicyProblem::kIgnoreSignerWithoutMrenclave,
                  InvalidArgument("not checking the signer needs an expected MRENCLAVE (the CAS "
                                  "software is otherwise not identified at all)"));
  }
  for (const auto* hash : {&p.cas_key_hash, &p.software_key_hash}) {
    if (hash->has_value()) {
      auto decoded = crypto::DecodeKeyHash(**hash);
      if (!decoded.ok()) {
        const bool cas = hash == &p.cas_key_hash;
        return refuse(cas ? PolicyProblem::kBadCasKeyHash : PolicyProblem::kBadSoftwareKeyHash,
                      decoded.status().WithContext(cas ? "the expected CAS key hash"
                                                       : "the expected CAS software key hash"));
      }
    }
  }
  return Status::Ok();
}

json CasEvidence::ToJson() const {
  json advisories = json::array();
  for (const auto& a : advisory_ids) advisories.push_back(a);
  json relax = json::array();
  for (auto r : relaxations) relax.push_back(std::string(attestation::RelaxationName(r)));
  return {{"cas_certificate", cas_certificate_pem},
          {"cas_key_hash", cas_key_hash},
          {"cas_software_certificate", cas_software_certificate_pem},
          {"cas_software_key_hash", software_key_hash},
          {"flags", flags.ToJson()},
          {"mrenclave", HexEncode(mrenclave)},
          {"mrsigner", HexEncode(mrsigner)},
          {"isvprodid", isvprodid},
          {"isvsvn", isvsvn},
          {"tcb_status", std::string(attestation::TcbStatusName(tcb_status))},
          {"advisory_ids", advisories},
          {"relaxations", relax},
          {"verified_at", verified_at}};
}

Result<CasEvidence> CasEvidence::FromJson(const json& j) {
  if (!j.is_object()) return InvalidArgument("CAS evidence is not an object");
  CasEvidence e;
  auto str = [&](const char* name) -> Result<std::string> {
    if (!j.contains(name) || !j[name].is_string()) {
      return InvalidArgument(std::string("CAS evidence: missing string \"") + name + "\"");
    }
    return j[name].get<std::string>();
  };
  auto u16 = [&](const char* name) -> Result<uint16_t> {
    if (!j.contains(name) || !j[name].is_number_unsigned() || j[name].get<uint64_t>() > 0xffff) {
      return InvalidArgument(std::string("CAS evidence: \"") + name + "\" is not a 16-bit number");
    }
    return static_cast<uint16_t>(j[name].get<uint64_t>());
  };
  auto hex32 = [&](const char* name) -> Result<ByteArray<32>> {
    SCONE_ASSIGN_OR_RETURN(std::string text, str(name));
    SCONE_ASSIGN_OR_RETURN(Bytes bytes, HexDecode(text, 32));
    ByteArray<32> out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
  };
  auto strings = [&](const char* name) -> Result<std::vector<std::string>> {
    if (!j.contains(name) || !j[name].is_array()) {
      return InvalidArgument(std::string("CAS evidence: \"") + name + "\" is not a list");
    }
    std::vector<std::string> out;
    for (const auto& v : j[name]) {
      if (!v.is_string()) return InvalidArgument(std::string("CAS evidence: \"") + name + "\"");
      out.push_back(v.get<std::string>());
    }
    return out;
  };
  SCONE_ASSIGN_OR_RETURN(e.cas_certificate_pem, str("cas_certificate"));
  SCONE_ASSIGN_OR_RETURN(e.cas_key_hash, str("cas_key_hash"));
  SCONE_ASSIGN_OR_RETURN(e.cas_software_certificate_pem, str("cas_software_certificate"));
  SCONE_ASSIGN_OR_RETURN(e.software_key_hash, str("cas_software_key_hash"));
  if (!j.contains("flags")) return InvalidArgument("CAS evidence: missing \"flags\"");
  SCONE_ASSIGN_OR_RETURN(e.flags, AttestationFlags::FromJson(j["flags"]));
  SCONE_ASSIGN_OR_RETURN(e.mrenclave, hex32("mrenclave"));
  SCONE_ASSIGN_OR_RETURN(e.mrsigner, hex32("mrsigner"));
  SCONE_ASSIGN_OR_RETURN(e.isvprodid, u16("isvprodid"));
  SCONE_ASSIGN_OR_RETURN(e.isvsvn, u16("isvsvn"));
  SCONE_ASSIGN_OR_RETURN(std::string status, str("tcb_status"));
  SCONE_ASSIGN_OR_RETURN(e.tcb_status, attestation::ParseTcbStatus(status));
  SCONE_ASSIGN_OR_RETURN(e.advisory_ids, strings("advisory_ids"));
  SCONE_ASSIGN_OR_RETURN(std::vector<std::string> relaxations, strings("relaxations"));
  for (const auto& name : relaxations) {
    auto r = attestation::ParseRelaxation(name);
    if (!r.ok()) return r.status().WithContext("CAS evidence: \"relaxations\"");
    e.relaxations.push_back(*r);
  }
  if (!j.contains("verified_at") || !j["verified_at"].is_number_integer()) {
    return InvalidArgument("CAS evidence: \"verified_at\" is not a number");
  }
  e.verified_at = j["verified_at"].get<int64_t>();
  // The stored key hashes must be those of the stored certificates.
  SCONE_ASSIGN_OR_RETURN(auto cas, ParseCasCertificate(e.cas_certificate_pem, "CAS certificate"));
  SCONE_ASSIGN_OR_RETURN(
      auto sw, ParseCasCertificate(e.cas_software_certificate_pem, "CAS software certificate"));
  if (cas.key_hash != e.cas_key_hash || sw.key_hash != e.software_key_hash) {
    return InvalidArgument("CAS evidence: a key hash does not match its certificate");
  }
  return e;
}

Result<CasEvidence> VerifyAttestation(const AttestationResponse& r, ByteView nonce,
                                      ByteView tls_server_certificate_der,
                                      const CasAttestPolicy& policy,
                                      const attestation::QuoteVerifier& verifier, int64_t now,
                                      CasRefusal* refusal) {
  CasRefusal ignored;
  CasRefusal& out = refusal != nullptr ? *refusal : ignored;
  out = CasRefusal{};
  SCONE_RETURN_IF_ERROR(ValidatePolicy(policy, &out));
  // Every refusal below sets `out`; `refuse` starts a refusal of `check`.
  auto refuse = [&](CasCheck check) -> CasRefusal& {
    out = CasRefusal{};
    out.check = check;
    return out;
  };
  auto tampered = [&](const std::string& what) {
    refuse(CasCheck::kEvidence);
    return Tampered(what);
  };
  auto cas = ParseCasCertificate(r.cas_certificate_pem, "CAS certificate");
  if (!cas.ok()) return tampered(cas.status().message());
  auto sw = ParseCasCertificate(r.cas_software_certificate_pem, "CAS software certificate");
  if (!sw.ok()) return tampered(sw.status().message());

  // The connection must end in the attested CAS: its TLS key is the CAS key.
  auto tls_cert = crypto::ParseCertificateDer(tls_server_certificate_der);
  if (!tls_cert.ok()) return tampered("the TLS server certificate does not parse");
  SCONE_ASSIGN_OR_RETURN(std::string tls_key_hash, crypto::KeyHashOfCertificate(tls_cert->get()));
  if (tls_key_hash != cas->key_hash) {
    return tampered("the TLS server key (" + tls_key_hash + ") is not the CAS key (" +
                    cas->key_hash + "): the connection does not end in the attested CAS");
  }

  attestation::FailureKind kind = attestation::FailureKind::kNone;
  auto verified = verifier.Verify(r.quote, r.collateral, now, &kind);
  if (!verified.ok()) {
    CasRefusal& q = refuse(CasCheck::kQuote);
    q.quote_failure = kind;
    q.simulated = r.flags.simulated;
    Status s = verified.status().WithContext("the CAS quote does not verify");
    if (kind == attestation::FailureKind::kUntrustedRoot && r.flags.simulated) {
      s = Status(s.code(), s.message() +
                               ". The CAS runs on the simulated SGX platform, whose root CA is "
                               "trusted only where it is named, for testing only");
    }
    return s;
  }
  const attestation::VerifiedQuote& q = *verified;

  auto expected = AttestationReportData(nonce, cas->spki, sw->spki, r.flags);
  if (q.report_data() != expected) {
    return tampered(
        "the quote's report data does not bind this nonce, these CAS keys and these flags");
  }
  if (q.debug() != r.flags.debug) {
    return tampered("the debug flag contradicts the quote's DEBUG attribute");
  }

  CasEvidence e;
  e.cas_certificate_pem = r.cas_certificate_pem;
  e.cas_key_hash = cas->key_hash;
  e.cas_software_certificate_pem = r.cas_software_certificate_pem;
  e.software_key_hash = sw->key_hash;
  e.flags = r.flags;
  e.mrenclave = q.mr_enclave();
  e.mrsigner = q.mr_signer();
  e.isvprodid = q.isv_prod_id();
  e.isvsvn = q.isv_svn();
  e.tcb_status = q.status;
  e.advisory_ids = q.advisory_ids;
  e.verified_at = now;

  // Instance identity first: a wrong -c/-s is the most specific answer.
  if (policy.cas_key_hash.has_value() && *policy.cas_key_hash != e.cas_key_hash) {
    CasRefusal& k = refuse(CasCheck::kCasKeyHash);
    k.seen = e.cas_key_hash;
    k.expected = *policy.cas_key_hash;
    return Status(Code::kPolicyRejected, "the CAS key hash is " + e.cas_key_hash +
                                             ", not the expected " + *policy.cas_key_hash +
                                             ": this is another CAS instance");
  }
  if (policy.software_key_hash.has_value() && *policy.software_key_hash != e.software_key_hash) {
    CasRefusal& k = refuse(CasCheck::kSoftwareKeyHash);
    k.seen = e.software_key_hash;
    k.expected = *policy.software_key_hash;
    return Status(Code::kPolicyRejected, "the CAS software key hash is " + e.software_key_hash +
                                             ", not the expected " + *policy.software_key_hash);
  }

  if (policy.trust_any && !q.debug()) {
    refuse(CasCheck::kTrustAnyNotDebug);
    return Status(Code::kPolicyRejected,
                  "trusting any CAS software is only accepted for a CAS in debug mode, and this "
                  "CAS runs in production mode");
  }

  attestation::QuotePolicy qp;
  qp.allow_debug = policy.allow_debug || policy.trust_any;
  qp.accept_configuration_needed = policy.accept_configuration_needed;
  qp.accept_out_of_date = policy.accept_out_of_date;
  qp.accept_sw_hardening_needed = policy.accept_sw_hardening_needed;
  // Advisories come with the TCB status they belong to: accepting the status (its relaxation)
  // accepts them; they are printed and recorded with the evidence.
  qp.ignore_all_advisories = true;
  // trust-any drops the defaults (release signer, product, version), never what the user
  // named explicitly.
  qp.mr_enclaves = policy.mrenclaves;
  if (policy.trust_any) {
    qp.mr_signer = policy.mrsigner;
    qp.isv_prod_id = policy.isvprodid;
    qp.min_isv_svn = policy.isvsvn;
  } else {
    if (policy.mrsigner.has_value()) {
      qp.mr_signer = policy.mrsigner;
      qp.isv_prod_id = policy.isvprodid;
      qp.min_isv_svn = policy.isvsvn;
    } else if (!policy.ignore_signer) {
      qp.mr_signer = ReleaseSignerMrSigner();
      qp.isv_prod_id = CasIsvProdId();
      if (policy.isvsvn.has_value()) {
        qp.min_isv_svn = policy.isvsvn;
      } else if (policy.mrenclaves.empty()) {
        qp.min_isv_svn = CasIsvSvn();
      }
    } else if (policy.isvsvn.has_value()) {
      qp.min_isv_svn = policy.isvsvn;
    }
  }
  auto result = attestation::CheckPolicy(q, qp);
  if (!result.ok()) {
    CasRefusal& v = refuse(CasCheck::kEnclave);
    v.violations = result.violations;
    v.relaxations = result.NeededRelaxations();
    std::string msg = "the CAS is not trustworthy under the given policy: ";
    for (size_t i = 0; i < result.violations.size(); ++i) {
      const auto& violation = result.violations[i];
      if (i > 0) msg += "; ";
      msg += violation.message;
      if (violation.check == attestation::PolicyCheck::kMrSigner && !policy.mrsigner.has_value() &&
          !policy.ignore_signer) {
        msg += " (the default expects the release signer of this build)";
      }
      if (violation.check == attestation::PolicyCheck::kIsvSvn && !policy.isvsvn.has_value() &&
          !policy.mrsigner.has_value()) {
        msg += " (by default a CAS needs at least the ISVSVN of this build, " +
               std::to_string(CasIsvSvn()) + ")";
      }
    }
    return Status(Code::kPolicyRejected, msg);
  }
  using attestation::Relaxation;
  e.relaxations = attestation::RelaxationsForStatus(q.status);
  if (q.debug()) e.relaxations.push_back(Relaxation::kDebug);
  if (policy.trust_any) e.relaxations.push_back(Relaxation::kTrustAny);
  if (policy.ignore_signer) e.relaxations.push_back(Relaxation::kIgnoreSigner);

  if (!r.flags.provisioned && !policy.allow_unprovisioned) {
    refuse(CasCheck::kUnprovisioned).relaxations = {Relaxation::kUnprovisioned};
    return Status(Code::kPolicyRejected,
                  "the CAS is not provisioned yet: it has no owner (relaxation unprovisioned)");
  }
  if (!r.flags.provisioned) e.relaxations.push_back(Relaxation::kUnprovisioned);
  if (r.flags.owner_secret_access) {
    if (!policy.allow_owner_secret_access) {
      refuse(CasCheck::kOwnerSecretAccess).relaxations = {Relaxation::kOwnerSecretAccess};
      return Status(Code::kPolicyRejected,
                    "the CAS owner injected the database key and can read every secret stored "
                    "in this CAS (relaxation owner-secret-access)");
    }
    e.relaxations.push_back(Relaxation::kOwnerSecretAccess);
  }
  return e;
}

}  // namespace scone::cas
