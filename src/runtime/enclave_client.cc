#include "runtime/enclave_client.h"

#include <spdlog/spdlog.h>

#include <ctime>

#include "cas/enclave_protocol.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "net/http_client.h"

namespace scone::runtime {
namespace {

// K's certificate: self-signed, valid from an hour ago for a day (CAS checks only the key).
struct ClientCredentials {
  std::string certificate_pem;
  SecretBytes private_key_pem;
  Bytes spki;
};

Result<ClientCredentials> NewClientCredentials() {
  SCONE_ASSIGN_OR_RETURN(auto key, crypto::GenerateEcP256Key());
  crypto::CertificateOptions opts;
  opts.common_name = "scone-run";
  auto now = static_cast<int64_t>(std::time(nullptr));
  opts.not_before = now - 3600;
  opts.not_after = now + 86400;
  SCONE_ASSIGN_OR_RETURN(auto cert, crypto::CreateCertificate(key.get(), key.get(), nullptr, opts));
  ClientCredentials c;
  SCONE_ASSIGN_OR_RETURN(c.certificate_pem, crypto::CertificateToPem(cert.get()));
  SCONE_ASSIGN_OR_RETURN(c.private_key_pem, crypto::PrivateKeyToPkcs8Pem(key.get()));
  SCONE_ASSIGN_OR_RETURN(c.spki, crypto::PublicKeySpkiDer(key.get()));
  return c;
}

Status Refusal(const net::HttpResponse& response, const std::string& where) {
  // 403 is an attestation refusal (the quote, its binding or the session's policy).
  Code code =
      response.status == 403 ? Code::kPolicyRejected : cas::api::CodeOfHttpStatus(response.status);
  return Status(code, "CAS at " + where + " refused the configuration (HTTP " +
                          std::to_string(response.status) + "): " + net::ErrorMessageOf(response));
}

}  // namespace

Result<Configuration> FetchConfiguration(const net::Endpoint& cas, std::string_view config_id,
                                         const QuoteFn& quote,
                                         const std::optional<std::string>& cas_key_hash) {
  const std::string where = cas.ToString();
  SCONE_ASSIGN_OR_RETURN(ClientCredentials credentials, NewClientCredentials());

  auto quoted = quote(cas::EnclaveReportData(credentials.spki));
  if (!quoted.ok()) return quoted.status().WithContext("getting a quote from LAS");
  spdlog::info("quote from LAS: {} bytes{}", quoted->quote.size(),
               quoted->collateral.has_value() ? ", with collateral" : "");

  cas::api::EnclaveConfigurationRequest request;
  request.config_id = std::string(config_id);
  request.quote = std::move(quoted->quote);
  request.collateral = std::move(quoted->collateral);
  const cas::api::Route& route = cas::api::RouteOf(cas::api::Endpoint::kEnclaveConfiguration);
  // Sensitive: the answer carries secrets, and a sensitive request makes the client wipe it.
  net::HttpRequest http(std::string(route.method), std::string(route.path), "application/json",
                        cas::api::Serialize(request.ToJson()), /*sensitive_=*/true);

  net::TlsClientOptions tls;
  tls.certificate_pem = credentials.certificate_pem;
  tls.private_key_pem = credentials.private_key_pem;
  bool key_mismatch = false;
  if (cas_key_hash.has_value()) {
    auto decoded = crypto::DecodeKeyHash(*cas_key_hash);
    if (!decoded.ok()) return decoded.status().WithContext("SCONE_CAS_KEY_HASH");
    net::ServerCertificateCheck pin = net::PinServerKeyHash(*cas_key_hash);
    tls.check_server = [pin, &key_mismatch](ByteView der) {
      Status s = pin(der);
      key_mismatch = !s.ok();
      return s;
    };
  } else {
    spdlog::warn("SCONE_CAS_KEY_HASH is not set: any server at {} is taken for CAS", where);
    tls.check_server = [](ByteView) { return Status::Ok(); };
  }
  auto response = net::HttpsCall(cas, http, tls);
  if (!response.ok()) {
    if (key_mismatch) {
      return Status(Code::kVerificationFailed,
                    "the server at " + where + " is not the CAS that SCONE_CAS_KEY_HASH names: " +
                        response.status().message());
    }
    if (response.status().code() == Code::kUnavailable) {
      return Status(Code::kUnavailable, "cannot reach CAS at " + where +
                                            " (is CAS running, and is SCONE_CAS_ADDR right?): " +
                                            response.status().message());
    }
    return response.status().WithContext("CAS at " + where);
  }
  if (response->status != 200) return Refusal(*response, where);

  auto json = cas::api::ParseObject(response->body, "CAS's answer");
  if (!json.ok()) return json.status();
  auto configuration = Configuration::FromJson(*json);
  if (!configuration.ok()) return configuration.status().WithContext("CAS's answer");
  spdlog::info("attested by CAS at {}: session {} version {}, service {}", where,
               configuration->session, configuration->session_hash, configuration->service);
  for (const std::string& warning : configuration->warnings) {
    spdlog::warn("CAS: {}", warning);
  }
  spdlog::info("configuration received: {} arguments, {} environment variables, {} files{}",
               configuration->command.has_value() ? configuration->command->size() : 0,
               configuration->environment.size(), configuration->injection_files.size(),
               configuration->pwd.has_value() ? ", pwd" : "");
  return configuration;
}

}  // namespace scone::runtime
