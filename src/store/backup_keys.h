// The database key wrapped for backup CASes (docs/backup.md): the file DB.backups beside the
// database, one entry per registered backup, and both halves of the wrapping.
//
// A backup CAS offers a fresh key bound to its own platform: a random 32-byte salt, and the
// P-256 key derived from its MRSIGNER seal key at its ISVSVN with
//   DeriveEcP256Key(seal key, "scone-cas-backup-key v1" || salt)
// so that only an enclave of the same signer and product, at that ISVSVN or higher, on that
// platform can derive it again, and nothing needs to be stored on the backup's side.
//
// The primary wraps its database key for such an offer with a one-time P-256 key of its own:
//   shared  = ECDH(one-time private key, backup public key)
//   kek     = HKDF-SHA256(shared, salt "scone-cas-backup-wrap v1", info = AAD, 32 bytes)
//   wrapped = AES-256-GCM(kek, database key, AAD)
// where AAD (EntryAad) binds every other field of the entry: the database's key id, the
// backup's identity as attested (MRSIGNER, ISVPRODID, ISVSVN, DEBUG, TCB status), the
// backup's key ISVSVN, salt and public key, the one-time public key, the address and the
// registration time. A changed field makes the entry fail to open (kDataLoss).
//
// DB.backups (JSON, mode 0600, replaced atomically):
//   {"version": 1, "entries": [{"id", "address", "mrsigner", "isvprodid", "isvsvn",
//     "debug", "tcb_status", "key_isvsvn", "salt", "backup_key", "one_time_key",
//     "wrapped_key", "registered"}, ...]}
// The file holds nothing secret in clear; it is read before the database key is known.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "store/key_store.h"

namespace scone::store {

inline constexpr size_t kBackupSaltSize = 32;
inline constexpr size_t kMaxBackupEntries = 64;

// What a backup CAS offers the primary (bound into its quote's report data).
struct BackupKeyOffer {
  Bytes salt;  // kBackupSaltSize random bytes
  uint16_t key_isvsvn = 0;
  Bytes public_key;  // DER SubjectPublicKeyInfo of the derived P-256 key
};

// A fresh offer at `own_isvsvn`, its key derived from seal_key(own_isvsvn).
Result<BackupKeyOffer> MakeBackupKeyOffer(const SealKeyFunction& seal_key, uint16_t own_isvsvn);

// The identity of a CAS enclave, as far as backups care.
struct BackupIdentity {
  ByteArray<32> mrsigner{};
  uint16_t isvprodid = 0;
  uint16_t isvsvn = 0;
  bool debug = false;
};

// One registered backup.
struct BackupEntry {
  std::string id;       // 32 hex digits: the first 16 bytes of SHA-256(backup_key)
  std::string address;  // where the primary reached it (for people; bound, not used)
  BackupIdentity identity;
  std::string tcb_status;  // as the primary verified it
  BackupKeyOffer offer;
  Bytes one_time_key;  // DER SPKI of the primary's one-time key
  Bytes wrapped_key;   // nonce || ciphertext || tag
  int64_t registered = 0;
};

// The file of a database's backup entries.
std::filesystem::path BackupsPath(const std::filesystem::path& db_path);

// The associated data of an entry (every field but wrapped_key), under `key_id`.
Bytes EntryAad(const BackupEntry& entry, ByteView key_id);

// The primary's half: fills id, one_time_key and wrapped_key of `entry` (whose identity,
// offer, address, tcb_status and registered are set) for `database_key`.
Status WrapForBackup(const SecretBytes& database_key, BackupEntry& entry);

// The backup's half: the database key, if `entry` is for this enclave (`own`, deriving its
// key through `seal_key`). kFailedPrecondition naming the reason if the entry is for another
// signer, product, a higher ISVSVN or another platform; kDataLoss if it is for this enclave
// but does not open (changed).
Result<SecretBytes> UnwrapForThisCas(const BackupEntry& entry, const SealKeyFunction& seal_key,
                                     const BackupIdentity& own, ByteView key_id);

// Whether `entry` is for this enclave (`own`, deriving its key through `seal_key`) on this
// platform: the entry a copy moved here was opened through. False for an entry of another
// signer, product, higher ISVSVN, mode or platform; an error only if the seal key fails.
Result<bool> IsForThisCas(const BackupEntry& entry, const SealKeyFunction& seal_key,
                          const BackupIdentity& own);

// Reads DB.backups: an empty list if it does not exist; kDataLoss naming the file and the
// member if it does not parse.
Result<std::vector<BackupEntry>> ReadBackupEntries(const std::filesystem::path& path);
// The parser and the writer of the file's text (ReadBackupEntries, WriteBackupEntries);
// `path` is used only in messages. Text written by BackupEntriesText parses to the same
// entries.
Result<std::vector<BackupEntry>> ParseBackupEntries(std::string_view text,
                                                    const std::filesystem::path& path);
std::string BackupEntriesText(const std::vector<BackupEntry>& entries);
// Replaces DB.backups atomically (an empty list removes nothing: the file stays, empty).
Status WriteBackupEntries(const std::filesystem::path& path,
                          const std::vector<BackupEntry>& entries);

}  // namespace scone::store
