#include "cas/server/cas_state.h"

#include <spdlog/spdlog.h>

#include "common/hex.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/x509.h"

namespace scone::cas {
namespace {
using nlohmann::json;

constexpr char kTable[] = "cas";
constexpr char kSoftwareKeyInfo[] = "scone-cas-software-key/1";
// notAfter 9999-12-31T23:59:59Z (RFC 5280 4.1.2.5: no well-defined expiration): CAS is
// identified by its key, and an expiring certificate would only lock clients out.
constexpr int64_t kNoExpiry = 253402300799;

// The stored records, typed.
std::string FlagsRecord(bool provisioned, bool owner_secret_access) {
  return json{{"provisioned", provisioned}, {"owner_secret_access", owner_secret_access}}.dump();
}

std::string OwnerRecord(const CasOwner& owner) {
  return json{{"key_hash", owner.key_hash}, {"certificate", owner.certificate_pem}}.dump();
}

Result<json> JsonRecord(const Bytes& record, const char* what) {
  json j = json::parse(record.begin(), record.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return DataLoss(std::string("the stored CAS ") + what + " is malformed");
  }
  return j;
}

// The new CAS key with its certificate; `software` gives the software half.
struct NewKey {
  std::shared_ptr<CasKeys> keys;
  SecretBytes pkcs8;
  Bytes certificate_der;
};

Status FillCasKey(CasKeys& keys, crypto::EvpPkeyPtr key, const crypto::X509Ptr& cert) {
  keys.cas_key = std::move(key);
  SCONE_ASSIGN_OR_RETURN(keys.cas_certificate_pem, crypto::CertificateToPem(cert.get()));
  SCONE_ASSIGN_OR_RETURN(keys.cas_spki, crypto::PublicKeySpkiDer(keys.cas_key.get()));
  keys.cas_key_hash = crypto::KeyHashFromSpkiDer(keys.cas_spki);
  return Status::Ok();
}

Result<NewKey> MakeCasKey(const CasKeys& software, const std::optional<ApiIdentity>& identity,
                          int64_t now) {
  NewKey n;
  n.keys = std::make_shared<CasKeys>();
  SCONE_ASSIGN_OR_RETURN(auto key, crypto::GenerateEcP256Key());
  SCONE_ASSIGN_OR_RETURN(auto cert, CasCertificate(key.get(), identity, now));
  SCONE_ASSIGN_OR_RETURN(n.pkcs8, crypto::PrivateKeyToPkcs8Pem(key.get()));
  SCONE_ASSIGN_OR_RETURN(n.certificate_der, crypto::CertificateToDer(cert.get()));
  SCONE_RETURN_IF_ERROR(FillCasKey(*n.keys, std::move(key), cert));
  n.keys->software_certificate_pem = software.software_certificate_pem;
  n.keys->software_spki = software.software_spki;
  n.keys->software_key_hash = software.software_key_hash;
  return n;
}

}  // namespace

Result<crypto::X509Ptr> CasCertificate(EVP_PKEY* key, const std::optional<ApiIdentity>& identity,
                                       int64_t now) {
  if (!identity.has_value()) return SelfSignedCasCertificate(key, "SCONE CAS", now);
  crypto::CertificateOptions o;
  o.common_name = identity->common_name;
  o.organization = identity->org_name;
  o.country = identity->country_name;
  o.state_or_province = identity->state_or_province;
  o.locality = identity->locality;
  o.email = identity->email;
  o.subject_alt_names = SubjectAltNames(*identity);
  o.not_before = now - 3600;
  o.not_after = kNoExpiry;
  return crypto::CreateCertificate(key, key, nullptr, o);
}

Result<crypto::X509Ptr> SelfSignedCasCertificate(EVP_PKEY* key, const std::string& cn,
                                                 int64_t now) {
  crypto::CertificateOptions o;
  o.common_name = cn;
  o.organization = "SCONE open CAS";
  o.not_before = now - 3600;
  o.not_after = kNoExpiry;
  return crypto::CreateCertificate(key, key, nullptr, o);
}

CasState::~CasState() = default;

Result<std::unique_ptr<CasState>> CasState::Open(const store::StoreOptions& options,
                                                 const SecretBytes& software_seed, bool debug,
                                                 int64_t now) {
  std::unique_ptr<CasState> s(new CasState());
  auto store = store::Store::OpenOrCreate(options);
  if (!store.ok()) return store.status().WithContext("cannot open the CAS database");
  s->store_ = std::move(*store);
  s->sessions_ = std::make_unique<SessionStore>(s->store_.get());
  if (s->store_->created()) spdlog::info("created a new database {}", options.db_path.string());
  SCONE_RETURN_IF_ERROR(s->Load(software_seed, debug, now));
  return s;
}

Status CasState::Load(const SecretBytes& software_seed, bool debug, int64_t now) {
  auto keys = std::make_shared<CasKeys>();
  SCONE_ASSIGN_OR_RETURN(
      auto sw_key,
      crypto::DeriveEcP256Key(software_seed, AsBytes(std::string_view(kSoftwareKeyInfo))));
  SCONE_ASSIGN_OR_RETURN(auto sw_cert,
                         SelfSignedCasCertificate(sw_key.get(), "SCONE CAS software", now));
  SCONE_ASSIGN_OR_RETURN(keys->software_certificate_pem, crypto::CertificateToPem(sw_cert.get()));
  SCONE_ASSIGN_OR_RETURN(keys->software_spki, crypto::PublicKeySpkiDer(sw_key.get()));
  keys->software_key_hash = crypto::KeyHashFromSpkiDer(keys->software_spki);

  SCONE_ASSIGN_OR_RETURN(std::optional<SecretBytes> found, store_->Get(kTable, "key"));
  SecretBytes stored_key;
  if (found.has_value()) {
    stored_key = std::move(*found);
  } else {
    // First start (or a crash before the first state was written): a new instance.
    SCONE_ASSIGN_OR_RETURN(NewKey n, MakeCasKey(*keys, std::nullopt, now));
    SCONE_ASSIGN_OR_RETURN(SecretBytes token, crypto::RandomSecret(api::kTokenSize));
    std::string flags = FlagsRecord(false, false);
    Status written = store_->Transaction([&](store::Txn& txn) -> Status {
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "key", n.pkcs8.Reveal()));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "certificate", n.certificate_der));
      SCONE_RETURN_IF_ERROR(txn.Put(kTable, "token", token.Reveal()));
      return txn.Put(kTable, "flags", AsBytes(flags));
    });
    SCONE_RETURN_IF_ERROR(written);
    spdlog::info("created a new CAS key");
    stored_key = std::move(n.pkcs8);
  }

  SCONE_ASSIGN_OR_RETURN(auto cert_der, store::PlainRow(store_->Get(kTable, "certificate")));
  SCONE_ASSIGN_OR_RETURN(auto flags_raw, store::PlainRow(store_->Get(kTable, "flags")));
  if (!cert_der.has_value() || !flags_raw.has_value()) {
    return DataLoss("the CAS database " + store_->db_path().string() +
                    " has a CAS key but lacks its certificate or state; restore the database "
                    "from a backup");
  }
  std::string pem(AsChars(stored_key.Reveal()));
  auto key = crypto::ParsePrivateKeyPem(pem);
  WipeMemory(pem.data(), pem.size());
  if (!key.ok()) return DataLoss("the stored CAS key does not parse");
  SCONE_ASSIGN_OR_RETURN(auto cert, crypto::ParseCertificateDer(*cert_der));
  if (!crypto::PrivateKeyMatchesCertificate(key->get(), cert.get())) {
    return DataLoss("the stored CAS key does not match its certificate");
  }
  SCONE_RETURN_IF_ERROR(FillCasKey(*keys, std::move(*key), cert));

  SCONE_ASSIGN_OR_RETURN(json flags, JsonRecord(*flags_raw, "state flags"));
  if (!flags.value("provisioned", json()).is_boolean() ||
      !flags.value("owner_secret_access", json()).is_boolean()) {
    return DataLoss("the stored CAS state flags are malformed");
  }
  flags_.provisioned = flags["provisioned"].get<bool>();
  flags_.owner_secret_access = flags["owner_secret_access"].get<bool>();
  flags_.debug = debug;
  flags_.simulated = true;
  if (flags_.provisioned) {
    SCONE_ASSIGN_OR_RETURN(auto owner, store::PlainRow(store_->Get(kTable, "owner")));
    if (!owner.has_value()) return DataLoss("a provisioned CAS without an owner");
    SCONE_ASSIGN_OR_RETURN(json o, JsonRecord(*owner, "owner"));
    if (!o.value("key_hash", json()).is_string()) {
      return DataLoss("the stored CAS owner is malformed");
    }
    owner_key_hash_ = o["key_hash"].get<std::string>();
  } else {
    SCONE_ASSIGN_OR_RETURN(auto token, store_->Get(kTable, "token"));
    if (!token.has_value() || token->size() != api::kTokenSize) {
      return DataLoss("an unprovisioned CAS without a provisioning token");
    }
    token_ = std::move(*token);
  }

  SCONE_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::PrivateKeyToPkcs8Pem(keys->cas_key.get()));
  SCONE_ASSIGN_OR_RETURN(tls_, net::TlsServerContext::New(keys->cas_certificate_pem, key_pem));
  keys_ = std::move(keys);
  return Status::Ok();
}

CasSnapshot CasState::Snapshot() const {
  std::shared_lock lock(mu_);
  return {keys_, flags_, owner_key_hash_};
}

std::optional<std::string> CasState::token_hex() const {
  std::shared_lock lock(mu_);
  if (!token_.has_value()) return std::nullopt;
  return HexEncode(token_->Reveal());
}

bool CasState::TokenMatches(ByteView token) const {
  std::shared_lock lock(mu_);
  return token_.has_value() && token.size() == token_->size() &&
         ConstantTimeEquals(token, token_->Reveal());
}

Status CasState::Broken(const Status& cause) {
  broken_.store(true);
  spdlog::critical(
      "a state change failed half-way ({}); CAS stops serving until it is restarted, which "
      "reloads the state from the database",
      cause.message());
  return Status(Code::kInternal, cause.message());
}

Result<std::shared_ptr<CasKeys>> CasState::KeysForConfig(const json& config, int64_t now) const {
  SCONE_ASSIGN_OR_RETURN(std::optional<ApiIdentity> identity, ApiIdentityOf(config));
  std::shared_ptr<const CasKeys> current = Snapshot().keys;
  SCONE_ASSIGN_OR_RETURN(auto cert, CasCertificate(current->cas_key.get(), identity, now));
  SCONE_ASSIGN_OR_RETURN(auto current_certs,
                         crypto::ParseCertificatesPem(current->cas_certificate_pem));
  if (crypto::SameSubjectAndAltNames(current_certs.front().get(), cert.get())) {
    return std::shared_ptr<CasKeys>();
  }
  auto keys = std::make_shared<CasKeys>();
  if (EVP_PKEY_up_ref(current->cas_key.get()) != 1) return Internal("EVP_PKEY_up_ref failed");
  keys->cas_key = crypto::EvpPkeyPtr(current->cas_key.get());  // the same key, shared
  SCONE_ASSIGN_OR_RETURN(keys->cas_certificate_pem, crypto::CertificateToPem(cert.get()));
  keys->cas_spki = current->cas_spki;
  keys->cas_key_hash = current->cas_key_hash;
  keys->software_certificate_pem = current->software_certificate_pem;
  keys->software_spki = current->software_spki;
  keys->software_key_hash = current->software_key_hash;
  // The new TLS credentials must be usable before the database changes.
  SCONE_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::PrivateKeyToPkcs8Pem(keys->cas_key.get()));
  SCONE_RETURN_IF_ERROR(net::TlsServerContext::New(keys->cas_certificate_pem, key_pem).status());
  return keys;
}

Status CasState::InstallKeys(std::shared_ptr<CasKeys> keys) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::PrivateKeyToPkcs8Pem(keys->cas_key.get()));
  SCONE_RETURN_IF_ERROR(tls_->Replace(keys->cas_certificate_pem, key_pem));
  keys_ = std::move(keys);
  return Status::Ok();
}

Status CasState::CommitProvisioning(const CasOwner& owner, const json& config, int64_t now) {
  SCONE_ASSIGN_OR_RETURN(std::shared_ptr<CasKeys> keys, KeysForConfig(config, now));
  Bytes certificate_der;
  if (keys) {
    SCONE_ASSIGN_OR_RETURN(auto certs, crypto::ParseCertificatesPem(keys->cas_certificate_pem));
    SCONE_ASSIGN_OR_RETURN(certificate_der, crypto::CertificateToDer(certs.front().get()));
  }
  std::string owner_text = OwnerRecord(owner);
  std::string config_text = config.dump();
  std::string flags = FlagsRecord(true, false);
  Status written = store_->Transaction([&](store::Txn& txn) -> Status {
    if (keys) SCONE_RETURN_IF_ERROR(txn.Put(kTable, "certificate", certificate_der));
    SCONE_RETURN_IF_ERROR(txn.Delete(kTable, "token"));
    SCONE_RETURN_IF_ERROR(txn.Put(kTable, "owner", AsBytes(owner_text)));
    SCONE_RETURN_IF_ERROR(txn.Put(kTable, "config", AsBytes(config_text)));
    return txn.Put(kTable, "flags", AsBytes(flags));
  });
  if (!written.ok()) return Broken(written);
  // The database holds the new state: memory and TLS follow, together (as CommitRekey).
  std::unique_lock lock(mu_);
  if (keys) {
    if (Status installed = InstallKeys(std::move(keys)); !installed.ok()) return Broken(installed);
  }
  flags_.provisioned = true;
  flags_.owner_secret_access = false;
  owner_key_hash_ = owner.key_hash;
  token_.reset();
  return Status::Ok();
}

Status CasState::CommitRekey(const SecretBytes& database_key, const CasOwner& owner,
                             const json& config, int64_t now) {
  std::shared_ptr<const CasKeys> old_keys = Snapshot().keys;
  SCONE_ASSIGN_OR_RETURN(std::optional<ApiIdentity> identity, ApiIdentityOf(config));
  SCONE_ASSIGN_OR_RETURN(NewKey n, MakeCasKey(*old_keys, identity, now));
  // The new TLS credentials must be usable before the database changes for good.
  SCONE_RETURN_IF_ERROR(net::TlsServerContext::New(n.keys->cas_certificate_pem, n.pkcs8).status());
  std::string owner_text = OwnerRecord(owner);
  std::string config_text = config.dump();
  std::string flags = FlagsRecord(true, true);
  Status written = store_->ReplaceKeyAndContents(database_key, [&](store::Txn& txn) -> Status {
    SCONE_RETURN_IF_ERROR(txn.Put(kTable, "key", n.pkcs8.Reveal()));
    SCONE_RETURN_IF_ERROR(txn.Put(kTable, "certificate", n.certificate_der));
    SCONE_RETURN_IF_ERROR(txn.Put(kTable, "owner", AsBytes(owner_text)));
    SCONE_RETURN_IF_ERROR(txn.Put(kTable, "config", AsBytes(config_text)));
    return txn.Put(kTable, "flags", AsBytes(flags));
  });
  // las not answering for the seal key happens before anything is written.
  if (written.code() == Code::kUnavailable) return written;
  if (!written.ok()) return Broken(written);
  // From here the database holds the new key: memory and TLS must follow, together, so
  // that no connection sees the new TLS key with the old state or the other way round.
  std::unique_lock lock(mu_);
  if (Status replaced = tls_->Replace(n.keys->cas_certificate_pem, n.pkcs8); !replaced.ok()) {
    return Broken(replaced);
  }
  keys_ = n.keys;
  flags_.provisioned = true;
  flags_.owner_secret_access = true;
  owner_key_hash_ = owner.key_hash;
  token_.reset();
  std::optional<store::WriterRecord> writer = writer_;
  lock.unlock();
  // A new key is a new database (its key id differs): its writer record starts at
  // generation 1 for this instance (docs/backup.md "One writer"). The CAS serves on, but if
  // this fails, its next start refuses until the operator decides.
  if (writer.has_value()) {
    if (Status claimed = ClaimWriter(1, writer->instance, now); !claimed.ok()) {
      spdlog::error("the re-keyed database has no writer record or mark yet ({})",
                    claimed.message());
    }
  }
  return Status::Ok();
}

Result<std::optional<store::WriterRecord>> CasState::LoadWriter() const {
  return store::ReadWriterRecord(*store_);
}

Status CasState::ClaimWriter(uint64_t generation, const std::string& instance, int64_t now) {
  store::WriterRecord record;
  SCONE_ASSIGN_OR_RETURN(record.key_id, store_->key_id());
  record.generation = generation;
  record.instance = instance;
  record.opened_at = now;
  // The record first: a crash before the mark leaves the database ahead of the mark, which
  // the next start accepts; the other order would refuse this machine's own newest copy.
  SCONE_RETURN_IF_ERROR(store::WriteWriterRecord(*store_, record));
  Status marked = store_->WriteWriterMark(generation);
  if (!marked.ok()) {
    return marked.WithContext("the database " + store_->db_path().string() +
                              " records generation " + std::to_string(generation) +
                              ", but its writer mark could not be written");
  }
  std::unique_lock lock(mu_);
  writer_ = std::move(record);
  return Status::Ok();
}

std::optional<store::WriterRecord> CasState::writer() const {
  std::shared_lock lock(mu_);
  return writer_;
}

Result<json> CasState::LoadConfig() const {
  SCONE_ASSIGN_OR_RETURN(auto config, store::PlainRow(store_->Get(kTable, "config")));
  if (!config.has_value()) return DataLoss("the owner configuration is missing");
  auto j = JsonRecord(*config, "owner configuration");
  if (!j.ok()) return DataLoss("the stored owner configuration is malformed");
  return j;
}

Status CasState::CommitConfig(const json& config, int64_t now) {
  SCONE_ASSIGN_OR_RETURN(std::shared_ptr<CasKeys> keys, KeysForConfig(config, now));
  std::string text = config.dump();
  if (!keys) return store_->Put(kTable, "config", AsBytes(text));
  SCONE_ASSIGN_OR_RETURN(auto certs, crypto::ParseCertificatesPem(keys->cas_certificate_pem));
  SCONE_ASSIGN_OR_RETURN(Bytes certificate_der, crypto::CertificateToDer(certs.front().get()));
  Status written = store_->Transaction([&](store::Txn& txn) -> Status {
    SCONE_RETURN_IF_ERROR(txn.Put(kTable, "certificate", certificate_der));
    return txn.Put(kTable, "config", AsBytes(text));
  });
  if (!written.ok()) return Broken(written);
  std::unique_lock lock(mu_);
  if (Status installed = InstallKeys(std::move(keys)); !installed.ok()) return Broken(installed);
  return Status::Ok();
}

}  // namespace scone::cas
