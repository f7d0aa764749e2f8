#include "cas/server/handlers.h"
#include "cas/server/secret_values.h"
#include "sdl/session.h"
#include "secrets/render.h"

namespace scone::cas {
namespace {

Status NotPublic(const api::ValuesTarget& t) {
  std::string what = t.secret.has_value() ? "secret " + *t.secret + " of session " + t.session
                                          : "session " + t.session;
  return NotFound(what + " does not exist or is not visible to a public client (only secrets " +
                  "with `export_public: true` are)");
}

}  // namespace

Result<api::PublicValuesResponse> ValuesHandler::Public(const api::ValuesTarget& target) const {
  if (!env_.state->Snapshot().flags.provisioned) {
    return FailedPrecondition(
        "the CAS is not provisioned yet: it serves no values until its "
        "owner provisions it");
  }
  if (!sdl::IsValidSessionName(target.session)) {
    return InvalidArgument(
        "session= must name a valid session: parts of 1 to 128 characters A-Z a-z 0-9 _ - . ~ "
        "joined by '/' (sent as %2F)");
  }
  api::PublicValuesResponse r;
  SCONE_RETURN_IF_ERROR(env_.state->sessions().Read([&](SessionReader& reader) -> Status {
    r.values.clear();
    SCONE_ASSIGN_OR_RETURN(auto active, reader.LoadActive(target.session));
    if (!active.has_value()) return Status::Ok();
    std::vector<const SecretExport*> wanted;
    for (const SecretExport& e : active->sharing.exports) {
      if (e.is_public && (!target.secret.has_value() || *target.secret == e.secret)) {
        wanted.push_back(&e);
      }
    }
    if (wanted.empty()) return Status::Ok();
    SCONE_ASSIGN_OR_RETURN(SecretBytes stored, reader.Values(target.session, active->version.hash));
    SCONE_ASSIGN_OR_RETURN(secrets::SecretValues values, ParseStoredValues(stored, target.session));
    for (const SecretExport* e : wanted) {
      auto v = values.find(e->secret);
      if (v == values.end()) {
        return DataLoss("session " + target.session + " holds no value for its public secret " +
                        e->secret);
      }
      api::PublicValue p;
      p.kind = std::string(sdl::SecretKindName(v->second.kind));
      SCONE_ASSIGN_OR_RETURN(p.value, secrets::RenderPublic(v->second));
      r.values.emplace(e->secret, std::move(p));
    }
    return Status::Ok();
  }));
  if (r.values.empty()) return NotPublic(target);
  return r;
}

Result<api::PublicValuesResponse> ValuesHandler::All(const api::ValuesTarget& target) const {
  return Public(target);
}

Result<api::PublicValue> ValuesHandler::One(const api::ValuesTarget& target) const {
  SCONE_ASSIGN_OR_RETURN(api::PublicValuesResponse all, Public(target));
  return std::move(all.values.begin()->second);
}

}  // namespace scone::cas
