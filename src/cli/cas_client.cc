#include "cli/cas_client.h"

#include <algorithm>

#include "cli/context.h"
#include "cli/relaxation_flags.h"
#include "crypto/key_hash.h"
#include "crypto/random.h"
#include "crypto/x509.h"

namespace scone::cli {
namespace {
constexpr size_t kNonceSize = 32;
constexpr size_t kMaxShownRefusal = 1000;

Status BadAddress(std::string_view text, const std::string& why) {
  return InvalidArgument("invalid CAS address \"" + std::string(text) + "\": " + why +
                         "; use HOST or HOST:PORT (IPv6 in brackets, e.g. [::1]:8081)");
}

// CAS's text as it may be printed on a terminal: no control characters, bounded.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxShownRefusal)) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  if (text.size() > kMaxShownRefusal) out += "...";
  return out;
}

}  // namespace

CasLink MakeCasLink(const Context& ctx, CasAddress address, int retries) {
  return CasLink{std::move(address), ctx.https, ctx.sleep, retries};
}

std::string CasAddress::ApiUrl() const { return "https://" + endpoint.ToString() + "/"; }

Result<CasAddress> ParseCasAddress(std::string_view text) {
  if (text.find("://") != std::string_view::npos) {
    return BadAddress(text, "give the address without a scheme");
  }
  if (text.rfind("unix:", 0) == 0) return BadAddress(text, "CAS is reached over TCP");
  if (text.find('/') != std::string_view::npos) return BadAddress(text, "no path is allowed");
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
    return BadAddress(text, "it contains a space or control character");
  }
  if (!text.empty() && text.back() == ':') return BadAddress(text, "the port is empty");
  auto endpoint = net::ParseEndpoint(text, cas::kDefaultApiPort);
  if (!endpoint.ok()) return BadAddress(text, endpoint.status().message());
  if (endpoint->port == 0) return BadAddress(text, "port 0 cannot be connected to");
  return CasAddress{std::string(text), std::move(*endpoint)};
}

Status CheckPinnedServerKey(ByteView server_certificate_der, std::string_view address,
                            std::string_view expected_key_hash, PinSource source) {
  auto cert = crypto::ParseCertificateDer(server_certificate_der);
  if (!cert.ok()) {
    return VerificationFailed(
        "the CAS at " + std::string(address) +
        " presents a TLS certificate that does not parse: " + cert.status().message());
  }
  SCONE_ASSIGN_OR_RETURN(std::string key_hash, crypto::KeyHashOfCertificate(cert->get()));
  if (key_hash == expected_key_hash) return Status::Ok();
  std::string msg = "the CAS at " + std::string(address) + " presents key " + key_hash + ", not ";
  if (source == PinSource::kAttested) {
    msg += "the attested CAS key " + std::string(expected_key_hash) +
           ": it is another CAS, or it was re-keyed; if you trust it, attest it again with "
           "\"scone cas attest " +
           std::string(address) + "\"";
  } else {
    msg += "the CAS key " + std::string(expected_key_hash) +
           " given with -c: it is another CAS instance; check the address and the key hash in "
           "the CAS log";
  }
  return VerificationFailed(msg);
}

std::chrono::milliseconds RetryBackoff(int retry) {
  int doublings = std::clamp(retry - 1, 0, 4);
  return std::chrono::milliseconds(200 << doublings);
}

Result<net::HttpResponse> CallCas(const CasLink& link, const net::HttpRequest& request,
                                  std::function<Status(ByteView)> check_server,
                                  const Identity* identity) {
  if (!check_server) return Internal("a CAS request without a server check");
  net::TlsClientOptions options;
  options.check_server = std::move(check_server);
  if (identity != nullptr) {
    options.certificate_pem = identity->certificate_pem;
    options.private_key_pem = identity->private_key_pem;
  }
  const int attempts = 1 + std::max(0, link.retries);
  Status last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) link.sleep(RetryBackoff(attempt - 1));
    auto response = link.transport(link.address.endpoint, request, options);
    if (response.ok()) return response;
    if (response.status().code() != Code::kUnavailable) return response.status();
    last = response.status();
  }
  std::string counted = attempts > 1 ? " (" + std::to_string(attempts) + " attempts)" : "";
  return Status(Code::kUnavailable,
                "cannot reach CAS at " + link.address.name + counted + ": " + last.message());
}

Status RefusalFromAnswer(const net::HttpResponse& response, std::string_view what) {
  std::string text = "HTTP status " + std::to_string(response.status);
  auto body = cas::api::ParseBody<cas::api::ErrorBody>(response.body, "the refusal");
  if (body.ok() && !body->msg.empty()) {
    text.clear();
    for (const auto& m : body->msg) text += (text.empty() ? "" : "; ") + m;
  }
  return Status(cas::api::CodeOfHttpStatus(response.status),
                "CAS refused " + std::string(what) + ": " + Printable(text));
}

Status WithIdentityHint(Status status) {
  if (status.code() != Code::kPermissionDenied) return status;
  return Status(status.code(), status.message() + " (to use another identity: --identity FILE)");
}

Result<cas::CasEvidence> AttestCas(const CasLink& link, const cas::CasAttestPolicy& policy,
                                   const attestation::QuoteVerifier& verifier, int64_t now) {
  SCONE_ASSIGN_OR_RETURN(Bytes nonce, crypto::RandomBytes(kNonceSize));
  cas::api::AttestationRequest request{nonce};
  const cas::api::Route& route = cas::api::RouteOf(cas::api::Endpoint::kAttestation);
  // The CAS key is not known yet: take note of the server's certificate here, and let
  // VerifyAttestation require it to carry the attested CAS key.
  Bytes server_certificate;
  auto remember = [&server_certificate](ByteView der) {
    server_certificate.assign(der.begin(), der.end());
    return Status::Ok();
  };
  SCONE_ASSIGN_OR_RETURN(net::HttpResponse response,
                         CallCas(link,
                                 {std::string(route.method), std::string(route.path),
                                  "application/json", cas::api::Serialize(request.ToJson())},
                                 remember, nullptr));
  if (response.status != 200) return RefusalFromAnswer(response, "the attestation");
  const std::string context = "CAS " + link.address.name;
  if (server_certificate.empty()) {
    return Internal(context + ": the HTTPS client did not show the server's certificate");
  }
  auto answer = cas::api::ParseBody<cas::api::AttestationResponse>(response.body, "the answer");
  if (!answer.ok()) {
    return VerificationFailed(context +
                              " sent a malformed attestation answer: " + answer.status().message());
  }
  cas::CasRefusal refusal;
  auto evidence =
      cas::VerifyAttestation(*answer, nonce, server_certificate, policy, verifier, now, &refusal);
  if (!evidence.ok()) {
    return CasRefusalStatus(evidence.status(), refusal, policy).WithContext(context);
  }
  return evidence;
}

Result<std::string> CallPinnedRaw(const CasLink& link, std::string_view expected_key_hash,
                                  PinSource source, const net::HttpRequest& request,
                                  const Identity* identity, std::string_view what) {
  auto check = [address = link.address.name, key = std::string(expected_key_hash),
                source](ByteView der) { return CheckPinnedServerKey(der, address, key, source); };
  SCONE_ASSIGN_OR_RETURN(net::HttpResponse response, CallCas(link, request, check, identity));
  if (response.status < 200 || response.status >= 300) {
    return RefusalFromAnswer(response, what);
  }
  return std::move(response.body);
}

}  // namespace scone::cli
