#include <spdlog/spdlog.h>

#include "cas/owner_config.h"
#include "cas/server/handlers.h"
#include "common/bounded_cache.h"
#include "crypto/key_hash.h"
#include "crypto/x509.h"

namespace scone::cas {

Result<std::string> ClientKeyHash(const net::PeerInfo& peer) {
  if (peer.client_certificate_der.empty()) {
    return PermissionDenied("the request came without a client certificate");
  }
  // OpenSSL 3 decodes a certificate's public key through its provider decoders: parsing
  // the client's certificate again on every request was a third of a session upload's
  // CPU. The key hash is a function of the certificate's bytes, so it is remembered.
  static BoundedCache<std::string> known(1024);
  std::string der(peer.client_certificate_der.begin(), peer.client_certificate_der.end());
  if (auto hash = known.Find(der)) return *hash;
  SCONE_ASSIGN_OR_RETURN(auto cert, crypto::ParseCertificateDer(peer.client_certificate_der));
  SCONE_ASSIGN_OR_RETURN(std::string hash, crypto::KeyHashOfCertificate(cert.get()));
  known.Insert(std::move(der), hash);
  return hash;
}

Status RequireOwner(const CasState& state, const net::PeerInfo& peer, const std::string& action) {
  if (peer.client_certificate_der.empty()) {
    return PermissionDenied("only the CAS owner may " + action +
                            ", and the request came without a client certificate");
  }
  SCONE_ASSIGN_OR_RETURN(std::string hash, ClientKeyHash(peer));
  CasSnapshot s = state.Snapshot();
  if (!s.flags.provisioned) return FailedPrecondition("the CAS is not provisioned yet");
  if (hash != s.owner_key_hash) {
    return PermissionDenied("only the CAS owner may " + action +
                            "; the client certificate's key hash " + hash +
                            " is not the owner's (connect with the identity that provisioned "
                            "this CAS)");
  }
  return Status::Ok();
}

Result<nlohmann::json> ParseOwnerConfigDocument(const api::OwnerConfigDocument& document) {
  auto config = ParseOwnerConfig(document.text, document.format, "configuration");
  if (!config.ok()) return config.status().WithContext("the owner configuration is invalid");
  return config;
}

Result<api::ConfigResponse> ConfigHandler::Get(const net::PeerInfo& peer) const {
  SCONE_RETURN_IF_ERROR(RequireOwner(*env_.state, peer, "read the CAS configuration"));
  api::ConfigResponse r;
  SCONE_ASSIGN_OR_RETURN(r.config, env_.state->LoadConfig());
  r.owner = env_.state->Snapshot().owner_key_hash;
  return r;
}

Result<api::ConfigUpdateResponse> ConfigHandler::Put(const api::ConfigUpdateRequest& request,
                                                     const net::PeerInfo& peer) const {
  std::lock_guard write_lock(env_.state->write_mutex());
  SCONE_RETURN_IF_ERROR(RequireOwner(*env_.state, peer, "update the CAS configuration"));
  SCONE_ASSIGN_OR_RETURN(nlohmann::json config, ParseOwnerConfigDocument(request.config));
  SCONE_RETURN_IF_ERROR(env_.state->CommitConfig(config, env_.clock()));
  spdlog::info("configuration updated by the owner ({} bytes)", request.config.text.size());
  return api::ConfigUpdateResponse{};
}

}  // namespace scone::cas
