#include "store/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "common/file_util.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "store/files.h"
#include "store/records.h"
#include "store/sqlite.h"
#include "store/store_internal.h"

namespace scone::store {
namespace fs = std::filesystem;
namespace internal {

// kDataLoss about the database file: `what` was found, and what to do about it.
Status Damaged(const fs::path& db, const std::string& what) {
  return DataLoss("database " + db.string() + ": " + what +
                  ". The file was changed or damaged: stop, and restore the database together "
                  "with its key-store from the last backup");
}

Status SimulatedCrash(std::string_view step) {
  return Internal("simulated crash at " + std::string(step));
}

bool CrashAt(const StoreOptions& options, std::string_view step) {
  return options.only_for_testing_crash_at && options.only_for_testing_crash_at(step);
}

Status WriteMeta(SqliteDb& db, const char* name, ByteView value) {
  // In place when the record exists (the digest, every commit): its index page stays clean.
  SCONE_ASSIGN_OR_RETURN(auto stmt, db.PrepareCached("INSERT INTO meta(name, value) VALUES(?, ?) "
                                                     "ON CONFLICT(name) DO UPDATE SET value = "
                                                     "excluded.value"));
  SCONE_RETURN_IF_ERROR(stmt.BindText(1, name));
  SCONE_RETURN_IF_ERROR(stmt.BindBlob(2, value));
  return stmt.Run();
}

Status WriteDigest(SqliteDb& db, const SecretBytes& key, const ContentSum& sum) {
  SCONE_ASSIGN_OR_RETURN(
      Bytes sealed,
      crypto::AesGcmSeal(key, sum.Encode(), RecordAad(RecordKind::kMeta, "", kContentDigestName)));
  return WriteMeta(db, kContentDigestName, sealed);
}

}  // namespace internal
using namespace internal;  // NOLINT(google-build-using-namespace): this file's helpers

namespace {

// The schema, exactly as SQLite keeps it in sqlite_schema (CheckFormat compares the text).
// The rows' key is (name, tbl): the rows that one change writes under one name in several
// tables (a session's version, its values, its active pointer) are neighbours in the key's
// index, so a commit writes fewer index pages to the log (docs/store.md "Database").
constexpr char kCreateKv[] =
    "CREATE TABLE kv(tbl TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL, "
    "PRIMARY KEY(name, tbl))";
// Schema versions 1 and 2: the key was (tbl, name).
constexpr char kCreateKvBefore3[] =
    "CREATE TABLE kv(tbl TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL, "
    "PRIMARY KEY(tbl, name))";
constexpr char kCreateMeta[] =
    "CREATE TABLE meta(name TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL)";
// PRAGMA application_id: "SCAS"; PRAGMA user_version: the schema version.
constexpr int64_t kApplicationId = 0x53434153;
// Version 3: kv's key is (name, tbl). Version 2: the content digest is v2 (store/records.h).
// Versions 1 (v1 digest) and 2 are still read, and upgraded when opened.
constexpr int64_t kSchemaVersion = 3;
constexpr int64_t kOldestSchemaVersion = 1;

// Settings of every connection, before its first read.
Status ConfigureConnection(SqliteDb& db) {
  // Refuse writable_schema and similar ways to corrupt the file through SQL, and do not run
  // functions from a (possibly tampered) schema.
  if (sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr) != SQLITE_OK ||
      sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr) != SQLITE_OK) {
    return Internal("database " + db.path() + ": cannot configure SQLite");
  }
  // Exclusive locking mode: the connection keeps its file lock while open and, in WAL mode,
  // uses no shared-memory index, so no other SQLite connection can read or write meanwhile.
  SCONE_RETURN_IF_ERROR(db.Exec("PRAGMA locking_mode=EXCLUSIVE"));
  // Savepoint journals (the page images a group's failed body is rolled back from) stay in
  // memory rather than in temporary files.
  SCONE_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  return db.Exec("PRAGMA cell_size_check=ON");
}

// The database is ours and its schema is exactly the expected one (no extra tables,
// indexes, triggers or views); its schema version.
Result<int64_t> CheckFormat(SqliteDb& db, const fs::path& path) {
  SCONE_ASSIGN_OR_RETURN(int64_t app_id, db.QueryInt("PRAGMA application_id"));
  if (app_id != kApplicationId) {
    return Damaged(path,
                   "not a CAS database (SQLite application id " + std::to_string(app_id) + ")");
  }
  SCONE_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  if (version > kSchemaVersion) {
    // Not damage as far as this CAS can tell: the way back after an upgrade is refused.
    return FailedPrecondition(
        "database " + path.string() + " has schema version " + std::to_string(version) +
        ", and this CAS reads versions " + std::to_string(kOldestSchemaVersion) + " to " +
        std::to_string(kSchemaVersion) +
        ": a newer CAS wrote it. Run that version of the CAS or a newer one (if no newer CAS "
        "ever opened this database, it was changed: restore it together with its key-store "
        "from the last backup)");
  }
  if (version < kOldestSchemaVersion) {
    return Damaged(path, "schema version " + std::to_string(version) + " (this CAS reads " +
                             std::to_string(kOldestSchemaVersion) + " to " +
                             std::to_string(kSchemaVersion) + ")");
  }
  struct Expected {
    const char* type;
    const char* name;
    const char* table;
    const char* sql;  // null: no SQL text (automatic index)
  };
  const Expected kSchema[] = {
      {"table", "kv", "kv", version >= 3 ? kCreateKv : kCreateKvBefore3},
      {"table", "meta", "meta", kCreateMeta},
      {"index", "sqlite_autoindex_kv_1", "kv", nullptr},
      {"index", "sqlite_autoindex_meta_1", "meta", nullptr},
  };
  SCONE_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db.Prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name"));
  size_t i = 0;
  for (;; ++i) {
    SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (i >= std::size(kSchema)) return Damaged(path, "unexpected schema objects");
    const Expected& e = kSchema[i];
    bool sql_ok = e.sql == nullptr
                      ? stmt.ColumnType(3) == SQLITE_NULL
                      : stmt.ColumnType(3) == SQLITE_TEXT && stmt.ColumnText(3) == e.sql;
    if (stmt.ColumnText(0) != e.type || stmt.ColumnText(1) != e.name ||
        stmt.ColumnText(2) != e.table || !sql_ok) {
      return Damaged(path, "unexpected schema (object " + std::to_string(i + 1) + ")");
    }
  }
  if (i != std::size(kSchema)) return Damaged(path, "part of the schema is missing");
  return version;
}

// SQLite's own structural check (b-tree pages, free list, every row in its index).
Status CheckIntegrity(SqliteDb& db, const fs::path& path) {
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare("PRAGMA integrity_check(1)"));
  SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Damaged(path, "no integrity check result");
  std::string result(stmt.ColumnText(0));
  if (result != "ok") return Damaged(path, "SQLite's integrity check fails (" + result + ")");
  return Status::Ok();
}

Result<Bytes> ReadMeta(SqliteDb& db, const fs::path& path, const char* name) {
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare("SELECT value FROM meta WHERE name = ?"));
  SCONE_RETURN_IF_ERROR(stmt.BindText(1, name));
  SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Damaged(path, "no " + std::string(name) + " record");
  if (stmt.ColumnType(0) != SQLITE_BLOB) {
    return Damaged(path, "malformed " + std::string(name) + " record");
  }
  ByteView v = stmt.ColumnBlob(0);
  return Bytes(v.begin(), v.end());
}

// The trusted row index and its content digest.
struct VerifiedContent {
  RowDigests rows;
  ContentSum sum;
};

// Decrypts every row and checks the content digest: v2, or v1 in a schema version 1 database.
Result<VerifiedContent> VerifyContent(SqliteDb& db, const fs::path& path, const SecretBytes& key,
                                      int64_t schema_version) {
  {
    SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare("SELECT name FROM meta"));
    for (;;) {
      SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      std::string_view name = stmt.ColumnText(0);
      if (name != kKeyCheckName && name != kContentDigestName) {
        return Damaged(path, "unknown meta record");
      }
    }
  }
  RowDigests rows;
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare("SELECT tbl, name, value FROM kv"));
  for (;;) {
    SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (stmt.ColumnType(0) != SQLITE_TEXT || stmt.ColumnType(1) != SQLITE_TEXT ||
        stmt.ColumnType(2) != SQLITE_BLOB) {
      return Damaged(path, "a row with malformed columns");
    }
    std::string_view table = stmt.ColumnText(0);
    std::string_view name = stmt.ColumnText(1);
    ByteView sealed = stmt.ColumnBlob(2);
    if (!ValidateNames(table, name).ok()) return Damaged(path, "a row with a malformed name");
    if (!crypto::AesGcmOpen(key, sealed, RecordAad(RecordKind::kRow, table, name)).ok()) {
      return Damaged(path, RowLabel(table, name) +
                               " does not authenticate (its value was changed, or moved there "
                               "from another row)");
    }
    if (!rows.emplace(RowKey(table, name), crypto::Sha256(sealed)).second) {
      return Damaged(path, RowLabel(table, name) + " is there twice");
    }
  }
  SCONE_ASSIGN_OR_RETURN(Bytes sealed_digest, ReadMeta(db, path, kContentDigestName));
  auto digest =
      crypto::AesGcmOpen(key, sealed_digest, RecordAad(RecordKind::kMeta, "", kContentDigestName));
  if (!digest.ok()) return Damaged(path, "the content digest record does not authenticate");
  SCONE_ASSIGN_OR_RETURN(ContentSum sum, ContentSum::Of(key, rows));
  ByteView sealed_value = digest->Reveal();
  bool matches = false;
  if (schema_version >= 2 && sealed_value.size() == ContentSum::kEncodedSize &&
      sealed_value[0] == ContentSum::kVersion) {
    matches = ConstantTimeEquals(sealed_value, sum.Encode());
  } else if (schema_version == 1 && sealed_value.size() == crypto::Sha256Digest().size()) {
    matches = ConstantTimeEquals(sealed_value, ContentDigest(rows));  // v1
  } else {
    return Damaged(path, "the content digest record has an unknown format");
  }
  if (!matches) {
    return Damaged(path,
                   "the rows do not match the sealed content digest (rows were removed, added, "
                   "or replaced by older versions of themselves)");
  }
  return VerifiedContent{std::move(rows), std::move(sum)};
}

// Upgrades a verified database of schema version `from` to kSchemaVersion in one
// transaction (a crash leaves the verified older database as it was): version 1 gets the v2
// digest of its rows (`sum`); versions 1 and 2 get kv rebuilt with its key (name, tbl).
Status Upgrade(SqliteDb& conn, const StoreOptions& options, const SecretBytes& key,
               const ContentSum& sum, int64_t from) {
  SCONE_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
  Status st = Status::Ok();
  if (from < 2) st = WriteDigest(conn, key, sum);
  if (st.ok() && from < 3) {
    // The old table's name (and its index's) moves aside; secure_delete zeroes its pages
    // when it is dropped.
    st = conn.Exec("ALTER TABLE kv RENAME TO kv_before_3");
    if (st.ok()) st = conn.Exec(kCreateKv);
    if (st.ok()) {
      st = conn.Exec("INSERT INTO kv(tbl, name, value) SELECT tbl, name, value FROM kv_before_3");
    }
    if (st.ok()) st = conn.Exec("DROP TABLE kv_before_3");
  }
  if (st.ok()) st = conn.Exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  if (st.ok() && CrashAt(options, "upgrade:commit")) st = SimulatedCrash("upgrade:commit");
  if (st.ok()) st = conn.Exec("COMMIT");
  if (!st.ok()) (void)conn.Exec("ROLLBACK");
  return st;
}

Status WrongKey(const fs::path& db, const fs::path& key_store) {
  return DataLoss("the database key in " + key_store.string() + " does not belong to database " +
                  db.string() +
                  " (its key-check record names another key): the two files come from "
                  "different databases or backups. Restore both from the same backup");
}

// Creates DB.creating (mode 0600) holding an empty database under `key`.
Status CreateDatabaseFile(const fs::path& path, const SecretBytes& key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return IoError("cannot create " + path.string() + ": " + ErrnoText(errno));
  ::close(fd);
  SCONE_ASSIGN_OR_RETURN(SqliteDb db,
                         SqliteDb::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX));
  SCONE_RETURN_IF_ERROR(ConfigureConnection(db));
  // A rollback journal while the file has its temporary name: a WAL file would be tied to
  // that name. The database switches to WAL when it is first opened under its own name.
  SCONE_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=DELETE"));
  SCONE_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  SCONE_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  SCONE_RETURN_IF_ERROR(db.Exec(("PRAGMA application_id=" + std::to_string(kApplicationId) +
                                 "; PRAGMA user_version=" + std::to_string(kSchemaVersion))
                                    .c_str()));
  SCONE_RETURN_IF_ERROR(db.Exec(kCreateKv));
  SCONE_RETURN_IF_ERROR(db.Exec(kCreateMeta));
  SCONE_ASSIGN_OR_RETURN(Bytes key_check, MakeKeyCheck(key));
  SCONE_RETURN_IF_ERROR(WriteMeta(db, kKeyCheckName, key_check));
  SCONE_ASSIGN_OR_RETURN(ContentSum empty, ContentSum::ForKey(key));
  SCONE_RETURN_IF_ERROR(WriteDigest(db, key, empty));
  return db.Exec("COMMIT");
}

Status MissingDatabase(const fs::path& db, const fs::path& key_store) {
  return DataLoss("database " + db.string() + " does not exist, but its key-store " +
                  key_store.string() +
                  " does: the database was moved or deleted. Restore it from the last backup "
                  "(together with that backup's key-store). Only to start an empty CAS, "
                  "losing everything, remove " +
                  key_store.string());
}

}  // namespace

fs::path Store::KeyStorePath(const fs::path& db_path) {
  return fs::path(db_path.string() + ".key-store");
}
fs::path Store::NextKeyStorePath(const fs::path& db_path) {
  return fs::path(db_path.string() + ".key-store.next");
}
fs::path Store::LockPath(const fs::path& db_path) { return fs::path(db_path.string() + ".lock"); }
fs::path Store::CreatingPath(const fs::path& db_path) {
  return fs::path(db_path.string() + ".creating");
}

Store::Store(fs::path db_path, std::unique_ptr<State> state, bool created)
    : db_path_(std::move(db_path)), state_(std::move(state)), created_(created) {}

Store::~Store() = default;

uint16_t Store::key_isvsvn() const { return state_->key_isvsvn.load(); }

namespace {

// Creation (docs/store.md): DB.creating first, then the key-store, then the rename.
Status CreateFiles(const StoreOptions& options) {
  const fs::path& db = options.db_path;
  fs::path creating = Store::CreatingPath(db);
  // Leftovers of a creation that crashed before its key-store was written.
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    SCONE_RETURN_IF_ERROR(RemoveDurably(creating.string() + suffix));
  }
  SCONE_ASSIGN_OR_RETURN(SecretBytes key, crypto::RandomSecret(kDatabaseKeySize));
  // Seal first: if the platform refuses, nothing has been written.
  SCONE_ASSIGN_OR_RETURN(Bytes key_store, SealKeyStore(options.seal_key, options.own_isvsvn, key));
  SCONE_RETURN_IF_ERROR(CreateDatabaseFile(creating, key));
  if (CrashAt(options, "create:db-written")) return SimulatedCrash("create:db-written");
  SCONE_RETURN_IF_ERROR(WriteFileAtomic(Store::KeyStorePath(db), key_store, 0600));
  if (CrashAt(options, "create:key-store-written")) {
    return SimulatedCrash("create:key-store-written");
  }
  return RenameDurably(creating, db);
}

// A key-store without database, and DB.creating beside it: a creation crashed after writing
// the key-store. Completes it if DB.creating belongs to the key-store.
Status FinishCreation(const StoreOptions& options) {
  const fs::path& db = options.db_path;
  fs::path key_store = Store::KeyStorePath(db);
  fs::path creating = Store::CreatingPath(db);
  SCONE_ASSIGN_OR_RETURN(KeyStore ks, KeyStore::Read(key_store));
  SCONE_ASSIGN_OR_RETURN(SecretBytes key, ks.UnsealWith(options.seal_key, options.own_isvsvn));
  {
    SCONE_ASSIGN_OR_RETURN(SqliteDb temp,
                           SqliteDb::Open(creating, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX));
    SCONE_RETURN_IF_ERROR(ConfigureConnection(temp));
    auto format = CheckFormat(temp, creating);
    if (!format.ok()) return MissingDatabase(db, key_store);
    SCONE_ASSIGN_OR_RETURN(Bytes record, ReadMeta(temp, creating, kKeyCheckName));
    if (CheckKeyCheck(key, record) != KeyCheck::kMatches) return MissingDatabase(db, key_store);
  }
  return RenameDurably(creating, db);
}

// The key of a database whose key-store did not unseal here (`why`), from the entry of
// DB.backups that was wrapped for this CAS. The refusal names the key-store, the backup file
// and, for each entry, why it is not this CAS's.
Result<SecretBytes> AdoptFromBackups(const StoreOptions& options, const Status& why,
                                     ByteView key_check) {
  const fs::path& db = options.db_path;
  const fs::path backups = BackupsPath(db);
  if (key_check.size() < kKeyIdSize) return Damaged(db, "malformed key-check record");
  SCONE_ASSIGN_OR_RETURN(std::vector<BackupEntry> entries, ReadBackupEntries(backups));
  std::string reasons;
  for (const BackupEntry& e : entries) {
    auto key =
        UnwrapForThisCas(e, options.seal_key, *options.identity, key_check.first(kKeyIdSize));
    if (key.ok()) return key;
    if (key.status().code() == Code::kDataLoss) {
      return DataLoss("database " + db.string() + ": entry " + e.id + " of " + backups.string() +
                      " is for this CAS, but " + key.status().message() +
                      ". Register this CAS again on the primary (scone cas register-backup) "
                      "and copy the files again");
    }
    reasons += "; entry " + e.id + " (" + e.address + "): " + key.status().message();
  }
  return FailedPrecondition(
      "database " + db.string() +
      " cannot be opened by this CAS: its key-store does not open "
      "here (" +
      why.message() + "), and " +
      (entries.empty() ? backups.string() + " has no backup entry"
                       : "no entry of " + backups.string() + " is for this CAS" + reasons) +
      ". Either start the CAS on the machine the database comes from, or register this CAS "
      "as a backup there (scone cas register-backup) and copy the files again");
}

}  // namespace

Result<std::unique_ptr<Store>> Store::OpenOrCreate(const StoreOptions& options) {
  if (options.db_path.empty()) return InvalidArgument("store: no database path given");
  if (!options.seal_key) return InvalidArgument("store: no seal key function given");
  const fs::path& db = options.db_path;
  const fs::path key_store = KeyStorePath(db);
  const fs::path next = NextKeyStorePath(db);
  const fs::path creating = CreatingPath(db);

  SCONE_ASSIGN_OR_RETURN(auto lock, FileLock::TryAcquire(LockPath(db)));
  if (!lock) {
    return FailedPrecondition("database " + db.string() +
                              " is in use by another CAS process (lock " + LockPath(db).string() +
                              " is held)");
  }

  SCONE_ASSIGN_OR_RETURN(bool db_exists, EntryExists(db));
  SCONE_ASSIGN_OR_RETURN(bool ks_exists, EntryExists(key_store));
  SCONE_ASSIGN_OR_RETURN(bool next_exists, EntryExists(next));
  SCONE_ASSIGN_OR_RETURN(bool creating_exists, EntryExists(creating));
  bool created = false;
  if (!db_exists && !ks_exists) {
    if (next_exists) {
      return DataLoss("found " + next.string() + " but neither database " + db.string() +
                      " nor its key-store: restore both from the last backup, or remove " +
                      next.string() + " to start an empty CAS");
    }
    SCONE_RETURN_IF_ERROR(CreateFiles(options));
    created = true;
  } else if (!db_exists) {
    if (!creating_exists || next_exists) return MissingDatabase(db, key_store);
    SCONE_RETURN_IF_ERROR(FinishCreation(options));
    created = true;
  } else if (!ks_exists) {
    return DataLoss("key-store " + key_store.string() + " of database " + db.string() +
                    " is missing: without it the database cannot be decrypted. Restore it "
                    "from the last backup (together with that backup's database); never "
                    "create a new one");
  }

  // Open the existing pair. A key-store that does not unseal here may come from another
  // machine: a backup entry for this CAS opens it then (AdoptFromBackups, below).
  SCONE_ASSIGN_OR_RETURN(KeyStore ks, KeyStore::Read(key_store));
  auto unsealed = ks.UnsealWith(options.seal_key, options.own_isvsvn);
  const bool adopt = !unsealed.ok() && options.identity.has_value() &&
                     (unsealed.status().code() == Code::kDataLoss ||
                      unsealed.status().code() == Code::kFailedPrecondition);
  if (!unsealed.ok() && !adopt) return unsealed.status();
  uint16_t key_isvsvn = ks.key_isvsvn();

  SCONE_ASSIGN_OR_RETURN(SqliteDb conn,
                         SqliteDb::Open(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX));
  SCONE_RETURN_IF_ERROR(ConfigureConnection(conn));
  SCONE_ASSIGN_OR_RETURN(int64_t schema_version, CheckFormat(conn, db));
  SCONE_RETURN_IF_ERROR(CheckIntegrity(conn, db));
  SCONE_ASSIGN_OR_RETURN(Bytes key_check, ReadMeta(conn, db, kKeyCheckName));
  SecretBytes key;
  if (adopt) {
    if (next_exists) {
      return DataLoss("database " + db.string() +
                      " comes from another machine with an "
                      "interrupted key replacement (" +
                      next.string() + "): start it there once to finish it, then copy it again");
    }
    SCONE_ASSIGN_OR_RETURN(key, AdoptFromBackups(options, unsealed.status(), key_check));
    key_isvsvn = options.own_isvsvn;
  } else {
    key = std::move(*unsealed);
  }

  // With DB.key-store.next present, a ReplaceKeyAndContents was interrupted: the key-check
  // says whether its transaction committed (new key) or not (old key).
  bool use_next = false;
  switch (CheckKeyCheck(key, key_check)) {
    case KeyCheck::kMatches:
      break;
    case KeyCheck::kDamaged:
      return Damaged(db, "the key-check record does not authenticate");
    case KeyCheck::kOtherKey: {
      if (!next_exists) return WrongKey(db, key_store);
      SCONE_ASSIGN_OR_RETURN(KeyStore next_ks, KeyStore::Read(next));
      SCONE_ASSIGN_OR_RETURN(SecretBytes next_key,
                             next_ks.UnsealWith(options.seal_key, options.own_isvsvn));
      KeyCheck c = CheckKeyCheck(next_key, key_check);
      if (c == KeyCheck::kDamaged) {
        return Damaged(db, "the key-check record does not authenticate");
      }
      if (c == KeyCheck::kOtherKey) return WrongKey(db, key_store);
      key = std::move(next_key);
      key_isvsvn = next_ks.key_isvsvn();
      use_next = true;
      break;
    }
  }
  SCONE_ASSIGN_OR_RETURN(VerifiedContent verified, VerifyContent(conn, db, key, schema_version));

  SCONE_ASSIGN_OR_RETURN(std::string mode, conn.QueryText("PRAGMA journal_mode=WAL"));
  if (mode != "wal") {
    return IoError("database " + db.string() + ": cannot switch to WAL mode (got " + mode + ")");
  }
  SCONE_RETURN_IF_ERROR(conn.Exec("PRAGMA synchronous=FULL"));
  // Overwrite deleted content (old ciphertexts) rather than leave it in free pages.
  SCONE_RETURN_IF_ERROR(conn.Exec("PRAGMA secure_delete=ON"));
  if (schema_version < kSchemaVersion) {
    SCONE_RETURN_IF_ERROR(Upgrade(conn, options, key, verified.sum, schema_version)
                              .WithContext("database " + db.string() +
                                           ": upgrade to schema version " +
                                           std::to_string(kSchemaVersion)));
    // What the upgrade wrote is checked like any database that is opened.
    SCONE_ASSIGN_OR_RETURN(int64_t upgraded, CheckFormat(conn, db));
    if (upgraded != kSchemaVersion) return Damaged(db, "the schema upgrade did not take");
    SCONE_ASSIGN_OR_RETURN(verified, VerifyContent(conn, db, key, upgraded));
  }

  if (next_exists) {
    // Finish (the new key is in use) or undo (the old one is) the interrupted replacement.
    SCONE_RETURN_IF_ERROR(use_next ? RenameDurably(next, key_store) : RemoveDurably(next));
  }
  if (creating_exists && db_exists) SCONE_RETURN_IF_ERROR(RemoveDurably(creating));
  if (adopt) {
    // The database key, now known to be this database's, is sealed to this platform: from
    // here on the database opens here like any other (docs/backup.md "Moving").
    SCONE_ASSIGN_OR_RETURN(Bytes content, SealKeyStore(options.seal_key, options.own_isvsvn, key));
    SCONE_RETURN_IF_ERROR(WriteFileAtomic(key_store, content, 0600));
  }

  // From here on commits do not sync (synchronous=NORMAL in WAL mode keeps the database
  // consistent, not durable): the store syncs the log itself before it answers
  // (docs/store.md "Durability"). A read makes sure SQLite has the log open.
  SCONE_RETURN_IF_ERROR(conn.Exec("PRAGMA synchronous=NORMAL"));
  SCONE_RETURN_IF_ERROR(conn.QueryText("SELECT count(*) FROM meta").status());
  SCONE_ASSIGN_OR_RETURN(std::unique_ptr<WalSync> wal, WalSync::Open(db.string() + "-wal"));
  auto state = std::make_unique<State>(options, std::move(*lock), std::move(conn), std::move(key),
                                       std::move(verified.rows), std::move(verified.sum),
                                       key_isvsvn, std::move(wal));
  std::unique_ptr<Store> store(new Store(db, std::move(state), created));
  store->adopted_ = adopt;
  return store;
}

Status Store::ReplaceKeyAndContents(const SecretBytes& new_key,
                                    const std::function<Status(Txn&)>& fill) {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  if (new_key.size() != kDatabaseKeySize) {
    return InvalidArgument("store: a database key has 32 bytes, not " +
                           std::to_string(new_key.size()));
  }
  // Asked before taking the mutex: for the CAS this is a request to LAS. (options never change.)
  SCONE_ASSIGN_OR_RETURN(
      Bytes content, SealKeyStore(state_->options.seal_key, state_->options.own_isvsvn, new_key));
  std::lock_guard<std::mutex> guard(state_->mu);
  State& s = *state_;
  if (!s.broken.ok()) return s.broken;
  const fs::path key_store = KeyStorePath(db_path_);
  const fs::path next = NextKeyStorePath(db_path_);

  // 1. The new key-store beside the current one.
  SCONE_RETURN_IF_ERROR(WriteFileAtomic(next, content, 0600));
  if (CrashAt(s.options, "replace:next-written")) {
    s.broken = SimulatedCrash("replace:next-written");
    return s.broken;
  }

  // 2. One transaction: the new key-check, the new rows, the new digest.
  SecretBytes key = new_key;
  bool commit_attempted = false;
  Status st = RunLocked(key, /*replace_contents=*/true, fill, commit_attempted);
  if (!st.ok()) {
    // Before a commit attempt the database still uses the old key, and DB.key-store.next
    // must go. After a failed commit, only the next open can tell which key is in use.
    // (A DB.key-store.next that cannot be removed is harmless: the next open removes it,
    // since the key-check still names the old key.)
    if (!commit_attempted) (void)RemoveDurably(next);
    return st;
  }
  s.key = std::move(key);
  if (CrashAt(s.options, "replace:committed")) {
    s.broken = SimulatedCrash("replace:committed");
    return s.broken;
  }

  // 3. The new key-store replaces the old one.
  Status renamed = RenameDurably(next, key_store);
  if (!renamed.ok()) {
    s.broken = renamed.WithContext(
        "store: the database has its new key but the key-store could not be replaced; restart "
        "the CAS to complete the replacement");
    return s.broken;
  }
  s.key_isvsvn = s.options.own_isvsvn;
  return Status::Ok();
}

}  // namespace scone::store
