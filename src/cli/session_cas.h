// The CAS side of `scone session ...`: the session endpoints of the CAS API (cas/api.h,
// docs/cas.md "Sessions"), called over a connection pinned to an attested CAS with the
// user's identity as client certificate (cli/cas_client.h states the trust rules).
//
// Open() does everything local first (the CLI state's CAS entry, the identity), so that a
// command that fails there has sent nothing. Every call is one request; a non-2xx answer is
// RefusalFromAnswer's Status (404 -> kNotFound, which `scone` turns into exit code 2;
// 403 -> kPermissionDenied; 409 -> kAlreadyExists), a malformed answer kVerificationFailed.
#pragma once

#include <optional>
#include <string>

#include "cas/api.h"
#include "cli/cas_client.h"
#include "cli/context.h"
#include "cli/identity.h"
#include "common/status.h"

namespace scone::cli {

class SessionCas {
 public:
  // The CAS named `cas` in the CLI state (empty: the default CAS) and the command's identity
  // (Context::LoadIdentity). `retries`: further attempts when CAS cannot be reached.
  static Result<SessionCas> Open(const Context& ctx, const std::string& cas, int retries);

  // The CAS's name as in the CLI state.
  const std::string& name() const { return link_.address.name; }
  // The identity that is offered as client certificate (the creator of what is uploaded).
  const Identity& identity() const { return identity_; }

  // POST /v1/sessions with the session text (cli/session_file.h UploadText).
  Result<cas::api::SessionUploadResponse> Create(std::string session_text);
  // PUT /v1/sessions/NAME.
  Result<cas::api::SessionUploadResponse> Update(const std::string& name, std::string session_text);
  // GET /v1/sessions/NAME[?hash=H]: the active version, or version `hash`.
  Result<cas::api::SessionReadResponse> Read(const std::string& name,
                                             const std::optional<std::string>& hash);
  // GET /v1/sessions/NAME/history.
  Result<cas::api::SessionHistoryResponse> History(const std::string& name);
  // GET /v1/sessions[?namespace=NS].
  Result<cas::api::SessionListResponse> List(const std::optional<std::string>& ns);

 private:
  SessionCas(CasLink link, std::string key_hash, Identity identity)
      : link_(std::move(link)), key_hash_(std::move(key_hash)), identity_(std::move(identity)) {}

  template <typename Response>
  Result<Response> Call(net::HttpRequest request, const std::string& what);

  CasLink link_;
  std::string key_hash_;  // the attested CAS key hash every connection is pinned to
  Identity identity_;
};

}  // namespace scone::cli
