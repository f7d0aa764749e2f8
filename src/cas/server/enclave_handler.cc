#include "cas/server/enclave_handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "attestation/intel_root.h"
#include "cas/enclave_protocol.h"
#include "cas/server/enclave_policy.h"
#include "cas/server/secret_values.h"
#include "common/hex.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "sdl/session.h"
#include "sdl/validator.h"
#include "secrets/generate.h"
#include "secrets/render.h"

namespace scone::cas {
namespace {
using nlohmann::json;

struct ConfigId {
  std::string session;
  std::string service;
};

Result<ConfigId> ParseConfigId(std::string_view id) {
  size_t slash = id.rfind('/');
  ConfigId out;
  if (slash != std::string_view::npos) {
    out.session = std::string(id.substr(0, slash));
    out.service = std::string(id.substr(slash + 1));
  }
  if (slash == std::string_view::npos || !sdl::IsValidSessionName(out.session) ||
      !sdl::IsValidEntityName(out.service)) {
    return InvalidArgument(
        "\"config_id\" must be SESSION/SERVICE (a session name, namespaces joined by '/', then "
        "'/' and a service name), e.g. \"my-session/my-service\"");
  }
  return out;
}

bool IsUtf8Text(const std::string& text) {
  if (text.find('\0') != std::string::npos) return false;
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

// `text` rendered; `what` names the field in messages (never the value).
Result<SecretBytes> Render(const std::string& text, const secrets::SecretValues& values,
                           const std::string& what) {
  auto rendered = secrets::RenderText(text, values);
  if (!rendered.ok()) return rendered.status().WithContext(what);
  return rendered;
}

Status NoNul(const SecretBytes& value, const std::string& what) {
  ByteView v = value.Reveal();
  if (std::find(v.begin(), v.end(), uint8_t{0}) != v.end()) {
    return FailedPrecondition(what +
                              " holds a NUL byte once its secrets are filled in, which a "
                              "program cannot receive; use an encoding such as :hex or "
                              ":base64 in its placeholder");
  }
  return Status::Ok();
}

// A rendered path (pwd, an injection file): absolute, UTF-8, no NUL.
Result<std::string> RenderPath(const std::string& text, const secrets::SecretValues& values,
                               const std::string& what) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes rendered, Render(text, values, what));
  std::string path(AsChars(rendered.Reveal()));
  if (path.empty() || path[0] != '/' || !IsUtf8Text(path)) {
    return FailedPrecondition(what + " must be an absolute path of UTF-8 text");
  }
  return path;
}

Result<uint32_t> ModeOf(const sdl::InjectionFile& file) {
  if (!file.permission.has_value()) return 0600U;
  uint32_t mode = 0;
  for (char c : file.permission->value) {
    if (c < '0' || c > '7') return Internal("a stored permission is not octal");
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  return mode & 07777U;
}

}  // namespace

struct EnclaveHandler::State {
  std::mutex mu;
  std::shared_ptr<const attestation::QuoteVerifier> verifier;
};

EnclaveHandler::EnclaveHandler(HandlerEnv env)
    : env_(std::move(env)), state_(std::make_shared<State>()) {}

Result<std::shared_ptr<const attestation::QuoteVerifier>> EnclaveHandler::Verifier() const {
  {
    std::lock_guard lock(state_->mu);
    if (state_->verifier != nullptr) return state_->verifier;
  }
  // The root of CAS's own platform: the last certificate of its collateral's signer chain.
  SCONE_ASSIGN_OR_RETURN(auto own, env_.platform->Collateral());
  auto chain = crypto::ParseCertificatesPem(own->value.tcb_info_issuer_chain_pem);
  if (!chain.ok() || chain->empty()) {
    return Internal("the collateral of CAS's own platform has no signer chain");
  }
  SCONE_ASSIGN_OR_RETURN(Bytes platform_root, crypto::CertificateToDer(chain->back().get()));
  attestation::VerifierOptions options;
  std::string_view intel = attestation::IntelSgxRootCaPem();
  options.trusted_roots = {Bytes(intel.begin(), intel.end()), platform_root};
  SCONE_ASSIGN_OR_RETURN(auto verifier, attestation::QuoteVerifier::New(std::move(options)));
  std::lock_guard lock(state_->mu);
  if (state_->verifier == nullptr) state_->verifier = std::move(verifier);
  return state_->verifier;
}

Result<api::EnclaveConfigurationResponse> EnclaveHandler::Configure(
    const api::EnclaveConfigurationRequest& request, const net::PeerInfo& peer) const {
  if (!env_.state->Snapshot().flags.provisioned) {
    return FailedPrecondition(
        "the CAS is not provisioned yet: it configures no programs until its owner provisions "
        "it");
  }
  SCONE_ASSIGN_OR_RETURN(ConfigId id, ParseConfigId(request.config_id));
  const std::string label = id.session + "/" + id.service;
  // The active version and the values of its secrets (its own and its imports, resolved
  // from the exporters' active versions now), read together.
  SCONE_ASSIGN_OR_RETURN(auto active, ActiveSecretValues(env_.state->sessions(), id.session));
  if (!active.has_value()) {
    return NotFound("there is no session " + id.session + " on this CAS (SCONE_CONFIG_ID " + label +
                    ")");
  }
  const StoredSession* stored = &active->session;
  SCONE_ASSIGN_OR_RETURN(auto session, env_.models->Of(*stored));
  auto service_it = std::find_if(session->services.begin(), session->services.end(),
                                 [&](const sdl::Service& s) { return s.name.value == id.service; });
  if (service_it == session->services.end()) {
    return NotFound("session " + id.session + " has no service " + id.service +
                    " (SCONE_CONFIG_ID " + label + ")");
  }
  const sdl::Service& service = *service_it;

  api::EnclaveConfigurationResponse answer;
  answer.session = id.session;
  answer.session_hash = stored->version.hash;
  answer.service = id.service;

  // Attestation.
  std::string who;
  if (session->security.mode.value == sdl::AttestationMode::kNone) {
    std::string warning = "session " + id.session +
                          " says security.attestation.mode: none: CAS configured " + label +
                          " without checking what program it is";
    spdlog::warn("{}", warning);
    answer.warnings.push_back(warning);
    who = "an unattested program";
  } else {
    SCONE_ASSIGN_OR_RETURN(auto verifier, Verifier());
    std::shared_ptr<const CasPlatform::CachedCollateral> own;
    const attestation::Collateral* collateral = nullptr;
    if (request.collateral.has_value()) {
      collateral = &*request.collateral;
    } else {
      SCONE_ASSIGN_OR_RETURN(own, env_.platform->Collateral());
      collateral = &own->value;
    }
    attestation::FailureKind kind = attestation::FailureKind::kNone;
    auto verified = verifier->Verify(request.quote, *collateral, env_.clock(), &kind);
    if (env_.metrics != nullptr) {
      env_.metrics->QuoteVerified(CasMetrics::QuoteKind::kEnclave,
                                  verified.ok() ? std::optional(verified->status) : std::nullopt);
    }
    if (!verified.ok()) {
      return Status(Code::kVerificationFailed, "CAS refuses to configure " + label +
                                                   ": the quote does not verify (" +
                                                   std::string(attestation::FailureKindName(kind)) +
                                                   "): " + verified.status().message());
    }
    // The quote must bind the key of this connection's TLS client certificate.
    // (The SubjectPublicKeyInfo as the certificate carries it, which the handshake parsed.)
    SCONE_ASSIGN_OR_RETURN(Bytes spki, net::ClientKeySpkiDer(peer));
    if (spki.empty() || verified->report_data() != EnclaveReportData(spki)) {
      return Status(Code::kVerificationFailed,
                    "CAS refuses to configure " + label +
                        ": the quote's report data does not bind the TLS client key of this "
                        "connection (a quote is good only on the connection of the key it was "
                        "made for)");
    }
    // The platform id only where a `platforms` list needs it (it costs a second parse).
    std::string platform;
    if (!service.platforms.empty()) {
      auto parsed = attestation::ParseQuote(request.quote);
      if (!parsed.ok()) return parsed.status();
      platform = PlatformId(parsed->attestation_key);
    }
    auto admitted = AdmitEnclave(*verified, platform, service, session->security, label);
    if (!admitted.ok()) {
      spdlog::warn("enclave configuration refused: {}", admitted.status().message());
      return admitted.status();
    }
    who = "MRENCLAVE " + HexEncode(verified->mr_enclave()) + " (variant " +
          std::to_string(admitted->variant + 1) +
          (platform.empty() ? std::string(")") : ", platform " + platform.substr(0, 16) + "...)");
    for (const std::string& t : admitted->tolerated) {
      answer.warnings.push_back("admitted although the session only tolerates it: " + t);
    }
  }

  // Delivery.
  if (service.fspf_path.has_value() || service.fspf_key.has_value()) {
    return FailedPrecondition("service " + label +
                              " uses a file-system protection file (fspf_*), which this runtime "
                              "does not support; CAS does not start it without its protection");
  }
  const secrets::SecretValues& values = active->values;
  if (service.command.has_value()) {
    answer.command.emplace();
    for (size_t i = 0; i < service.command->size(); ++i) {
      std::string what = "argument " + std::to_string(i) + " of the command";
      SCONE_ASSIGN_OR_RETURN(SecretBytes arg, Render((*service.command)[i].value, values, what));
      SCONE_RETURN_IF_ERROR(NoNul(arg, what));
      answer.command->push_back(std::move(arg));
    }
  }
  for (const auto& [name, value] : service.environment) {
    std::string what = "environment variable " + name.value;
    SCONE_ASSIGN_OR_RETURN(SecretBytes rendered, Render(value.value, values, what));
    SCONE_RETURN_IF_ERROR(NoNul(rendered, what));
    answer.environment.emplace_back(name.value, std::move(rendered));
  }
  if (service.pwd.has_value()) {
    SCONE_ASSIGN_OR_RETURN(answer.pwd, RenderPath(service.pwd->value, values, "pwd"));
  }
  if (service.image_name.has_value()) {
    auto image = std::find_if(
        session->images.begin(), session->images.end(),
        [&](const sdl::Image& i) { return i.name.value == service.image_name->value; });
    if (image == session->images.end()) return Internal("a stored session names no image");
    if (!image->volumes.empty()) {
      return FailedPrecondition("image " + image->name.value + " of service " + label +
                                " mounts volumes, which this runtime does not support; CAS "
                                "does not start it without them");
    }
    for (const sdl::InjectionFile& f : image->injection_files) {
      api::EnclaveFile file;
      SCONE_ASSIGN_OR_RETURN(file.path, RenderPath(f.path.value, values, "an injection file path"));
      if (f.content.has_value()) {
        SCONE_ASSIGN_OR_RETURN(file.content,
                               Render(f.content->value, values, "injection file " + file.path));
      }
      SCONE_ASSIGN_OR_RETURN(file.mode, ModeOf(f));
      answer.injection_files.push_back(std::move(file));
    }
  }
  spdlog::info("enclave configuration: {} delivered to {} (session version {})", label, who,
               stored->version.hash);
  return answer;
}

}  // namespace scone::cas
