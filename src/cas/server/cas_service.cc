#include "cas/server/cas_service.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "attestation/quote.h"
#include "cas/owner_config.h"
#include "common/hex.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/x509.h"

#ifndef SCONE_VERSION
#define SCONE_VERSION "0.0.0"
#endif

namespace scone::cas {
namespace {
using nlohmann::json;

constexpr char kTable[] = "cas";
constexpr size_t kTokenSize = 16;
constexpr size_t kDatabaseKeySize = 32;
constexpr char kSoftwareKeyInfo[] = "scone-cas-software-key/1";
// notAfter 9999-12-31T23:59:59Z (RFC 5280 4.1.2.5: no well-defined expiration): CAS is
// identified by its key, and an expiring certificate would only lock clients out.
constexpr int64_t kNoExpiry = 253402300799;
// Collateral is fetched from las again after this many seconds.
constexpr int64_t kCollateralRefresh = 3600;

net::HttpResponse JsonResponse(const json& j) {
  net::HttpResponse r;
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Result<crypto::X509Ptr> SelfSignedCertificate(EVP_PKEY* key, const std::string& cn, int64_t now) {
  crypto::CertificateOptions o;
  o.common_name = cn;
  o.organization = "SCONE open CAS";
  o.not_before = now - 3600;
  o.not_after = kNoExpiry;
  return crypto::CreateCertificate(key, key, nullptr, o);
}

Result<json> ParseBody(const net::HttpRequest& request) {
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidArgument("the request body must be a JSON object");
  }
  return body;
}

Result<std::string> StringField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) {
    return InvalidArgument(std::string("the request needs a string \"") + name + "\"");
  }
  return it->get<std::string>();
}

// The owner configuration of a request: {"format": ..., "text": ...}; errors name the line.
Result<json> OwnerConfigField(const json& body) {
  auto it = body.find("config");
  if (it == body.end() || !it->is_object()) {
    return InvalidArgument(
        "the request needs \"config\": {\"format\": \"toml|json|yaml\", \"text\": ...}");
  }
  SCONE_ASSIGN_OR_RETURN(std::string format_name, StringField(*it, "format"));
  SCONE_ASSIGN_OR_RETURN(std::string text, StringField(*it, "text"));
  SCONE_ASSIGN_OR_RETURN(ConfigFormat format, ParseConfigFormat(format_name));
  auto config = ParseOwnerConfig(text, format, "configuration");
  if (!config.ok()) return config.status().WithContext("the owner configuration is invalid");
  return config;
}

Result<std::string> ClientKeyHash(const net::PeerInfo& peer) {
  SCONE_ASSIGN_OR_RETURN(auto cert, crypto::ParseCertificateDer(peer.client_certificate_der));
  return crypto::KeyHashOfCertificate(cert.get());
}

}  // namespace

struct CasService::Keys {
  crypto::EvpPkeyPtr cas_key;
  std::string cas_certificate_pem;
  Bytes cas_spki;
  std::string cas_key_hash;
  std::string software_certificate_pem;
  Bytes software_spki;
  std::string software_key_hash;
};

CasService::~CasService() = default;

Result<std::unique_ptr<CasService>> CasService::Open(const CasServiceOptions& options) {
  std::unique_ptr<CasService> s(new CasService());
  s->options_ = options;
  s->las_ = std::make_unique<LasClient>(options.las);

  // 1. Who am I? The platform says so in a quote: its report body is what las measured.
  auto quote_bytes = s->las_->Quote(ByteArray<64>{});
  if (!quote_bytes.ok()) {
    return quote_bytes.status().WithContext(
        "CAS needs las to learn its identity (is las running? check [las] address)");
  }
  SCONE_ASSIGN_OR_RETURN(auto quote, attestation::ParseQuote(*quote_bytes));
  const attestation::ReportBody& report = quote.report;
  s->identity_.mrenclave = report.mr_enclave;
  s->identity_.mrsigner = report.mr_signer;
  s->identity_.isvprodid = report.isv_prod_id;
  s->identity_.isvsvn = report.isv_svn;
  s->identity_.attributes_flags = report.attribute_flags();
  s->identity_.attributes_xfrm = report.xfrm();
  s->identity_.miscselect = report.misc_select;
  s->flags_.debug = s->identity_.debug();
  s->flags_.simulated = true;
  spdlog::info("enclave identity: MRENCLAVE {} MRSIGNER {} ISVPRODID {} ISVSVN {}{}",
               HexEncode(s->identity_.mrenclave), HexEncode(s->identity_.mrsigner),
               s->identity_.isvprodid, s->identity_.isvsvn,
               s->identity_.debug() ? " DEBUG (secrets are visible to the platform owner)" : "");

  // 2. The database, its key sealed to this signer and product on this platform.
  store::StoreOptions so;
  so.db_path = options.db_path;
  so.own_isvsvn = s->identity_.isvsvn;
  LasClient* las = s->las_.get();
  so.seal_key = [las](uint16_t key_isvsvn) {
    return las->SealKey(platform::SealPolicy::kMrSigner, key_isvsvn);
  };
  auto store = store::Store::OpenOrCreate(so);
  if (!store.ok()) return store.status().WithContext("cannot open the CAS database");
  s->store_ = std::move(*store);
  if (s->store_->created()) spdlog::info("created a new database {}", options.db_path.string());

  SCONE_RETURN_IF_ERROR(s->LoadOrCreateState());
  return s;
}

Status CasService::LoadOrCreateState() {
  int64_t now = options_.clock();
  auto keys = std::make_shared<Keys>();

  // The software key: the same for this binary on this platform, at every start.
  SCONE_ASSIGN_OR_RETURN(SecretBytes sw_seed,
                         las_->SealKey(platform::SealPolicy::kMrEnclave, identity_.isvsvn));
  SCONE_ASSIGN_OR_RETURN(
      auto sw_key, crypto::DeriveEcP256Key(sw_seed, AsBytes(std::string_view(kSoftwareKeyInfo))));
  SCONE_ASSIGN_OR_RETURN(auto sw_cert,
                         SelfSignedCertificate(sw_key.get(), "SCONE CAS software", now));
  SCONE_ASSIGN_OR_RETURN(keys->software_certificate_pem, crypto::CertificateToPem(sw_cert.get()));
  SCONE_ASSIGN_OR_RETURN(keys->software_spki, crypto::PublicKeySpkiDer(sw_key.get()));
  keys->software_key_hash = crypto::KeyHashFromSpkiDer(keys->software_spki);

  SCONE_ASSIGN_OR_RETURN(auto stored_key, store_->Get(kTable, "key"));
  if (!stored_key.has_value()) {
    // First start (or a crash before the first state was written): a new instance.
    SCONE_ASSIGN_OR_RETURN(auto key, crypto::GenerateEcP256Key());
    SCONE_ASSIGN_OR_RETURN(auto cert, SelfSignedCertificate(key.get(), "SCONE CAS", now));
    SCONE_ASSIGN_OR_RETURN(SecretBytes pkcs8, crypto::PrivateKeyToPkcs8Pem(key.get()));
    SCONE_ASSIGN_OR_RETURN(Bytes cert_der, crypto::CertificateToDer(cert.get()));
    SCONE_ASSIGN_OR_RETURN(SecretBytes token, crypto::RandomSecret(kTokenSize));
    json flags = {{"provisioned", false}, {"owner_secret_access", false}};
    std::string flags_text = flags.dump();
    Status written = store_->Transaction([&](store::Txn& txn) -> Status {
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "key", pkcs8.Reveal()));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "certificate", cert_der));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "token", token.Reveal()));
      return txn.Put(kTable, "flags", AsBytes(flags_text));
    });
    SCONE_RETURN_IF_ERROR(written);
    spdlog::info("created a new CAS key");
    stored_key = std::move(pkcs8);
  }

  SCONE_ASSIGN_OR_RETURN(auto cert_der, store_->Get(kTable, "certificate"));
  SCONE_ASSIGN_OR_RETURN(auto flags_raw, store_->Get(kTable, "flags"));
  if (!cert_der.has_value() || !flags_raw.has_value()) {
    return Status(Code::kDataLoss, "the CAS database " + options_.db_path.string() +
                                       " has a CAS key but lacks its certificate or state; "
                                       "restore the database from a backup");
  }
  std::string pem(reinterpret_cast<const char*>(stored_key->Reveal().data()),  // NOLINT
                  stored_key->size());
  auto key = crypto::ParsePrivateKeyPem(pem);
  WipeMemory(pem.data(), pem.size());
  if (!key.ok()) return Status(Code::kDataLoss, "the stored CAS key does not parse");
  SCONE_ASSIGN_OR_RETURN(auto cert, crypto::ParseCertificateDer(cert_der->Reveal()));
  if (!crypto::PrivateKeyMatchesCertificate(key->get(), cert.get())) {
    return Status(Code::kDataLoss, "the stored CAS key does not match its certificate");
  }
  keys->cas_key = std::move(*key);
  SCONE_ASSIGN_OR_RETURN(keys->cas_certificate_pem, crypto::CertificateToPem(cert.get()));
  SCONE_ASSIGN_OR_RETURN(keys->cas_spki, crypto::PublicKeySpkiDer(keys->cas_key.get()));
  keys->cas_key_hash = crypto::KeyHashFromSpkiDer(keys->cas_spki);

  ByteView flags_bytes = flags_raw->Reveal();
  json flags = json::parse(flags_bytes.begin(), flags_bytes.end(), nullptr, false);
  if (!flags.is_object() || !flags.value("provisioned", json()).is_boolean() ||
      !flags.value("owner_secret_access", json()).is_boolean()) {
    return Status(Code::kDataLoss, "the stored CAS state flags are malformed");
  }
  flags_.provisioned = flags["provisioned"].get<bool>();
  flags_.owner_secret_access = flags["owner_secret_access"].get<bool>();
  if (flags_.provisioned) {
    SCONE_ASSIGN_OR_RETURN(auto owner, store_->Get(kTable, "owner"));
    if (!owner.has_value()) return Status(Code::kDataLoss, "a provisioned CAS without an owner");
    ByteView ob = owner->Reveal();
    json o = json::parse(ob.begin(), ob.end(), nullptr, false);
    if (!o.is_object() || !o.value("key_hash", json()).is_string()) {
      return Status(Code::kDataLoss, "the stored CAS owner is malformed");
    }
    owner_key_hash_ = o["key_hash"].get<std::string>();
  } else {
    SCONE_ASSIGN_OR_RETURN(auto token, store_->Get(kTable, "token"));
    if (!token.has_value() || token->size() != kTokenSize) {
      return Status(Code::kDataLoss, "an unprovisioned CAS without a provisioning token");
    }
    token_ = std::move(*token);
  }

  SCONE_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::PrivateKeyToPkcs8Pem(keys->cas_key.get()));
  SCONE_ASSIGN_OR_RETURN(tls_, net::TlsServerContext::New(keys->cas_certificate_pem, key_pem));
  keys_ = std::move(keys);
  return Status::Ok();
}

std::string CasService::cas_key_hash() const {
  std::shared_lock lock(mu_);
  return keys_->cas_key_hash;
}

std::string CasService::software_key_hash() const {
  std::shared_lock lock(mu_);
  return keys_->software_key_hash;
}

bool CasService::provisioned() const {
  std::shared_lock lock(mu_);
  return flags_.provisioned;
}

std::optional<std::string> CasService::provisioning_token_hex() const {
  std::shared_lock lock(mu_);
  if (!token_.has_value()) return std::nullopt;
  return HexEncode(token_->Reveal());
}

Status CasService::Broken(const Status& cause) {
  broken_.store(true);
  spdlog::critical(
      "a state change failed half-way ({}); CAS stops serving until it is restarted, which "
      "reloads the state from the database",
      cause.message());
  return Status(Code::kInternal, cause.message());
}

net::HttpResponse CasService::Handle(const net::HttpRequest& request, const net::PeerInfo& peer,
                                     bool enclave_port) {
  if (broken_.load()) {
    return net::ErrorResponse(503, "CAS must be restarted by its operator (see its log)");
  }
  auto r = Dispatch(request, peer, enclave_port);
  if (r.ok()) return std::move(*r);
  const Status& s = r.status();
  if (s.code() == Code::kUnavailable) {
    spdlog::error("{} {}: {}", request.method, request.target, s.message());
    return net::ErrorResponse(503, "CAS cannot reach its attestation service; try again later");
  }
  if (s.code() == Code::kInternal || s.code() == Code::kDataLoss || s.code() == Code::kIoError) {
    spdlog::error("{} {}: {}", request.method, request.target, s.message());
    return net::ErrorResponse(500, "internal error in CAS; the operator finds details in its log");
  }
  return net::ErrorResponse(net::HttpStatusFor(s.code()), s.message());
}

Result<net::HttpResponse> CasService::Dispatch(const net::HttpRequest& request,
                                               const net::PeerInfo& peer, bool enclave_port) {
  const std::string& t = request.target;
  const std::string& m = request.method;
  auto method_is = [&](const char* expected) { return m == expected; };
  if (t == "/v1/version") {
    if (!method_is("GET")) return net::ErrorResponse(405, "use GET for /v1/version");
    return JsonResponse({{"name", "cas"}, {"version", SCONE_VERSION}, {"api", 1}});
  }
  if (t == "/v1/attestation") {
    if (!method_is("POST")) return net::ErrorResponse(405, "use POST for /v1/attestation");
    return Attestation(request);
  }
  if (enclave_port) {
    return net::ErrorResponse(404, "the enclave port serves /v1/version and /v1/attestation only");
  }
  if (t == "/v1/provision") {
    if (!method_is("POST")) return net::ErrorResponse(405, "use POST for /v1/provision");
    return Provision(request, peer);
  }
  if (t == "/v1/config") {
    if (method_is("GET")) return GetConfig(peer);
    if (method_is("PUT")) return PutConfig(request, peer);
    return net::ErrorResponse(405, "use GET or PUT for /v1/config");
  }
  return net::ErrorResponse(404, "no such API path: " + t.substr(0, 200));
}

Result<attestation::Collateral> CasService::CurrentCollateral() {
  std::lock_guard lock(collateral_mu_);
  int64_t now = options_.clock();
  if (!collateral_.has_value() || now - collateral_fetched_at_ > kCollateralRefresh ||
      now < collateral_fetched_at_) {
    SCONE_ASSIGN_OR_RETURN(collateral_, las_->Collateral());
    collateral_fetched_at_ = now;
  }
  return *collateral_;
}

Result<net::HttpResponse> CasService::Attestation(const net::HttpRequest& request) {
  SCONE_ASSIGN_OR_RETURN(json body, ParseBody(request));
  SCONE_ASSIGN_OR_RETURN(std::string nonce_hex, StringField(body, "nonce"));
  auto nonce = HexDecode(nonce_hex);
  if (!nonce.ok() || nonce->size() < kMinNonceSize || nonce->size() > kMaxNonceSize) {
    return InvalidArgument("\"nonce\" must be 16 to 64 random bytes in hex");
  }
  AttestationResponse r;
  std::shared_ptr<const Keys> keys;
  {
    std::shared_lock lock(mu_);
    keys = keys_;
    r.flags = flags_;
  }
  auto rd = AttestationReportData(*nonce, keys->cas_spki, keys->software_spki, r.flags);
  SCONE_ASSIGN_OR_RETURN(r.quote, las_->Quote(rd));
  SCONE_ASSIGN_OR_RETURN(r.collateral, CurrentCollateral());
  r.cas_certificate_pem = keys->cas_certificate_pem;
  r.cas_software_certificate_pem = keys->software_certificate_pem;
  return JsonResponse(r.ToJson());
}

Status CasService::RequireOwner(const net::PeerInfo& peer, const char* action) const {
  if (peer.client_certificate_der.empty()) {
    return Status(Code::kPermissionDenied,
                  std::string("only the CAS owner may ") + action +
                      ", and the request came without a client certificate");
  }
  SCONE_ASSIGN_OR_RETURN(std::string hash, ClientKeyHash(peer));
  std::shared_lock lock(mu_);
  if (!flags_.provisioned) {
    return Status(Code::kFailedPrecondition, "the CAS is not provisioned yet");
  }
  if (hash != owner_key_hash_) {
    return Status(Code::kPermissionDenied, std::string("only the CAS owner may ") + action +
                                               "; the client certificate's key hash " + hash +
                                               " is not the owner's (use the identity that "
                                               "provisioned this CAS, e.g. --identity FILE)");
  }
  return Status::Ok();
}

Result<net::HttpResponse> CasService::Provision(const net::HttpRequest& request,
                                                const net::PeerInfo& peer) {
  if (peer.client_certificate_der.empty()) {
    return net::ErrorResponse(
        401, "provisioning needs a client certificate: its key becomes the CAS owner");
  }
  SCONE_ASSIGN_OR_RETURN(std::string owner_hash, ClientKeyHash(peer));
  SCONE_ASSIGN_OR_RETURN(auto owner_cert, crypto::ParseCertificateDer(peer.client_certificate_der));
  SCONE_ASSIGN_OR_RETURN(std::string owner_cert_pem, crypto::CertificateToPem(owner_cert.get()));
  SCONE_ASSIGN_OR_RETURN(json body, ParseBody(request));
  SCONE_ASSIGN_OR_RETURN(std::string token_hex, StringField(body, "token"));
  auto token = HexDecode(token_hex);
  WipeMemory(token_hex.data(), token_hex.size());
  if (auto it = body.find("token"); it != body.end() && it->is_string()) {
    std::string& text = it->get_ref<std::string&>();
    WipeMemory(text.data(), text.size());
  }
  // The token is checked before the configuration, so that an unauthorised caller learns
  // nothing about what CAS accepts.
  std::lock_guard write_lock(write_mu_);
  {
    std::shared_lock lock(mu_);
    if (flags_.provisioned) {
      return Status(Code::kAlreadyExists, "the CAS is already provisioned");
    }
    if (!token.ok() || token->size() != kTokenSize || !token_.has_value() ||
        !ConstantTimeEquals(*token, token_->Reveal())) {
      spdlog::warn("provisioning refused: wrong token from {}", peer.address);
      return Status(Code::kPermissionDenied,
                    "wrong provisioning token; take it from the CAS log line \"CAS provisioning "
                    "token:\"");
    }
  }
  SCONE_ASSIGN_OR_RETURN(json config, OwnerConfigField(body));
  std::string config_text = config.dump();
  json owner = {{"key_hash", owner_hash}, {"certificate", owner_cert_pem}};
  std::string owner_text = owner.dump();

  std::optional<SecretBytes> database_key;
  if (auto it = body.find("database_key"); it != body.end()) {
    if (!it->is_string()) return InvalidArgument("\"database_key\" must be 64 hex digits");
    std::string& key_hex = it->get_ref<std::string&>();
    auto k = HexDecode(key_hex, kDatabaseKeySize);
    WipeMemory(key_hex.data(), key_hex.size());
    if (!k.ok()) return InvalidArgument("\"database_key\" must be 64 hex digits");
    database_key = SecretBytes::CopyFrom(*k);
    WipeMemory(k->data(), k->size());
    if (identity_.mrsigner == ReleaseSignerMrSigner()) {
      return Status(Code::kPermissionDenied,
                    "database key injection is refused by a CAS signed with the release signer: "
                    "its owner must not be able to read the secrets it keeps");
    }
  }

  int64_t now = options_.clock();
  std::shared_ptr<const Keys> old_keys;
  {
    std::shared_lock lock(mu_);
    old_keys = keys_;
  }
  std::shared_ptr<Keys> new_keys;
  bool rekeyed = database_key.has_value();
  if (!rekeyed) {
    json flags = {{"provisioned", true}, {"owner_secret_access", false}};
    std::string flags_text = flags.dump();
    Status written = store_->Transaction([&](store::Txn& txn) -> Status {
      SCONE_RETURN_IF_ERROR(txn.Delete(kTable, "token"));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "owner", AsBytes(owner_text)));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "config", AsBytes(config_text)));
      return txn.Put(kTable, "flags", AsBytes(flags_text));
    });
    if (!written.ok()) return Broken(written);
  } else {
    // New CAS key, new database under the owner's key; the flag stays set for good.
    new_keys = std::make_shared<Keys>();
    SCONE_ASSIGN_OR_RETURN(new_keys->cas_key, crypto::GenerateEcP256Key());
    SCONE_ASSIGN_OR_RETURN(auto cert,
                           SelfSignedCertificate(new_keys->cas_key.get(), "SCONE CAS", now));
    SCONE_ASSIGN_OR_RETURN(new_keys->cas_certificate_pem, crypto::CertificateToPem(cert.get()));
    SCONE_ASSIGN_OR_RETURN(new_keys->cas_spki, crypto::PublicKeySpkiDer(new_keys->cas_key.get()));
    new_keys->cas_key_hash = crypto::KeyHashFromSpkiDer(new_keys->cas_spki);
    new_keys->software_certificate_pem = old_keys->software_certificate_pem;
    new_keys->software_spki = old_keys->software_spki;
    new_keys->software_key_hash = old_keys->software_key_hash;
    SCONE_ASSIGN_OR_RETURN(SecretBytes pkcs8,
                           crypto::PrivateKeyToPkcs8Pem(new_keys->cas_key.get()));
    SCONE_ASSIGN_OR_RETURN(Bytes cert_der, crypto::CertificateToDer(cert.get()));
    // The new TLS credentials must be usable before the database changes for good.
    SCONE_RETURN_IF_ERROR(
        net::TlsServerContext::New(new_keys->cas_certificate_pem, pkcs8).status());
    json flags = {{"provisioned", true}, {"owner_secret_access", true}};
    std::string flags_text = flags.dump();
    Status written = store_->ReplaceKeyAndContents(*database_key, [&](store::Txn& txn) -> Status {
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "key", pkcs8.Reveal()));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "certificate", cert_der));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "owner", AsBytes(owner_text)));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "config", AsBytes(config_text)));
      return txn.Put(kTable, "flags", AsBytes(flags_text));
    });
    // las not answering for the seal key happens before anything is written.
    if (written.code() == Code::kUnavailable) return written;
    if (!written.ok()) return Broken(written);
    // From here the database holds the new key: memory and TLS must follow, together, so
    // that no connection sees the new TLS key with the old state or the other way round.
    std::unique_lock lock(mu_);
    if (Status replaced = tls_->Replace(new_keys->cas_certificate_pem, pkcs8); !replaced.ok()) {
      return Broken(replaced);
    }
    keys_ = new_keys;
    flags_.provisioned = true;
    flags_.owner_secret_access = true;
    owner_key_hash_ = owner_hash;
    token_.reset();
  }
  std::shared_ptr<const Keys> current;
  {
    std::unique_lock lock(mu_);
    if (!rekeyed) {
      flags_.provisioned = true;
      flags_.owner_secret_access = false;
      owner_key_hash_ = owner_hash;
      token_.reset();
    }
    current = keys_;
  }
  spdlog::info("provisioned: owner {}, configuration of {} bytes", owner_hash, config_text.size());
  if (rekeyed) {
    spdlog::warn("the owner injected the database key and can read every secret of this CAS");
    spdlog::info("CAS key hash: {}", current->cas_key_hash);
  }
  return JsonResponse({{"cas_key_hash", current->cas_key_hash},
                       {"cas_certificate", current->cas_certificate_pem},
                       {"owner", owner_hash},
                       {"rekeyed", rekeyed}});
}

Result<net::HttpResponse> CasService::GetConfig(const net::PeerInfo& peer) {
  if (peer.client_certificate_der.empty()) {
    return net::ErrorResponse(401,
                              "reading the configuration needs the owner's client certificate");
  }
  SCONE_RETURN_IF_ERROR(RequireOwner(peer, "read the CAS configuration"));
  SCONE_ASSIGN_OR_RETURN(auto config, store_->Get(kTable, "config"));
  if (!config.has_value()) return Status(Code::kDataLoss, "the owner configuration is missing");
  ByteView b = config->Reveal();
  json j = json::parse(b.begin(), b.end(), nullptr, false);
  if (j.is_discarded()) {
    return Status(Code::kDataLoss, "the stored owner configuration is malformed");
  }
  std::shared_lock lock(mu_);
  return JsonResponse({{"config", j}, {"owner", owner_key_hash_}});
}

Result<net::HttpResponse> CasService::PutConfig(const net::HttpRequest& request,
                                                const net::PeerInfo& peer) {
  if (peer.client_certificate_der.empty()) {
    return net::ErrorResponse(401,
                              "updating the configuration needs the owner's client certificate");
  }
  std::lock_guard write_lock(write_mu_);
  SCONE_RETURN_IF_ERROR(RequireOwner(peer, "update the CAS configuration"));
  SCONE_ASSIGN_OR_RETURN(json body, ParseBody(request));
  SCONE_ASSIGN_OR_RETURN(json config, OwnerConfigField(body));
  std::string text = config.dump();
  SCONE_RETURN_IF_ERROR(store_->Put(kTable, "config", AsBytes(text)));
  spdlog::info("configuration updated by the owner ({} bytes)", text.size());
  return JsonResponse(json::object());
}

}  // namespace scone::cas
