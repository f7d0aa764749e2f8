// Helpers shared by the store tests: temporary folders, a simulated platform's seal keys,
// raw file edits and direct SQL on a closed database.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "common/test_util.h"
#include "crypto/kdf.h"
#include "store/key_store.h"
#include "store/sqlite.h"

namespace scone::store::testing {

// A temporary folder (common/test_util.h).
class TempDir : public scone::testing::TempDir {
 public:
  TempDir() : scone::testing::TempDir("scone-store") {}
};

// A simulated platform: seal keys derived from `platform` and the ISVSVN; keys above
// `max_isvsvn` (the enclave's own) are refused, as SGX's EGETKEY does. Every request is
// recorded in `asked` when given.
inline SealKeyFunction PlatformSealKeys(
    uint8_t platform, uint16_t max_isvsvn = 0xffff,
    const std::shared_ptr<std::vector<uint16_t>>& asked = nullptr) {
  return [platform, max_isvsvn, asked](uint16_t svn) -> Result<SecretBytes> {
    if (asked) asked->push_back(svn);
    if (svn > max_isvsvn) return PermissionDenied("simulated platform: ISVSVN too high");
    std::string info = "test seal key " + std::to_string(svn);
    return crypto::HkdfSha256(SecretBytes::CopyFrom(Bytes(32, platform)), AsBytes("test"),
                              AsBytes(info), 32);
  };
}

inline Bytes ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteBytes(const std::filesystem::path& path, ByteView data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()),  // NOLINT
            static_cast<std::streamsize>(data.size()));
}

// Runs SQL on a database that no Store has open.
inline Status ExecSql(const std::filesystem::path& db_path, const std::string& sql) {
  SCONE_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(db_path, SQLITE_OPEN_READWRITE));
  return db.Exec(sql.c_str());
}

// The stored (sealed) value of a row, read directly with SQL.
inline Result<Bytes> StoredBlob(const std::filesystem::path& db_path, const std::string& table,
                                const std::string& name) {
  SCONE_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(db_path, SQLITE_OPEN_READONLY));
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt,
                         db.Prepare("SELECT value FROM kv WHERE tbl = ? AND name = ?"));
  SCONE_RETURN_IF_ERROR(stmt.BindText(1, table));
  SCONE_RETURN_IF_ERROR(stmt.BindText(2, name));
  SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFound("no such row");
  ByteView v = stmt.ColumnBlob(0);
  return Bytes(v.begin(), v.end());
}

// Sets a row's stored (sealed) value directly with SQL.
inline Status SetBlob(const std::filesystem::path& db_path, const std::string& table,
                      const std::string& name, ByteView blob) {
  SCONE_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(db_path, SQLITE_OPEN_READWRITE));
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt,
                         db.Prepare("UPDATE kv SET value = ? WHERE tbl = ? AND name = ?"));
  SCONE_RETURN_IF_ERROR(stmt.BindBlob(1, blob));
  SCONE_RETURN_IF_ERROR(stmt.BindText(2, table));
  SCONE_RETURN_IF_ERROR(stmt.BindText(3, name));
  return stmt.Run();
}

}  // namespace scone::store::testing

#include <gtest/gtest.h>

#include "store/store.h"

namespace scone::store::testing {

// A folder with a database path in it, and shorthands to open stores there.
class StoreFixture : public ::testing::Test {
 protected:
  std::filesystem::path db() const { return dir_.path() / "cas.db"; }
  std::filesystem::path key_store() const { return Store::KeyStorePath(db()); }
  std::filesystem::path next() const { return Store::NextKeyStorePath(db()); }

  StoreOptions Options(uint8_t platform = 1, uint16_t own_isvsvn = 0) const {
    StoreOptions o;
    o.db_path = db();
    o.seal_key = PlatformSealKeys(platform, own_isvsvn);
    o.own_isvsvn = own_isvsvn;
    return o;
  }

  // Opens, failing the test (and returning null) on error.
  std::unique_ptr<Store> Open(const StoreOptions& options) {
    auto s = Store::OpenOrCreate(options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::unique_ptr<Store> Open() { return Open(Options()); }

  Code OpenCode(const StoreOptions& options) {
    return Store::OpenOrCreate(options).status().code();
  }

  TempDir dir_;
};

// A row's value as text, "<absent>", or "<error CODE>", for compact assertions.
inline std::string Text(Store& store, std::string_view table, std::string_view name) {
  auto v = store.Get(table, name);
  if (!v.ok()) return "<error " + std::string(CodeName(v.status().code())) + ">";
  if (!v->has_value()) return "<absent>";
  return std::string(AsChars((*v)->Reveal()));
}
inline std::string Text(Txn& txn, std::string_view table, std::string_view name) {
  auto v = txn.Get(table, name);
  if (!v.ok()) return "<error " + std::string(CodeName(v.status().code())) + ">";
  if (!v->has_value()) return "<absent>";
  return std::string(AsChars((*v)->Reveal()));
}

}  // namespace scone::store::testing
