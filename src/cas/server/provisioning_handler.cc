#include <spdlog/spdlog.h>

#include "cas/protocol.h"
#include "cas/server/handlers.h"
#include "crypto/x509.h"

namespace scone::cas {

Result<api::ProvisionResponse> ProvisioningHandler::Provision(const api::ProvisionRequest& request,
                                                              const net::PeerInfo& peer) const {
  SCONE_ASSIGN_OR_RETURN(std::string owner_hash, ClientKeyHash(peer));
  SCONE_ASSIGN_OR_RETURN(auto owner_cert, crypto::ParseCertificateDer(peer.client_certificate_der));
  CasOwner owner{owner_hash, ""};
  SCONE_ASSIGN_OR_RETURN(owner.certificate_pem, crypto::CertificateToPem(owner_cert.get()));

  // The token is checked before the configuration, so that an unauthorised caller learns
  // nothing about what CAS accepts.
  CasState& state = *env_.state;
  std::lock_guard write_lock(state.write_mutex());
  if (state.Snapshot().flags.provisioned) {
    return Status(Code::kAlreadyExists, "the CAS is already provisioned");
  }
  if (!state.TokenMatches(request.token.Reveal())) {
    spdlog::warn("provisioning refused: wrong token from {}", peer.address);
    return PermissionDenied(
        "wrong provisioning token; take it from the CAS log line \"CAS provisioning token:\"");
  }
  SCONE_ASSIGN_OR_RETURN(nlohmann::json config, ParseOwnerConfigDocument(request.config));
  const bool rekeyed = request.database_key.has_value();
  if (rekeyed && env_.platform->identity().mrsigner == ReleaseSignerMrSigner()) {
    return PermissionDenied(
        "database key injection is refused by a CAS signed with the release signer: its owner "
        "must not be able to read the secrets it keeps");
  }

  if (rekeyed) {
    SCONE_RETURN_IF_ERROR(state.CommitRekey(*request.database_key, owner, config, env_.clock()));
  } else {
    SCONE_RETURN_IF_ERROR(state.CommitProvisioning(owner, config, env_.clock()));
  }
  CasSnapshot now = state.Snapshot();
  spdlog::info("provisioned: owner {}, configuration of {} bytes", owner_hash,
               request.config.text.size());
  if (rekeyed) {
    spdlog::warn("the owner injected the database key and can read every secret of this CAS");
    spdlog::info("CAS key hash: {}", now.keys->cas_key_hash);
  }
  api::ProvisionResponse r;
  r.cas_key_hash = now.keys->cas_key_hash;
  r.cas_certificate_pem = now.keys->cas_certificate_pem;
  r.owner = owner_hash;
  r.rekeyed = rekeyed;
  return r;
}

}  // namespace scone::cas
