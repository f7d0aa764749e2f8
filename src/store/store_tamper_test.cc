// A store must never return altered data: every change to its files makes the open fail
// with kDataLoss (or, for harmless bytes, changes nothing that is read).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "crypto/aead.h"
#include "store/key_store.h"
#include "store/records.h"
#include "store/sqlite.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace scone::store {
namespace {

using testing::ReadBytes;
using testing::Text;
using testing::WriteBytes;
namespace fs = std::filesystem;

using Rows = std::map<std::pair<std::string, std::string>, std::string>;

class StoreTamperTest : public testing::StoreFixture {
 protected:
  // A database with rows of several sizes (one larger than a page) in several tables.
  void SetUp() override {
    for (int i = 0; i < 10; ++i) {
      rows_[{"sessions", "s" + std::to_string(i)}] =
          "session " + std::to_string(i) + std::string(static_cast<size_t>(i) * 37, 'x');
    }
    rows_[{"keys", "cas"}] = std::string(64, 'k');
    rows_[{"big", "blob"}] = std::string(6000, 'b');
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store
                    ->Transaction([&](Txn& txn) -> Status {
                      for (const auto& [key, value] : rows_) {
                        SCONE_RETURN_IF_ERROR(txn.Put(key.first, key.second, AsBytes(value)));
                      }
                      return Status::Ok();
                    })
                    .ok());
    store.reset();
    ASSERT_FALSE(fs::exists(db().string() + "-wal"));  // closing checkpointed the WAL
    pristine_db_ = ReadBytes(db());
    pristine_ks_ = ReadBytes(key_store());
  }

  // Opens; returns the error code, or kOk after checking that every row reads back exactly.
  Code OpenAndCheck() {
    auto store = Store::OpenOrCreate(Options());
    if (!store.ok()) return store.status().code();
    for (const auto& [key, value] : rows_) {
      EXPECT_EQ(Text(**store, key.first, key.second), value) << key.first << "/" << key.second;
    }
    for (const char* table : {"sessions", "keys", "big"}) {
      auto names = (*store)->List(table);
      EXPECT_TRUE(names.ok());
      size_t n = 0;
      for (const auto& [key, value] : rows_) n += key.first == table ? size_t{1} : size_t{0};
      EXPECT_EQ(names.ok() ? names->size() : 0, n) << table;
    }
    return Code::kOk;
  }

  void Restore(ByteView db_bytes, ByteView ks_bytes) {
    for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(db().string() + suffix);
    WriteBytes(db(), db_bytes);
    WriteBytes(key_store(), ks_bytes);
  }

  Status OpenError() { return Store::OpenOrCreate(Options()).status(); }

  Rows rows_;
  Bytes pristine_db_;
  Bytes pristine_ks_;
};

TEST_F(StoreTamperTest, FlippedCiphertextByteIsDataLoss) {
  auto blob = testing::StoredBlob(db(), "keys", "cas");
  ASSERT_TRUE(blob.ok());
  Bytes file = ReadBytes(db());
  auto at = std::search(file.begin(), file.end(), blob->begin(), blob->end());
  ASSERT_NE(at, file.end());
  for (size_t offset : {size_t{0}, size_t{12}, blob->size() / 2, blob->size() - 1}) {
    Bytes bad = pristine_db_;
    size_t i = static_cast<size_t>(at - file.begin()) + offset;
    bad[i] = static_cast<uint8_t>(bad[i] ^ 0x01);
    Restore(bad, pristine_ks_);
    Status s = OpenError();
    EXPECT_EQ(s.code(), Code::kDataLoss) << offset;
    EXPECT_NE(s.message().find(db().string()), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("backup"), std::string::npos) << s.message();
  }
  Restore(pristine_db_, pristine_ks_);
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
}

TEST_F(StoreTamperTest, NeverReturnsAlteredDataWhateverByteIsFlipped) {
  int refused = 0;
  int harmless = 0;
  for (size_t i = 0; i < pristine_db_.size(); i += 97) {
    Bytes bad = pristine_db_;
    bad[i] = static_cast<uint8_t>(bad[i] ^ (1u << (i % 8)));
    Restore(bad, pristine_ks_);
    Code c = OpenAndCheck();
    if (c == Code::kOk) {
      ++harmless;
    } else {
      ++refused;
      EXPECT_TRUE(c == Code::kDataLoss) << "offset " << i << ": " << CodeName(c);
    }
  }
  EXPECT_GT(refused, 0);
  RecordProperty("refused", refused);
  RecordProperty("harmless", harmless);
}

TEST_F(StoreTamperTest, ValueMovedToAnotherRowIsDataLoss) {
  for (const char* sql :
       {"UPDATE kv SET value = (SELECT value FROM kv WHERE name = 's1') WHERE name = 's2'",
        "UPDATE kv SET name = 's99' WHERE name = 's1'",
        "UPDATE kv SET tbl = 'other' WHERE name = 'cas'",
        "UPDATE kv SET value = (SELECT value FROM meta WHERE name = 'key-check') "
        "WHERE name = 's3'"}) {
    Restore(pristine_db_, pristine_ks_);
    ASSERT_TRUE(testing::ExecSql(db(), sql).ok()) << sql;
    EXPECT_EQ(OpenError().code(), Code::kDataLoss) << sql;
  }
}

TEST_F(StoreTamperTest, OlderVersionOfARowIsDataLoss) {
  auto old_blob = testing::StoredBlob(db(), "sessions", "s1");
  ASSERT_TRUE(old_blob.ok());
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("sessions", "s1", AsBytes("updated")).ok());
  }
  ASSERT_TRUE(testing::SetBlob(db(), "sessions", "s1", *old_blob).ok());
  EXPECT_EQ(OpenError().code(), Code::kDataLoss);
}

TEST_F(StoreTamperTest, RemovedOrAddedRowIsDataLoss) {
  for (const char* sql :
       {"DELETE FROM kv WHERE name = 's4'",
        "INSERT INTO kv SELECT 'copy', name, value FROM kv WHERE name = 's4'",
        "DELETE FROM meta WHERE name = 'content-digest'",
        "DELETE FROM meta WHERE name = 'key-check'", "INSERT INTO meta VALUES('extra', x'00')",
        "UPDATE kv SET value = 'text' WHERE name = 's5'"}) {
    Restore(pristine_db_, pristine_ks_);
    ASSERT_TRUE(testing::ExecSql(db(), sql).ok()) << sql;
    EXPECT_EQ(OpenError().code(), Code::kDataLoss) << sql;
  }
}

TEST_F(StoreTamperTest, UnexpectedSchemaIsDataLoss) {
  for (const char* sql : {"CREATE TABLE extra(x)", "CREATE INDEX by_value ON kv(value)",
                          "CREATE TRIGGER t AFTER INSERT ON kv BEGIN SELECT 1; END",
                          "CREATE VIEW v AS SELECT * FROM kv", "PRAGMA application_id = 1",
                          "PRAGMA user_version = 0"}) {
    Restore(pristine_db_, pristine_ks_);
    ASSERT_TRUE(testing::ExecSql(db(), sql).ok()) << sql;
    EXPECT_EQ(OpenError().code(), Code::kDataLoss) << sql;
  }
}

// A schema version above this CAS's is what a newer CAS writes: refused, with the way out.
TEST_F(StoreTamperTest, ANewerSchemaVersionIsRefusedAndSaysWhatToRun) {
  ASSERT_TRUE(testing::ExecSql(db(), "PRAGMA user_version = 4").ok());
  Bytes newer = ReadBytes(db());
  Status s = OpenError();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("schema version 4"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("a newer CAS wrote it"), std::string::npos) << s.message();
  EXPECT_EQ(ReadBytes(db()), newer);  // nothing written, nothing upgraded
}

TEST_F(StoreTamperTest, TamperedKeyCheckIsDataLoss) {
  Bytes record;
  {
    auto d = SqliteDb::Open(db(), SQLITE_OPEN_READONLY);
    ASSERT_TRUE(d.ok());
    auto stmt = d->Prepare("SELECT value FROM meta WHERE name = 'key-check'");
    ASSERT_TRUE(stmt.ok() && *stmt->Step());
    ByteView v = stmt->ColumnBlob(0);
    record.assign(v.begin(), v.end());
  }
  for (size_t i : {size_t{0}, size_t{20}, record.size() - 1}) {
    Restore(pristine_db_, pristine_ks_);
    Bytes bad = record;
    bad[i] = static_cast<uint8_t>(bad[i] ^ 0x01);
    {
      auto d = SqliteDb::Open(db(), SQLITE_OPEN_READWRITE);
      ASSERT_TRUE(d.ok());
      auto stmt = d->Prepare("UPDATE meta SET value = ? WHERE name = 'key-check'");
      ASSERT_TRUE(stmt.ok() && stmt->BindBlob(1, bad).ok() && stmt->Run().ok());
    }
    EXPECT_EQ(OpenError().code(), Code::kDataLoss) << i;
  }
}

// The content digest record, as written and sealed with the database's own key: what a
// writer of the key could put there (tests of the record's versions and formats).
class ContentDigestRecordTest : public StoreTamperTest {
 protected:
  SecretBytes DatabaseKey() {
    auto ks = KeyStore::Read(key_store());
    EXPECT_TRUE(ks.ok());
    auto key = ks->UnsealWith(Options().seal_key, 0);
    EXPECT_TRUE(key.ok());
    return key.ok() ? *key : SecretBytes();
  }

  // The stored rows as the store indexes them.
  RowDigests StoredRows() {
    RowDigests rows;
    auto d = SqliteDb::Open(db(), SQLITE_OPEN_READONLY);
    EXPECT_TRUE(d.ok());
    auto stmt = d->Prepare("SELECT tbl, name, value FROM kv");
    EXPECT_TRUE(stmt.ok());
    while (*stmt->Step()) {
      rows[RowKey(stmt->ColumnText(0), stmt->ColumnText(1))] = crypto::Sha256(stmt->ColumnBlob(2));
    }
    return rows;
  }

  Bytes Plaintext() {
    auto d = SqliteDb::Open(db(), SQLITE_OPEN_READONLY);
    EXPECT_TRUE(d.ok());
    auto stmt = d->Prepare("SELECT value FROM meta WHERE name = 'content-digest'");
    EXPECT_TRUE(stmt.ok() && *stmt->Step());
    auto opened = crypto::AesGcmOpen(DatabaseKey(), stmt->ColumnBlob(0),
                                     RecordAad(RecordKind::kMeta, "", kContentDigestName));
    EXPECT_TRUE(opened.ok());
    return opened.ok() ? Bytes(opened->Reveal().begin(), opened->Reveal().end()) : Bytes();
  }

  void SetPlaintext(ByteView plaintext) {
    auto sealed = crypto::AesGcmSeal(DatabaseKey(), plaintext,
                                     RecordAad(RecordKind::kMeta, "", kContentDigestName));
    ASSERT_TRUE(sealed.ok());
    auto d = SqliteDb::Open(db(), SQLITE_OPEN_READWRITE);
    ASSERT_TRUE(d.ok());
    auto stmt = d->Prepare("UPDATE meta SET value = ? WHERE name = 'content-digest'");
    ASSERT_TRUE(stmt.ok() && stmt->BindBlob(1, *sealed).ok() && stmt->Run().ok());
  }

  int64_t SchemaVersion() {
    auto d = SqliteDb::Open(db(), SQLITE_OPEN_READONLY);
    EXPECT_TRUE(d.ok());
    auto v = d->QueryInt("PRAGMA user_version");
    EXPECT_TRUE(v.ok());
    return v.ok() ? *v : -1;
  }

  std::string KvSchema() {
    auto d = SqliteDb::Open(db(), SQLITE_OPEN_READONLY);
    EXPECT_TRUE(d.ok());
    auto sql = d->QueryText("SELECT sql FROM sqlite_schema WHERE name = 'kv'");
    EXPECT_TRUE(sql.ok());
    return sql.ok() ? *sql : "";
  }

  // The kv table as schema versions 1 and 2 had it (key (tbl, name)), with the same rows.
  void MakeKvBefore3() {
    ASSERT_TRUE(testing::ExecSql(db(), "BEGIN; ALTER TABLE kv RENAME TO kv3; " +
                                           std::string(kKvBefore3) +
                                           "; INSERT INTO kv SELECT tbl, name, value FROM kv3; "
                                           "DROP TABLE kv3; COMMIT")
                    .ok());
    ASSERT_EQ(KvSchema(), kKvBefore3);
  }

  // What a CAS before schema version 3 wrote.
  void MakeVersion2() {
    MakeKvBefore3();
    ASSERT_TRUE(testing::ExecSql(db(), "PRAGMA user_version = 2").ok());
  }

  // What a CAS before the v2 digest wrote: schema version 1 and the v1 digest of the rows.
  void MakeVersion1() {
    crypto::Sha256Digest v1 = ContentDigest(StoredRows());
    SetPlaintext(v1);
    MakeKvBefore3();
    ASSERT_TRUE(testing::ExecSql(db(), "PRAGMA user_version = 1").ok());
  }

  static constexpr char kKvBefore3[] =
      "CREATE TABLE kv(tbl TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL, "
      "PRIMARY KEY(tbl, name))";
  static constexpr char kKv3[] =
      "CREATE TABLE kv(tbl TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL, "
      "PRIMARY KEY(name, tbl))";
};

TEST_F(ContentDigestRecordTest, TheStoreWritesVersion2) {
  Bytes plaintext = Plaintext();
  ASSERT_EQ(plaintext.size(), ContentSum::kEncodedSize);
  auto sum = ContentSum::Of(DatabaseKey(), StoredRows());
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(plaintext, sum->Encode());
}

// A schema version 1 database opens, and the open upgrades it to version 2 (the v2 digest of
// the same rows) before anything else is written.
TEST_F(ContentDigestRecordTest, AVersion1DatabaseOpensAndIsUpgraded) {
  MakeVersion1();
  ASSERT_EQ(SchemaVersion(), 1);
  ASSERT_EQ(Plaintext().size(), 32u);
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
  EXPECT_EQ(SchemaVersion(), 3);
  EXPECT_EQ(KvSchema(), kKv3);
  auto sum = ContentSum::Of(DatabaseKey(), StoredRows());
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(Plaintext(), sum->Encode());
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("sessions", "new", AsBytes("after the upgrade")).ok());
  }
  rows_[{"sessions", "new"}] = "after the upgrade";
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
}

// A schema version 2 database opens, and the open rebuilds kv with the key (name, tbl):
// the same rows, and writes work as before.
TEST_F(ContentDigestRecordTest, AVersion2DatabaseOpensAndIsUpgraded) {
  ASSERT_EQ(SchemaVersion(), 3);
  ASSERT_EQ(KvSchema(), kKv3);
  RowDigests before = StoredRows();
  MakeVersion2();
  ASSERT_EQ(StoredRows(), before);
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
  EXPECT_EQ(SchemaVersion(), 3);
  EXPECT_EQ(KvSchema(), kKv3);
  EXPECT_EQ(StoredRows(), before);
  auto sum = ContentSum::Of(DatabaseKey(), before);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(Plaintext(), sum->Encode());
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("sessions", "s1", AsBytes("changed after the upgrade")).ok());
    ASSERT_TRUE(store->Put("keys", "s1", AsBytes("same name, other table")).ok());
  }
  rows_[{"sessions", "s1"}] = "changed after the upgrade";
  rows_[{"keys", "s1"}] = "same name, other table";
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
}

// An upgrade that does not commit (a crash, a full disk) leaves the older database as it
// was; the next open upgrades it.
TEST_F(ContentDigestRecordTest, AnInterruptedUpgradeLeavesTheOldDatabase) {
  for (int from : {1, 2}) {
    Restore(pristine_db_, pristine_ks_);
    from == 1 ? MakeVersion1() : MakeVersion2();
    Bytes old_db = ReadBytes(db());
    StoreOptions o = Options();
    o.only_for_testing_crash_at = [](std::string_view step) { return step == "upgrade:commit"; };
    auto crashed = Store::OpenOrCreate(o);
    ASSERT_FALSE(crashed.ok()) << from;
    EXPECT_NE(crashed.status().message().find("upgrade to schema version 3"), std::string::npos)
        << crashed.status().ToString();
    EXPECT_FALSE(fs::exists(db().string() + "-wal"));
    EXPECT_EQ(SchemaVersion(), from);
    EXPECT_EQ(KvSchema(), kKvBefore3);
    EXPECT_EQ(ReadBytes(db()), old_db);
    EXPECT_EQ(OpenAndCheck(), Code::kOk) << from;
    EXPECT_EQ(SchemaVersion(), 3);
  }
}

// The schema text must be the one of the schema version: the key (tbl, name) in a version 3
// database, or (name, tbl) in a version 2 one, is refused.
TEST_F(ContentDigestRecordTest, TheTableMustBeTheSchemasVersion) {
  MakeKvBefore3();
  EXPECT_EQ(OpenError().code(), Code::kDataLoss);
  Restore(pristine_db_, pristine_ks_);
  ASSERT_TRUE(testing::ExecSql(db(), "PRAGMA user_version = 2").ok());
  EXPECT_EQ(OpenError().code(), Code::kDataLoss);
  Restore(pristine_db_, pristine_ks_);
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
}

// A digest of the other version than the schema says is refused like a wrong one: a v1
// digest in a version 2 database, a v2 digest in a version 1 database.
TEST_F(ContentDigestRecordTest, TheDigestMustBeTheSchemasVersion) {
  crypto::Sha256Digest v1 = ContentDigest(StoredRows());
  SetPlaintext(v1);
  EXPECT_EQ(OpenError().code(), Code::kDataLoss);
  Restore(pristine_db_, pristine_ks_);
  MakeKvBefore3();
  ASSERT_TRUE(testing::ExecSql(db(), "PRAGMA user_version = 1").ok());
  EXPECT_EQ(OpenError().code(), Code::kDataLoss);
  Restore(pristine_db_, pristine_ks_);
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
}

TEST_F(ContentDigestRecordTest, ADigestOfOtherRowsOrOfAnUnknownFormatIsDataLoss) {
  RowDigests fewer = StoredRows();
  fewer.erase(RowKey("sessions", "s4"));
  auto fewer_sum = ContentSum::Of(DatabaseKey(), fewer);
  ASSERT_TRUE(fewer_sum.ok());
  Bytes v2_wrong_count = Plaintext();
  v2_wrong_count[1] = static_cast<uint8_t>(v2_wrong_count[1] + 1);
  Bytes v3 = Plaintext();
  v3[0] = 3;
  crypto::Sha256Digest v1_fewer = ContentDigest(fewer);
  for (const Bytes& plaintext : {Bytes(v1_fewer.begin(), v1_fewer.end()), fewer_sum->Encode(),
                                 v2_wrong_count, v3, Bytes(33, 0), Bytes()}) {
    Restore(pristine_db_, pristine_ks_);
    SetPlaintext(plaintext);
    Status s = OpenError();
    EXPECT_EQ(s.code(), Code::kDataLoss) << plaintext.size();
  }
  // The v1 check of a version 1 database binds the rows too.
  Restore(pristine_db_, pristine_ks_);
  SetPlaintext(v1_fewer);
  MakeKvBefore3();
  ASSERT_TRUE(testing::ExecSql(db(), "PRAGMA user_version = 1").ok());
  EXPECT_EQ(OpenError().code(), Code::kDataLoss);
  EXPECT_EQ(SchemaVersion(), 1);  // nothing upgraded
  Restore(pristine_db_, pristine_ks_);
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
}

TEST_F(StoreTamperTest, TruncatedDatabaseIsRefused) {
  for (size_t n : {size_t{0}, size_t{100}, size_t{4096}, pristine_db_.size() / 2,
                   pristine_db_.size() - 4096, pristine_db_.size() - 1}) {
    Restore(ByteView(pristine_db_).first(n), pristine_ks_);
    Status s = OpenError();
    EXPECT_FALSE(s.ok()) << n;
    if (n == 0) {
      EXPECT_EQ(s.code(), Code::kDataLoss);
    }
  }
  Restore(pristine_db_, pristine_ks_);
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
}

TEST_F(StoreTamperTest, GarbageDatabaseIsDataLoss) {
  Bytes garbage(pristine_db_.size());
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 131 + 7);
  Restore(garbage, pristine_ks_);
  EXPECT_EQ(OpenError().code(), Code::kDataLoss);
}

TEST_F(StoreTamperTest, EveryFlippedKeyStoreByteIsRefused) {
  for (size_t i = 0; i < pristine_ks_.size(); ++i) {
    Bytes bad = pristine_ks_;
    bad[i] = static_cast<uint8_t>(bad[i] ^ 0x01);
    Restore(pristine_db_, bad);
    Status s = OpenError();
    ASSERT_FALSE(s.ok()) << i;
    // The recorded ISVSVN may now be above our own (kFailedPrecondition); else kDataLoss.
    EXPECT_TRUE(s.code() == Code::kDataLoss || s.code() == Code::kFailedPrecondition) << i;
    EXPECT_NE(s.message().find(key_store().string()), std::string::npos) << s.message();
  }
  Restore(pristine_db_, pristine_ks_);
  EXPECT_EQ(OpenAndCheck(), Code::kOk);
}

TEST_F(StoreTamperTest, TruncatedKeyStoreIsDataLoss) {
  for (size_t n : {size_t{0}, size_t{8}, size_t{12}, pristine_ks_.size() - 1}) {
    Restore(pristine_db_, ByteView(pristine_ks_).first(n));
    EXPECT_EQ(OpenError().code(), Code::kDataLoss) << n;
  }
}

TEST_F(StoreTamperTest, KeyStoreOfAnotherDatabaseIsDataLoss) {
  testing::TempDir other;
  StoreOptions o = Options();
  o.db_path = other.path() / "other.db";
  ASSERT_TRUE(Store::OpenOrCreate(o).ok());
  Restore(pristine_db_, ReadBytes(Store::KeyStorePath(o.db_path)));
  Status s = OpenError();
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("does not belong"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace scone::store
