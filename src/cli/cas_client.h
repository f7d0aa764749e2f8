// Talking to a CAS from the CLI: its address, the attestation exchange, and requests over
// connections pinned to an attested CAS key (docs/cas.md, docs/cli.md "scone cas").
//
// Trust rules, each enforced here:
//  - An attestation answer is only believed for the connection it came on: the server's
//    TLS certificate is captured before the request is sent and VerifyAttestation requires
//    its key to be the attested CAS key (no relaying of a genuine CAS's answer).
//  - Every other request goes over a connection whose server key hash must equal the key
//    hash the user accepted (CheckPinnedServerKey); the check runs after the handshake and
//    before any request byte, so a mismatch sends nothing: no token, no configuration.
//  - Only "cannot reach" (kUnavailable) is retried, with a bounded, growing wait; a
//    refusal or a failed verification never is.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "attestation/verifier.h"
#include "cas/api.h"
#include "cas/protocol.h"
#include "cli/https.h"
#include "cli/identity.h"
#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "net/http.h"

namespace scone::cli {

class Context;

// A CAS as the user names it: "HOST" or "HOST:PORT" (an IPv6 address in brackets),
// default port cas::kDefaultApiPort (8081).
struct CasAddress {
  std::string name;        // as the user typed it; the CAS's name in the CLI state
  net::Endpoint endpoint;  // TCP host and port

  // "https://HOST:PORT/".
  std::string ApiUrl() const;
};

// Parses a CAS address. Refuses a scheme ("https://..."), a path, "unix:", an empty host or
// port, and port 0, saying what form is expected.
Result<CasAddress> ParseCasAddress(std::string_view text);

// Whose key a pinned connection expects; only changes the advice in the refusal.
enum class PinSource {
  kAttested,    // the key of the CAS entry in the CLI state
  kGivenWithC,  // the key hash given with -c (provision without attestation)
};

// OK if the key of `server_certificate_der` has `expected_key_hash`; otherwise
// kVerificationFailed: "the CAS at ADDR presents key X, not the attested CAS key Y: ...".
Status CheckPinnedServerKey(ByteView server_certificate_der, std::string_view address,
                            std::string_view expected_key_hash,
                            PinSource source = PinSource::kAttested);

// How to reach one CAS.
struct CasLink {
  CasAddress address;
  HttpsTransport transport;                              // Context::https
  std::function<void(std::chrono::milliseconds)> sleep;  // Context::sleep
  // Further attempts after the first when the CAS cannot be reached (kUnavailable).
  int retries = 0;
};

// The link to `address` through the context's transport and sleep.
CasLink MakeCasLink(const Context& ctx, CasAddress address, int retries);

// The wait before retry number `retry` (1-based): 200 ms, doubling, at most 3.2 s.
std::chrono::milliseconds RetryBackoff(int retry);

// Sends `request`. `check_server` sees the server's leaf certificate before anything is sent
// (net::TlsClientOptions::check_server); `identity`, if given, is offered as the client
// certificate. kUnavailable after the last attempt reads "cannot reach CAS at ADDR (N
// attempts): ...".
Result<net::HttpResponse> CallCas(const CasLink& link, const net::HttpRequest& request,
                                  std::function<Status(ByteView)> check_server,
                                  const Identity* identity);

// The Status for a non-2xx answer of CAS: "CAS refused <what>: <CAS's message>", with a code
// that fits the HTTP status (403 -> kPermissionDenied, 409 -> kFailedPrecondition, ...).
// CAS's text is shown with control characters replaced and bounded in length.
Status RefusalFromAnswer(const net::HttpResponse& response, std::string_view what);

// For calls whose permission depends on the client certificate (sessions, the owner's
// configuration): a kPermissionDenied refusal gets the hint how to use another identity.
// CAS itself names no flag, since it speaks to any client.
Status WithIdentityHint(Status status);

// Attests the CAS: a fresh 32-byte nonce, POST /v1/attestation, and VerifyAttestation of
// the answer against the TLS certificate of the connection it came on, at `now`.
Result<cas::CasEvidence> AttestCas(const CasLink& link, const cas::CasAttestPolicy& policy,
                                   const attestation::QuoteVerifier& verifier, int64_t now);

// Sends `request` over a connection pinned to `expected_key_hash`, with `identity` as client
// certificate if given; returns the body of a 2xx answer, RefusalFromAnswer(response, what)
// otherwise.
Result<std::string> CallPinnedRaw(const CasLink& link, std::string_view expected_key_hash,
                                  PinSource source, const net::HttpRequest& request,
                                  const Identity* identity, std::string_view what);

// CallPinnedRaw with a request built by the API (e.g. the sensitive provisioning request,
// api::ProvisionRequest::ToHttpRequest); the answer is parsed strictly into `Response`, and
// a malformed answer is kVerificationFailed.
template <typename Response>
Result<Response> CallPinned(const CasLink& link, std::string_view expected_key_hash,
                            PinSource source, const net::HttpRequest& request,
                            const Identity* identity, std::string_view what) {
  auto answer = CallPinnedRaw(link, expected_key_hash, source, request, identity, what);
  if (!answer.ok()) return answer.status();
  auto parsed = cas::api::ParseBody<Response>(*answer, "the answer");
  if (!parsed.ok()) {
    return VerificationFailed("CAS " + link.address.name + " sent a malformed answer to " +
                              std::string(what) + ": " + parsed.status().message());
  }
  return parsed;
}

// CallPinned for one endpoint of the API (api.h): `body` is the request's JSON text.
template <typename Response>
Result<Response> CallPinned(const CasLink& link, std::string_view expected_key_hash,
                            PinSource source, cas::api::Endpoint endpoint, std::string body,
                            const Identity* identity, std::string_view what) {
  const cas::api::Route& route = cas::api::RouteOf(endpoint);
  net::HttpRequest request{std::string(route.method), std::string(route.path), "application/json",
                           std::move(body)};
  return CallPinned<Response>(link, expected_key_hash, source, request, identity, what);
}

}  // namespace scone::cli
