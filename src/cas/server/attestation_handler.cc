#include "cas/protocol.h"
#include "cas/server/handlers.h"

namespace scone::cas {

Result<api::AttestationResponse> AttestationHandler::Attest(
    const api::AttestationRequest& request) const {
  CasSnapshot s = env_.state->Snapshot();
  api::AttestationResponse r;
  r.flags = s.flags;
  auto rd = AttestationReportData(request.nonce, s.keys->cas_spki, s.keys->software_spki, r.flags);
  SCONE_ASSIGN_OR_RETURN(r.quote, env_.platform->Quote(rd));
  SCONE_ASSIGN_OR_RETURN(auto collateral, env_.platform->Collateral());
  r.collateral = collateral->value;
  r.collateral_json = std::shared_ptr<const std::string>(collateral, &collateral->json);
  r.cas_certificate_pem = s.keys->cas_certificate_pem;
  r.cas_software_certificate_pem = s.keys->software_certificate_pem;
  return r;
}

}  // namespace scone::cas
