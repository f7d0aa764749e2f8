// CAS's state (docs/cas.md "State"): typed load and commit of the CAS key and certificate,
// the provisioning token, the owner, the owner configuration and the flags, kept in the
// encrypted store (table "cas"), one transaction per state change (the sessions, in the
// same store, are SessionStore's: sessions()):
//   key          the CAS key, PKCS#8 PEM (the instance identity and the TLS key)
//   certificate  its self-signed certificate, DER; its names follow [api_identity]
//   token        the provisioning token (16 bytes), only while unprovisioned
//   owner        {"key_hash": ..., "certificate": PEM} of the owner, once provisioned
//   config       the owner configuration as JSON text
//   flags        {"provisioned": bool, "owner_secret_access": bool}
// The CAS software key is not stored: the caller derives it at every start from the
// MRENCLAVE seal key, so it is the same for the same CAS binary on the same platform.
//
// Thread safety: every method may be called from many threads at once. Snapshot() is what
// a request reads; the Commit* methods serialise among themselves (write_mutex()) and swap
// the in-memory state only after the database holds it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>

#include "cas/api.h"
#include "cas/owner_config.h"
#include "cas/server/session_store.h"
#include "common/secret.h"
#include "common/status.h"
#include "crypto/openssl_util.h"
#include "net/tls.h"
#include "store/store.h"
#include "store/writer_record.h"

namespace scone::cas {

// The CAS key and the CAS software key with what is derived from them; immutable once made.
struct CasKeys {
  crypto::EvpPkeyPtr cas_key;
  std::string cas_certificate_pem;
  Bytes cas_spki;
  std::string cas_key_hash;
  std::string software_certificate_pem;
  Bytes software_spki;
  std::string software_key_hash;
};

// What one request sees: consistent with itself even while the state changes.
struct CasSnapshot {
  std::shared_ptr<const CasKeys> keys;
  api::AttestationFlags flags;
  std::string owner_key_hash;  // empty while unprovisioned
};

struct CasOwner {
  std::string key_hash;
  std::string certificate_pem;
};

class CasState {
 public:
  // Opens or creates the database (`options`), and on first start creates the CAS key,
  // its certificate and the provisioning token, in one transaction. `software_seed` (the
  // MRENCLAVE seal key) gives the software key; `debug` the debug flag; `now` dates new
  // certificates. kDataLoss for a database that lacks part of its state.
  static Result<std::unique_ptr<CasState>> Open(const store::StoreOptions& options,
                                                const SecretBytes& software_seed, bool debug,
                                                int64_t now);
  ~CasState();
  CasState(const CasState&) = delete;
  CasState& operator=(const CasState&) = delete;

  CasSnapshot Snapshot() const;
  // The TLS credentials (the CAS key and certificate); replaced on re-keying.
  std::shared_ptr<net::TlsServerContext> tls() const { return tls_; }
  // The provisioning token (hex), only while unprovisioned: for the startup log line.
  std::optional<std::string> token_hex() const;
  // Whether `token` is the provisioning token (constant time); false once provisioned.
  bool TokenMatches(ByteView token) const;

  // Serialises state changes: a check and the commit it leads to run under it.
  std::mutex& write_mutex() { return write_mu_; }

  // Provisioning without a database key: owner and configuration stored, token deleted.
  // The CAS certificate follows the configuration's [api_identity] (as CommitConfig).
  Status CommitProvisioning(const CasOwner& owner, const nlohmann::json& config, int64_t now);
  // Provisioning with the owner's database key: a new CAS key and a new database under
  // `database_key` holding the owner and the configuration; owner_secret_access is set for
  // good. kUnavailable (nothing changed) if the seal key could not be had.
  Status CommitRekey(const SecretBytes& database_key, const CasOwner& owner,
                     const nlohmann::json& config, int64_t now);
  Result<nlohmann::json> LoadConfig() const;
  // Stores the configuration. When its [api_identity] asks for other names than the CAS
  // certificate has, a new certificate over the same CAS key (dated `now`) is stored with it
  // and becomes the TLS certificate once the database holds it.
  Status CommitConfig(const nlohmann::json& config, int64_t now);

  // The backup entries beside the database (store/backup_keys.h, docs/backup.md).
  Result<store::BackupEntry> AddBackup(store::BackupEntry entry) {
    return store_->AddBackup(std::move(entry));
  }
  Result<std::vector<store::BackupEntry>> Backups() { return store_->Backups(); }
  Status RemoveBackup(std::string_view id) { return store_->RemoveBackup(id); }
  Result<bool> IsOwnBackupEntry(const store::BackupEntry& entry) const {
    return store_->IsOwnBackupEntry(entry);
  }
  // True if this start opened a database moved here through a backup entry.
  bool adopted_from_backup() const { return store_->adopted_from_backup(); }

  // One writer (docs/backup.md): the database's writer record as stored (nullopt before the
  // first claim), this machine's writer mark, and the claim itself: the record of
  // `generation` for `instance` (durably, in its own transaction), then the mark. writer()
  // is the record this CAS serves with, once claimed.
  Result<std::optional<store::WriterRecord>> LoadWriter() const;
  Result<store::WriterMarkRead> ReadWriterMark() const { return store_->ReadWriterMark(); }
  Result<ByteArray<store::kKeyIdSize>> DatabaseKeyId() const { return store_->key_id(); }
  Status ClaimWriter(uint64_t generation, const std::string& instance, int64_t now);
  std::optional<store::WriterRecord> writer() const;
  const std::filesystem::path& db_path() const { return store_->db_path(); }
  // The number of rows in the store (every table; metrics).
  size_t StoreRows() const { return store_->RowCount(); }

  // The sessions, in the same store (session_store.h).
  SessionStore& sessions() { return *sessions_; }

  // True once a state change failed half-way: from then on CAS serves nothing until its
  // operator restarts it, which reloads the state from the database.
  bool broken() const { return broken_.load(); }

 private:
  CasState() = default;
  Status Load(const SecretBytes& software_seed, bool debug, int64_t now);
  Status Broken(const Status& cause);
  // The CAS keys with the certificate `config` asks for; nullptr when the current one fits.
  Result<std::shared_ptr<CasKeys>> KeysForConfig(const nlohmann::json& config, int64_t now) const;
  // Under mu_ (exclusive): the TLS credentials and keys_ become `keys`.
  Status InstallKeys(std::shared_ptr<CasKeys> keys);

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<SessionStore> sessions_;
  std::shared_ptr<net::TlsServerContext> tls_;
  mutable std::shared_mutex mu_;  // guards the snapshot members and token_
  std::shared_ptr<const CasKeys> keys_;
  api::AttestationFlags flags_;
  std::string owner_key_hash_;
  std::optional<SecretBytes> token_;
  std::optional<store::WriterRecord> writer_;  // guarded by mu_
  std::mutex write_mu_;
  std::atomic<bool> broken_{false};
};

// A self-signed certificate over `key` with common name `cn` that never expires.
Result<crypto::X509Ptr> SelfSignedCasCertificate(EVP_PKEY* key, const std::string& cn, int64_t now);

// The CAS certificate over `key`: subject and subject alternative names from `identity`,
// or without one the default subject (CN "SCONE CAS", O "SCONE open CAS", no SAN).
Result<crypto::X509Ptr> CasCertificate(EVP_PKEY* key, const std::optional<ApiIdentity>& identity,
                                       int64_t now);

}  // namespace scone::cas
