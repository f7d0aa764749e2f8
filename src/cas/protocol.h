// What the CAS server and its clients (the `scone` CLI, later backup CASes) must agree on:
// the constants of the CAS software identity, the attestation exchange and how a client
// decides that a CAS is trustworthy. docs/cas.md describes the protocol for people.
//
// Attestation (POST /v1/attestation, no client certificate needed; the types are
// api::AttestationRequest and api::AttestationResponse): the quote's 64 bytes of report data are
//   SHA-512("scone-cas-attestation/1" || 0x00 || len(nonce) (1 byte) || nonce
//           || SHA-256(CAS key SPKI DER) || SHA-256(CAS software key SPKI DER) || flags byte)
// with flags byte = provisioned | owner_secret_access << 1 | debug << 2 | simulated << 3,
// so that none of the nonce, the two keys and the flags can be swapped without breaking
// the quote. The client also requires the TLS server key of the connection the answer came
// on to be the CAS key: an attacker cannot relay a genuine CAS's answer over its own TLS.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "attestation/collateral.h"
#include "attestation/policy.h"
#include "attestation/relaxation.h"
#include "attestation/verifier.h"
#include "cas/api.h"
#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::cas {

// Default ports (SCONE's): the API (clients, owners) and the enclave API.
inline constexpr uint16_t kDefaultApiPort = 8081;
inline constexpr uint16_t kDefaultEnclavePort = 18765;

// The CAS software identity this build expects by default ("signed by Scontain"): the
// MRSIGNER of the release signer key generated for this build (src/cas/CMakeLists.txt),
// the CAS product id, and this build's security version. `scone` accepts a CAS of that
// signer and product with an ISVSVN of at least its own unless told otherwise.
const ByteArray<32>& ReleaseSignerMrSigner();
uint16_t CasIsvProdId();
uint16_t CasIsvSvn();
// Whether the release signer of this build is a throw-away key made by the build (true for
// every developer build; a release build passes SCONE_CAS_SIGNER_KEY to CMake).
bool ReleaseSignerIsBuildKey();

// The wire types of the attestation exchange (api.h), under their protocol names.
using api::AttestationFlags;
using api::AttestationResponse;
using api::kMaxNonceSize;
using api::kMinNonceSize;

// The 64 bytes of report data of an attestation answer (see the file comment).
ByteArray<64> AttestationReportData(ByteView nonce, ByteView cas_key_spki_der,
                                    ByteView software_key_spki_der, const AttestationFlags& flags);

// The 64 bytes of report data of a backup's key offer (POST /v1/backup-key, docs/backup.md):
//   SHA-512("scone-cas-backup-key/1" || 0x00 || len(nonce) (1 byte) || nonce
//           || SHA-256(public key SPKI DER) || salt (32) || key ISVSVN (u16 little-endian))
// so that the primary wraps the database key only for a key that this enclave derived, at
// this ISVSVN, for this request.
ByteArray<64> BackupKeyReportData(ByteView nonce, ByteView public_key_spki_der, ByteView salt,
                                  uint16_t key_isvsvn);

// What a client (`scone cas attest`, `provision ... with-attestation`) requires of a CAS; the
// defaults are the secure ones. The booleans grant the relaxation (relaxation.h) named in
// their comment; the CLI's flag for each is in src/cli/relaxation_flags.cc.
struct CasAttestPolicy {
  std::vector<ByteArray<32>> mrenclaves;  // accepted MRENCLAVEs; empty = any
  // Another signer than this build's release signer: all three or none.
  std::optional<ByteArray<32>> mrsigner;
  std::optional<uint16_t> isvprodid;
  // Minimum ISVSVN. Unset: this build's CasIsvSvn(), unless mrenclaves are given (a
  // measurement names one exact version, old or new).
  std::optional<uint16_t> isvsvn;
  std::optional<std::string> cas_key_hash;       // the CAS instance's key hash
  std::optional<std::string> software_key_hash;  // the CAS software key's hash
  bool accept_configuration_needed = false;      // kConfigurationNeeded
  bool accept_out_of_date = false;               // kOutOfDate
  bool accept_sw_hardening_needed = false;       // kSwHardeningNeeded
  bool allow_owner_secret_access = false;        // kOwnerSecretAccess
  bool allow_debug = false;                      // kDebug
  bool ignore_signer = false;                    // kIgnoreSigner
  bool trust_any = false;                        // kTrustAny
  bool allow_unprovisioned = false;              // kUnprovisioned
};

// Which check made VerifyAttestation (or ValidatePolicy) refuse a CAS. The refusal's Status
// says it in words that name no client option; a client (the `scone` CLI) says it in its own
// words from these values.
enum class CasCheck {
  kNone,
  kPolicy,             // the policy does not hold together (CasRefusal::problem)
  kEvidence,           // the answer does not hold together: tampered, or not this connection's
  kQuote,              // the quote does not verify (CasRefusal::quote_failure)
  kCasKeyHash,         // not the expected CAS key hash (seen, expected)
  kSoftwareKeyHash,    // not the expected CAS software key hash (seen, expected)
  kTrustAnyNotDebug,   // Relaxation::kTrustAny asked for a CAS in production mode
  kEnclave,            // the enclave's policy (CasRefusal::violations)
  kUnprovisioned,      // a CAS without owner; Relaxation::kUnprovisioned allows it
  kOwnerSecretAccess,  // the owner can read secrets; Relaxation::kOwnerSecretAccess allows it
};

// Why a CasAttestPolicy does not hold together.
enum class PolicyProblem {
  kNone,
  kSignerIncomplete,              // mrsigner, isvprodid and isvsvn: all three or none
  kIgnoreSignerWithSigner,        // ignore_signer contradicts an mrsigner
  kIgnoreSignerWithoutMrenclave,  // ignore_signer needs an MRENCLAVE (unless trust_any)
  kBadCasKeyHash,                 // cas_key_hash does not decode
  kBadSoftwareKeyHash,            // software_key_hash does not decode
};

// A refusal as data: which check failed and what was seen.
struct CasRefusal {
  CasCheck check = CasCheck::kNone;
  PolicyProblem problem = PolicyProblem::kNone;                              // kPolicy
  attestation::FailureKind quote_failure = attestation::FailureKind::kNone;  // kQuote
  bool simulated = false;  // kQuote: the CAS says it runs on the simulated SGX platform
  std::vector<attestation::PolicyViolation> violations;  // kEnclave, in check order
  // The relaxations that would have accepted the CAS; empty if none would.
  std::vector<attestation::Relaxation> relaxations;
  std::string seen;      // kCasKeyHash, kSoftwareKeyHash: the CAS's key hash
  std::string expected;  // ... and the one the policy names
};

// Checks that the policy holds together before anything is sent (SCONE's rules: another
// signer needs MRSIGNER, ISVPRODID and ISVSVN; ignore_signer needs an MRENCLAVE unless
// trust_any, and contradicts an MRSIGNER; key hashes must decode). kInvalidArgument; if
// `refusal` is given it is set to CasCheck::kPolicy with the problem (kNone when OK).
Status ValidatePolicy(const CasAttestPolicy& policy, CasRefusal* refusal = nullptr);

// What the client learnt about a CAS that it accepted; stored in the CLI state.
struct CasEvidence {
  std::string cas_certificate_pem;
  std::string cas_key_hash;
  std::string cas_software_certificate_pem;
  std::string software_key_hash;
  AttestationFlags flags;
  ByteArray<32> mrenclave{};
  ByteArray<32> mrsigner{};
  uint16_t isvprodid = 0;
  uint16_t isvsvn = 0;
  attestation::TcbStatus tcb_status = attestation::TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
  // The relaxations that were needed and given, in check order; stored by their names.
  std::vector<attestation::Relaxation> relaxations;
  int64_t verified_at = 0;

  nlohmann::json ToJson() const;
  static Result<CasEvidence> FromJson(const nlohmann::json& json);
};

// Verifies an attestation answer: the quote against the collateral with `verifier` at
// `now`, the report data against `nonce`, both certificates and the flags, that the TLS
// server certificate of the connection (`tls_server_certificate_der`) carries the CAS key,
// and `policy`. kVerificationFailed for evidence that does not hold together (a tampered
// answer), kPolicyRejected for a genuine CAS that the policy does not accept. Every refusal
// says what was wrong and names the relaxation that would accept it, if any, never a client
// option; `refusal`, if given, receives it as data (CasCheck::kNone on success).
Result<CasEvidence> VerifyAttestation(const AttestationResponse& response, ByteView nonce,
                                      ByteView tls_server_certificate_der,
                                      const CasAttestPolicy& policy,
                                      const attestation::QuoteVerifier& verifier, int64_t now,
                                      CasRefusal* refusal = nullptr);

}  // namespace scone::cas
