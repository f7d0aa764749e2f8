// Small RAII wrappers over SQLite's C API, for the store layer only (CAS sees store.h).
//
// Every SQLite failure becomes a Status that names the database file and what was being
// done. Corruption (SQLITE_CORRUPT, SQLITE_NOTADB) is kDataLoss with the advice to restore
// from a backup; a busy or locked database is kFailedPrecondition; other operating-system
// failures are kIoError. SQLite's own messages carry no bound values, so no stored data can
// reach a Status through them.
//
// Not thread-safe: one SqliteDb and its statements belong to one thread at a time (the
// store opens connections with SQLITE_OPEN_NOMUTEX and serialises them itself).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace scone::store {

// The Status for SQLite result code `rc` (an extended code), returned by a call on `db`
// (may be null) while `doing` something to the database file `path`.
Status SqliteStatus(sqlite3* db, int rc, std::string_view doing, const std::string& path);

class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&&) noexcept = default;
  SqliteStatement& operator=(SqliteStatement&&) noexcept = default;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() = default;

  // Parameters are numbered from 1. The bytes are copied (SQLITE_TRANSIENT).
  Status BindText(int index, std::string_view text);
  Status BindBlob(int index, ByteView blob);

  // Runs one step: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps a statement that returns no rows.
  Status Run();

  // Columns of the current row, numbered from 0. Views are valid until the next Step.
  int ColumnType(int column) const;  // SQLITE_TEXT, SQLITE_BLOB, SQLITE_INTEGER, ...
  std::string_view ColumnText(int column) const;
  ByteView ColumnBlob(int column) const;
  int64_t ColumnInt(int column) const;

 private:
  friend class SqliteDb;
  // A statement of the connection's cache (SqliteDb::PrepareCached) is not finalized but
  // reset, its bindings cleared, and handed back to the cache.
  struct Finalizer {
    std::vector<sqlite3_stmt*>* free_list = nullptr;  // the cache's idle statements, or null
    void operator()(sqlite3_stmt* stmt) const;
  };
  SqliteStatement(sqlite3_stmt* stmt, const std::string& path,
                  std::vector<sqlite3_stmt*>* free_list = nullptr)
      : stmt_(stmt, Finalizer{free_list}), path_(&path) {}
  Status Error(int rc, std::string_view doing) const;

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  const std::string* path_;  // the SqliteDb's, which outlives its statements
};

class SqliteDb {
 public:
  // Opens `path` with `flags` (SQLITE_OPEN_*; extended result codes are always on).
  static Result<SqliteDb> Open(const std::filesystem::path& path, int flags);

  SqliteDb(SqliteDb&&) noexcept = default;
  // Finalizes this connection's cached statements before it takes over `other`'s.
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  // Finalizes the cached statements; sqlite3_close_v2 rolls back an open transaction.
  // Every SqliteStatement of this connection must be gone by then.
  ~SqliteDb();

  // Runs SQL text (one or more statements) that returns no rows of interest.
  Status Exec(const char* sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Prepare for the statements the store runs on every request: compiled once per
  // connection and reused. `sql` must be a string literal (the cache keys on its address)
  // holding one statement. Two uses of the same text at once get two statements.
  Result<SqliteStatement> PrepareCached(const char* sql);
  // Exec of one statement through PrepareCached (BEGIN, COMMIT, SAVEPOINT, ...).
  Status ExecCached(const char* sql);
  // Runs a statement that returns exactly one row with one column (PRAGMAs).
  Result<std::string> QueryText(const char* sql);
  Result<int64_t> QueryInt(const char* sql);

  // Whether the connection is inside an explicit transaction.
  bool InTransaction() const;

  const std::string& path() const { return *path_; }
  // For sqlite3_db_config and similar one-off settings.
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  SqliteDb(sqlite3* db, std::string path)
      : db_(db), path_(std::make_unique<std::string>(std::move(path))) {}

  // Declared first, destroyed last: statements are finalized before the connection closes.
  std::unique_ptr<sqlite3, Closer> db_;
  // On the heap, so that statements keep a valid pointer when the SqliteDb is moved.
  std::unique_ptr<std::string> path_;
  // The cache: idle statements per SQL text (address of the literal). Statements in use are
  // owned by their SqliteStatement and come back here when it is destroyed. On the heap,
  // so that the lists stay where statements point when the SqliteDb is moved.
  using StatementCache = std::unordered_map<const char*, std::vector<sqlite3_stmt*>>;
  std::unique_ptr<StatementCache> cache_ = std::make_unique<StatementCache>();
  void FinalizeCached();
};

}  // namespace scone::store
