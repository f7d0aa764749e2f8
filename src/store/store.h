// The CAS database: an SQLite file whose every value is encrypted and authenticated with
// AES-256-GCM under a database key, and the key sealed to the platform beside it
// (DESIGN.md §6, docs/store.md).
//
// Files, for a database at DB:
//   DB                   SQLite 3, WAL journal (DB-wal while open; synced by the store)
//   DB.key-store         the database key sealed with the platform seal key (key_store.h)
//   DB.key-store.next    only during ReplaceKeyAndContents or after a crash in it
//   DB.creating          only during creation or after a crash in it
//   DB.lock              flock'ed while a Store is open; never removed
//   DB.backups           the database key wrapped for registered backup CASes (backup_keys.h)
//   DB.writer-mark       the highest generation this machine's CAS wrote (writer_mark.h)
//
// WHAT IS IN CLEAR: table and row names are stored unencrypted (they are the SQLite primary
// key). They must never contain secrets: name rows by public identifiers (session names,
// hashes), never by secret values. Values are always encrypted.
//
// Integrity: OpenOrCreate refuses to start (kDataLoss, naming the file and saying what to
// do) when anything stored was changed: it runs SQLite's integrity_check, checks the schema,
// checks the key, decrypts every row and checks a sealed digest over all rows, so opening
// costs time linear in the size of the database (CAS databases are small: a few MB take
// milliseconds). While open, the store keeps the SHA-256 of every row's ciphertext in
// memory and a read returns a value only if its ciphertext is the one the store wrote.
// Not detected: replacing the database AND its key-store by an older copy of both (a whole
// rollback); that needs a monotonic counter outside the files.
//
// Exclusive use: at most one Store per database at a time, across processes, enforced with
// an flock on DB.lock (a second OpenOrCreate fails with kFailedPrecondition).
//
// Thread safety: all methods may be called from several threads; one mutex serialises them
// (one SQLite connection). A Transaction body runs under that mutex: it must use its Txn,
// and calling the Store from inside it fails with kFailedPrecondition.
//
// Secrets: values are returned in SecretBytes; nothing secret is logged or put in a Status.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "store/backup_keys.h"
#include "store/key_store.h"
#include "store/records.h"
#include "store/writer_mark.h"

namespace scone::store {

// Limits on names and values; longer ones are kInvalidArgument. Table names are 1 to 255
// bytes, row names 0 to 4096 bytes; neither may contain a NUL byte.
inline constexpr size_t kMaxTableNameSize = 255;
inline constexpr size_t kMaxRowNameSize = 4096;
inline constexpr size_t kMaxValueSize = 16 << 20;

struct StoreOptions {
  // The SQLite database file; its folder must exist. The sibling files (above) are derived.
  std::filesystem::path db_path;
  // The platform seal key for an ISVSVN (the CAS asks LAS, MRSIGNER policy). Called with the
  // ISVSVN recorded in the key-store when opening, and with own_isvsvn when writing one.
  SealKeyFunction seal_key;
  // The running CAS's ISVSVN: new key-stores are sealed at it, and key-stores sealed at a
  // higher one are refused (kFailedPrecondition).
  uint16_t own_isvsvn = 0;
  // The running CAS's enclave identity (its isvsvn is own_isvsvn). When set, a database whose
  // key-store does not unseal here (moved from another machine) is opened through an entry
  // of DB.backups that was wrapped for this CAS (backup_keys.h), and its key is then sealed
  // to this platform in a new DB.key-store. Unset: no backup entry is ever used.
  std::optional<BackupIdentity> identity;
  // Tests only: called at each step of the crash-safety protocols (docs/store.md names
  // them, e.g. "create:key-store-written", "replace:committed", "group:commit",
  // "upgrade:commit"); returning
  // true stops the operation right there, as a crash would, and the Store refuses further
  // use. Also called (return value ignored, under an internal lock: it must not call the
  // Store) with "group:wait" when a Transaction starts waiting for the group being written.
  // "group:sync" comes before a group's log is synced, with no lock held (it may block).
  std::function<bool(std::string_view step)> only_for_testing_crash_at;
};

// Reads and writes inside one transaction (Store::Transaction). Valid only during the body
// it is passed to; not thread-safe (the body runs under the store's mutex).
class Txn {
 public:
  virtual ~Txn() = default;
  // The value, or nullopt if the row does not exist. kDataLoss if the stored row was changed.
  virtual Result<std::optional<SecretBytes>> Get(std::string_view table, std::string_view name) = 0;
  // Inserts or replaces a row.
  virtual Status Put(std::string_view table, std::string_view name, ByteView value) = 0;
  // Removes a row; removing a missing row is not an error.
  virtual Status Delete(std::string_view table, std::string_view name) = 0;
  // The row names of `table`, in byte order; empty if there are none.
  virtual Result<std::vector<std::string>> List(std::string_view table) = 0;
};

class Store {
 public:
  // Opens the database at options.db_path, or creates it with a fresh random key when
  // neither the database nor its key-store exists (created() is then true). Refuses:
  //   kFailedPrecondition  the database is in use by another Store (DB.lock is held), or its
  //                        key-store was sealed at an ISVSVN above options.own_isvsvn;
  //   kDataLoss            exactly one of database and key-store exists (nothing is
  //                        created or overwritten), the key-store does not unseal, the key
  //                        does not belong to the database, or any stored byte was changed;
  //   any error of seal_key, with context; kIoError for the operating system's refusals.
  // Also completes or undoes an interrupted creation or ReplaceKeyAndContents.
  static Result<std::unique_ptr<Store>> OpenOrCreate(const StoreOptions& options);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // True if this OpenOrCreate created the files (or completed a creation that crashed).
  // A CAS should still decide what to initialise by the content (the store is empty
  // after creation, but a crash right after creation leaves it empty with created() false).
  bool created() const { return created_; }
  // The ISVSVN the current key-store is sealed at.
  uint16_t key_isvsvn() const;
  const std::filesystem::path& db_path() const { return db_path_; }

  // Single-row operations, each its own transaction; see Txn for their contracts.
  Result<std::optional<SecretBytes>> Get(std::string_view table, std::string_view name);
  Status Put(std::string_view table, std::string_view name, ByteView value);
  Status Delete(std::string_view table, std::string_view name);
  Result<std::vector<std::string>> List(std::string_view table);
  // The number of rows, from the trusted index (no disk read; the store's own records in
  // `meta` are not rows). Committed rows only: a group being written is waited for.
  size_t RowCount();

  // Runs `body` in one SQLite transaction (BEGIN IMMEDIATE ... COMMIT): all of its writes
  // become durable together, or none does, and Transaction returns once they are on disk.
  // If `body` returns an error (or throws, which is rethrown here), its writes are rolled
  // back and the error returned. A failed commit leaves the Store unusable (every later
  // call fails): reopen it.
  //
  // Group commit: transactions that arrive while another group is being written wait, and
  // are then written together by one of their callers: one BEGIN ... COMMIT (one sync of
  // the log, done outside the store's mutex while the next group is written) for all, each
  // body in an SQLite savepoint of its own (a body alone needs none), run one after the
  // other in arrival order, so each sees the writes of those before it exactly as if it ran
  // alone after them. A failing body rolls back to its savepoint and does not affect the
  // others; a failing COMMIT fails them all. Bodies may run on another caller's thread.
  Status Transaction(const std::function<Status(Txn&)>& body);

  // Replaces the database key by `new_key` (32 bytes) and the whole content by what `fill`
  // writes into an initially empty Txn (it does not see the old rows: read what you need
  // to keep before). The key-store is resealed at own_isvsvn. If `fill` fails, nothing
  // changes. Crash-safe: after a crash at any point, the next OpenOrCreate sees either the
  // old key and content or the new key and content (docs/store.md has the protocol).
  Status ReplaceKeyAndContents(const SecretBytes& new_key, const std::function<Status(Txn&)>& fill);

  // Backup entries (DB.backups, backup_keys.h; docs/backup.md). AddBackup wraps the database
  // key for `entry` (identity, offer, address, tcb_status, registered set) and stores it,
  // replacing an entry of the same backup key; at most kMaxBackupEntries (kFailedPrecondition).
  // RemoveBackup: kNotFound for an unknown id. All under the store's mutex.
  Result<BackupEntry> AddBackup(BackupEntry entry);
  Result<std::vector<BackupEntry>> Backups();
  Status RemoveBackup(std::string_view id);
  // Whether `entry` was wrapped for this CAS (options.identity, on this platform): a copy
  // moved here lists its own backup entry. False without an identity.
  Result<bool> IsOwnBackupEntry(const BackupEntry& entry) const;
  // True if this open turned a backup entry into this platform's key-store.
  bool adopted_from_backup() const { return adopted_; }

  // The public id of the current database key (records.h KeyId): the database's identity in
  // the writer record and mark (writer_record.h, writer_mark.h). It changes only with
  // ReplaceKeyAndContents.
  Result<ByteArray<kKeyIdSize>> key_id() const;
  // This machine's writer mark beside the database (writer_mark.h), read and written with
  // the store's seal key function at own_isvsvn. WriteWriterMark records `generation` for
  // the current key id.
  Result<WriterMarkRead> ReadWriterMark() const;
  Status WriteWriterMark(uint64_t generation);

  // Paths of the sibling files of a database.
  static std::filesystem::path KeyStorePath(const std::filesystem::path& db_path);
  static std::filesystem::path NextKeyStorePath(const std::filesystem::path& db_path);
  static std::filesystem::path LockPath(const std::filesystem::path& db_path);
  static std::filesystem::path CreatingPath(const std::filesystem::path& db_path);

 private:
  struct State;
  struct Pending;
  class TxnImpl;
  Store(std::filesystem::path db_path, std::unique_ptr<State> state, bool created);

  // Refuses calls from inside a Transaction body (which would deadlock).
  Status CheckUsable() const;
  // Writes one group of Transaction calls (the caller holds the mutex); sets each result.
  // Returns the newest commit its answers may rest on (its own, or one it read that is not
  // yet synced), which must be durable before they are given; 0 if none.
  uint64_t RunGroupLocked(const std::vector<Pending*>& batch);
  // Runs `body` in a transaction under `key`; the caller holds the mutex. With
  // `replace_contents`, the transaction first empties the database and writes the key-check
  // of `key`. `commit_attempted` tells whether the failure (if any) came from COMMIT.
  Status RunLocked(const SecretBytes& key, bool replace_contents,
                   const std::function<Status(Txn&)>& body, bool& commit_attempted);

  std::filesystem::path db_path_;
  std::unique_ptr<State> state_;
  bool created_;
  bool adopted_ = false;
};

// A row that holds no secret (a certificate, state flags, an owner, a configuration) as plain
// bytes: Get's answer (from a Store or a Txn) unwrapped, so that the code reading such rows
// needs no Reveal() and `grep -rn Reveal src` lists only the places that touch key material.
// The caller decides what is secret; a key or token must stay in the SecretBytes of Get.
Result<std::optional<Bytes>> PlainRow(Result<std::optional<SecretBytes>> row);

}  // namespace scone::store
