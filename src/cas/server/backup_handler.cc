#include "cas/server/backup_handler.h"

#include <spdlog/spdlog.h>

#include "attestation/intel_root.h"
#include "attestation/policy.h"
#include "attestation/quote.h"
#include "attestation/verifier.h"
#include "cas/protocol.h"
#include "common/hex.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "net/http_client.h"
#include "store/backup_keys.h"

namespace scone::cas {
namespace {

// The DER of the root that certifies this CAS's own platform (the last certificate of the
// PCK chain in its own quote).
Result<Bytes> OwnRootDer(const attestation::Quote& own) {
  SCONE_ASSIGN_OR_RETURN(auto chain, crypto::ParseCertificatesPem(attestation::PckChainPem(own)));
  if (chain.empty()) return Internal("the own quote has no PCK chain");
  return crypto::CertificateToDer(chain.back().get());
}

// Intel's root, and the simulated root `sim_root_pem` if the owner named it and it is the
// root of this CAS's own platform (a simulated root is trusted only where named, and never
// another one than the primary's own: the owner cannot bring a root of their own making).
Result<std::unique_ptr<attestation::QuoteVerifier>> BackupVerifier(const std::string& sim_root_pem,
                                                                   const attestation::Quote& own) {
  attestation::VerifierOptions options;
  options.trusted_roots.push_back(ToBytes(attestation::IntelSgxRootCaPem()));
  if (!sim_root_pem.empty()) {
    auto given = crypto::ParseCertificatesPem(sim_root_pem);
    if (!given.ok() || given->size() != 1) {
      return InvalidArgument("the simulated root CA is not one PEM certificate");
    }
    SCONE_ASSIGN_OR_RETURN(Bytes given_der, crypto::CertificateToDer(given->front().get()));
    SCONE_ASSIGN_OR_RETURN(Bytes own_der, OwnRootDer(own));
    if (given_der != own_der) {
      return InvalidArgument(
          "the simulated root CA given is not the root of this CAS's platform; only that root "
          "can be trusted for a backup");
    }
    options.trusted_roots.push_back(std::move(given_der));
  }
  return attestation::QuoteVerifier::New(std::move(options));
}

api::BackupInfo InfoOf(const store::BackupEntry& e) {
  api::BackupInfo b;
  b.id = e.id;
  b.address = e.address;
  b.mrsigner = HexEncode(e.identity.mrsigner);
  b.isvprodid = e.identity.isvprodid;
  b.isvsvn = e.identity.isvsvn;
  b.debug = e.identity.debug;
  b.tcb_status = e.tcb_status;
  b.registered = e.registered;
  return b;
}

Status Refused(Code code, const std::string& address, const std::string& why) {
  return Status(code, "backup CAS " + address + " refused: " + why);
}

}  // namespace

BackupKeyFetcher HttpsBackupKeyFetcher() {
  return [](const std::string& address,
            const api::BackupKeyRequest& request) -> Result<api::BackupKeyResponse> {
    SCONE_ASSIGN_OR_RETURN(net::Endpoint ep, net::ParseEndpoint(address, kDefaultApiPort));
    if (ep.is_unix()) return InvalidArgument("a backup CAS is named by HOST[:PORT]");
    net::TlsClientOptions tls;
    tls.check_server = [](ByteView) { return Status::Ok(); };  // the quote authenticates
    net::HttpRequest http("POST", api::RouteOf(api::Endpoint::kBackupKey).path.data(),
                          "application/json", api::Serialize(request.ToJson()));
    auto answer = net::HttpsCall(ep, http, tls);
    if (!answer.ok()) return answer.status();
    if (answer->status != 200) {
      auto body = api::ParseBody<api::ErrorBody>(answer->body, "the backup's refusal");
      std::string msg = body.ok() && !body->msg.empty() ? body->msg.front() : "no details";
      return FailedPrecondition("it answered HTTP " + std::to_string(answer->status) + ": " + msg);
    }
    return api::ParseBody<api::BackupKeyResponse>(answer->body, "the backup's key offer");
  };
}

Result<api::BackupKeyResponse> BackupHandler::Offer(const api::BackupKeyRequest& request) const {
  const platform::EnclaveIdentity& id = env_.platform->identity();
  CasPlatform* platform = env_.platform;
  store::SealKeyFunction seal_key = [platform](uint16_t svn) {
    return platform->SealKey(platform::SealPolicy::kMrSigner, svn);
  };
  SCONE_ASSIGN_OR_RETURN(store::BackupKeyOffer offer,
                         store::MakeBackupKeyOffer(seal_key, id.isvsvn));
  api::BackupKeyResponse r;
  SCONE_ASSIGN_OR_RETURN(
      r.quote, env_.platform->Quote(BackupKeyReportData(request.nonce, offer.public_key, offer.salt,
                                                        offer.key_isvsvn)));
  SCONE_ASSIGN_OR_RETURN(auto collateral, env_.platform->Collateral());
  r.collateral = collateral->value;
  r.salt = std::move(offer.salt);
  r.key_isvsvn = offer.key_isvsvn;
  r.public_key = std::move(offer.public_key);
  return r;
}

Result<api::BackupInfo> BackupHandler::Register(const api::RegisterBackupRequest& request,
                                                const net::PeerInfo& peer) const {
  SCONE_RETURN_IF_ERROR(RequireOwner(*env_.state, peer, "register backups"));
  const std::string& address = request.backup;
  const platform::EnclaveIdentity& own_id = env_.platform->identity();
  const int64_t now = env_.clock();

  // The primary's own evidence, checked with the same verifier: its TCB status is the bar.
  SCONE_ASSIGN_OR_RETURN(Bytes own_bytes, env_.platform->Quote(ByteArray<64>{}));
  SCONE_ASSIGN_OR_RETURN(attestation::Quote own_quote, attestation::ParseQuote(own_bytes));
  SCONE_ASSIGN_OR_RETURN(auto verifier, BackupVerifier(request.sim_root_ca, own_quote));
  SCONE_ASSIGN_OR_RETURN(auto own_collateral, env_.platform->Collateral());
  auto own = verifier->Verify(own_bytes, own_collateral->value, now);
  if (!own.ok()) {
    return Status(
        Code::kVerificationFailed,
        "the primary cannot verify its own quote, so it cannot compare a backup's TCB "
        "with its own: " +
            own.status().message() +
            (request.sim_root_ca.empty() ? " (on the simulated platform, its root must be named)"
                                         : ""));
  }

  // The backup's offer, on a fresh nonce.
  api::BackupKeyRequest ask;
  SCONE_ASSIGN_OR_RETURN(ask.nonce, crypto::RandomBytes(32));
  auto offer = fetch_(address, ask);
  if (!offer.ok()) {
    return FailedPrecondition("cannot get a key offer from the backup CAS " + address + ": " +
                              offer.status().message());
  }
  attestation::FailureKind kind = attestation::FailureKind::kNone;
  auto q = verifier->Verify(offer->quote, offer->collateral, now, &kind);
  if (env_.metrics != nullptr) {
    env_.metrics->QuoteVerified(CasMetrics::QuoteKind::kBackup,
                                q.ok() ? std::optional(q->status) : std::nullopt);
  }
  if (!q.ok()) {
    return Refused(Code::kVerificationFailed, address,
                   "its quote does not verify (" + q.status().message() + ")" +
                       (kind == attestation::FailureKind::kUntrustedRoot
                            ? "; a backup on the simulated platform needs the simulated root "
                              "named, and must share the primary's root"
                            : ""));
  }
  const auto key_isvsvn = static_cast<uint16_t>(offer->key_isvsvn);
  if (q->report_data() !=
      BackupKeyReportData(ask.nonce, offer->public_key, offer->salt, key_isvsvn)) {
    return Refused(Code::kVerificationFailed, address,
                   "its quote does not bind the offered key and this request's nonce");
  }
  if (key_isvsvn != q->isv_svn()) {
    return Refused(Code::kVerificationFailed, address,
                   "its key is not bound to its own ISVSVN " + std::to_string(q->isv_svn()));
  }

  // The checks of docs/backup.md, each named in the refusal.
  attestation::QuotePolicy policy;
  policy.mr_signer = own_id.mrsigner;
  policy.isv_prod_id = own_id.isvprodid;
  policy.min_isv_svn = own_id.isvsvn;
  policy.allow_debug = own_id.debug();
  policy.ignore_all_advisories = true;
  using attestation::Relaxation;
  for (Relaxation r : attestation::RelaxationsForStatus(own->status)) {
    if (r == Relaxation::kConfigurationNeeded) policy.accept_configuration_needed = true;
    if (r == Relaxation::kOutOfDate) policy.accept_out_of_date = true;
    if (r == Relaxation::kSwHardeningNeeded) policy.accept_sw_hardening_needed = true;
  }
  policy.accept_configuration_needed |= request.accept_configuration_needed;
  policy.accept_out_of_date |= request.accept_out_of_date;
  policy.accept_sw_hardening_needed |= request.accept_sw_hardening_needed;
  auto result = attestation::CheckPolicy(*q, policy);
  if (!result.ok()) {
    std::string why;
    for (const auto& v : result.violations) {
      if (!why.empty()) why += "; ";
      why += std::string(attestation::PolicyCheckName(v.check)) + " check: " + v.message;
      if (v.check == attestation::PolicyCheck::kTcbStatus) {
        why += " (the primary's own TCB status is " +
               std::string(attestation::TcbStatusName(own->status)) + ")";
      }
    }
    spdlog::warn("backup {} refused: {}", address, why);
    return Refused(Code::kPolicyRejected, address, why);
  }

  store::BackupEntry entry;
  entry.address = address;
  entry.identity.mrsigner = q->mr_signer();
  entry.identity.isvprodid = q->isv_prod_id();
  entry.identity.isvsvn = q->isv_svn();
  entry.identity.debug = q->debug();
  entry.tcb_status = std::string(attestation::TcbStatusName(q->status));
  entry.offer.salt = offer->salt;
  entry.offer.key_isvsvn = key_isvsvn;
  entry.offer.public_key = offer->public_key;
  entry.registered = now;
  SCONE_ASSIGN_OR_RETURN(store::BackupEntry stored, env_.state->AddBackup(std::move(entry)));
  spdlog::info("registered backup {} at {} (MRENCLAVE {}, ISVSVN {}, TCB {})", stored.id, address,
               HexEncode(q->mr_enclave()), q->isv_svn(), stored.tcb_status);
  return InfoOf(stored);
}

Result<api::BackupListResponse> BackupHandler::List(const net::PeerInfo& peer) const {
  SCONE_RETURN_IF_ERROR(RequireOwner(*env_.state, peer, "list backups"));
  SCONE_ASSIGN_OR_RETURN(auto entries, env_.state->Backups());
  api::BackupListResponse r;
  for (const auto& e : entries) r.backups.push_back(InfoOf(e));
  return r;
}

Result<api::RemoveBackupResponse> BackupHandler::Remove(const api::Target& target,
                                                        const net::PeerInfo& peer) const {
  SCONE_RETURN_IF_ERROR(RequireOwner(*env_.state, peer, "remove backups"));
  SCONE_RETURN_IF_ERROR(env_.state->RemoveBackup(target.name));
  spdlog::info("removed backup {}", target.name);
  return api::RemoveBackupResponse{};
}

}  // namespace scone::cas
