#include "store/sqlite.h"

#include <string>
#include <utility>

namespace scone::store {

Status SqliteStatus(sqlite3* db, int rc, std::string_view doing, const std::string& path) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string m = "database " + path + ": " + std::string(doing) + " failed: " + detail;
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return DataLoss(m +
                      ". The file is damaged or was changed: stop, and restore the database "
                      "together with its key-store from the last backup");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return FailedPrecondition(m + " (another program holds the database file)");
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return IoError(m);
    default:
      return Internal(m);
  }
}

void SqliteStatement::Finalizer::operator()(sqlite3_stmt* stmt) const {
  if (free_list == nullptr) {
    sqlite3_finalize(stmt);
    return;
  }
  // Reset (which also ends a read it may hold open) and forget the bound values, which
  // may be secret, before the statement waits for its next use.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  free_list->push_back(stmt);
}

Status SqliteStatement::Error(int rc, std::string_view doing) const {
  return SqliteStatus(sqlite3_db_handle(stmt_.get()), rc, doing, *path_);
}

Status SqliteStatement::BindText(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (rc != SQLITE_OK) return Error(rc, "binding a parameter");
  return Status::Ok();
}

Status SqliteStatement::BindBlob(int index, ByteView blob) {
  // A null pointer would bind NULL rather than an empty blob.
  static const uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  int rc = sqlite3_bind_blob64(stmt_.get(), index, data, blob.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) return Error(rc, "binding a parameter");
  return Status::Ok();
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The SQL text has placeholders only, never bound values.
  return Error(rc, "\"" + std::string(sqlite3_sql(stmt_.get())) + "\"");
}

Status SqliteStatement::Run() {
  SCONE_ASSIGN_OR_RETURN(bool row, Step());
  if (row) return Internal("database " + *path_ + ": a statement returned an unexpected row");
  return Status::Ok();
}

int SqliteStatement::ColumnType(int column) const {
  return sqlite3_column_type(stmt_.get(), column);
}

std::string_view SqliteStatement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  int n = sqlite3_column_bytes(stmt_.get(), column);
  if (text == nullptr || n <= 0) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(n)};  // NOLINT
}

ByteView SqliteStatement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_.get(), column);
  int n = sqlite3_column_bytes(stmt_.get(), column);
  if (blob == nullptr || n <= 0) return {};
  return {static_cast<const uint8_t*>(blob), static_cast<size_t>(n)};
}

int64_t SqliteStatement::ColumnInt(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

Result<SqliteDb> SqliteDb::Open(const std::filesystem::path& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_EXRESCODE, nullptr);
  SqliteDb db(raw, path.string());  // owns `raw` even on failure
  if (rc != SQLITE_OK) return SqliteStatus(raw, rc, "opening", *db.path_);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

void SqliteDb::FinalizeCached() {
  if (cache_ == nullptr) return;  // moved from
  for (auto& [sql, idle] : *cache_) {
    for (sqlite3_stmt* stmt : idle) sqlite3_finalize(stmt);
    idle.clear();
  }
}

SqliteDb::~SqliteDb() { FinalizeCached(); }

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    FinalizeCached();  // before the connection they belong to closes
    db_ = std::move(other.db_);
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Status SqliteDb::Exec(const char* sql) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_.get(), rc, sql, *path_);
  return Status::Ok();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  SqliteStatement statement(stmt, *path_);
  if (rc != SQLITE_OK) return SqliteStatus(db_.get(), rc, "preparing a query", *path_);
  if (stmt == nullptr) return Internal("database " + *path_ + ": empty SQL statement");
  return statement;
}

Result<SqliteStatement> SqliteDb::PrepareCached(const char* sql) {
  std::vector<sqlite3_stmt*>& idle = (*cache_)[sql];
  if (!idle.empty()) {
    sqlite3_stmt* stmt = idle.back();
    idle.pop_back();
    return SqliteStatement(stmt, *path_, &idle);
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(db_.get(), rc, "preparing a query", *path_);
  }
  if (stmt == nullptr || (tail != nullptr && *tail != '\0')) {
    sqlite3_finalize(stmt);
    return Internal("database " + *path_ + ": a cached query must be exactly one statement");
  }
  return SqliteStatement(stmt, *path_, &idle);
}

Status SqliteDb::ExecCached(const char* sql) {
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareCached(sql));
  return stmt.Run();
}

Result<std::string> SqliteDb::QueryText(const char* sql) {
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal("database " + *path_ + ": " + sql + " returned no row");
  std::string value(stmt.ColumnText(0));
  return value;
}

Result<int64_t> SqliteDb::QueryInt(const char* sql) {
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal("database " + *path_ + ": " + sql + " returned no row");
  return stmt.ColumnInt(0);
}

bool SqliteDb::InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

}  // namespace scone::store
