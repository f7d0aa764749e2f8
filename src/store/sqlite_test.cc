// The statement cache of SqliteDb: reused statements start clean, concurrent uses of one
// text get their own statements, and moving the connection keeps them valid.
#include "store/sqlite.h"

#include <gtest/gtest.h>

#include <utility>

#include "common/test_util.h"

namespace scone::store {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDb::Open(dir_.path() / "t.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::make_unique<SqliteDb>(std::move(*db));
    ASSERT_TRUE(db_->Exec("CREATE TABLE t(k TEXT, v TEXT)").ok());
  }

  int64_t Count(SqliteDb& db) { return *db.QueryInt("SELECT count(*) FROM t"); }

  testing::TempDir dir_{"scone-sqlite"};
  std::unique_ptr<SqliteDb> db_;
};

constexpr char kInsert[] = "INSERT INTO t(k, v) VALUES(?, ?)";
constexpr char kSelect[] = "SELECT v FROM t WHERE k = ?";

TEST_F(SqliteTest, CachedStatementIsReusedWithItsBindingsCleared) {
  for (int i = 0; i < 3; ++i) {
    auto stmt = db_->PrepareCached(kInsert);
    ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
    ASSERT_TRUE(stmt->BindText(1, "k" + std::to_string(i)).ok());
    if (i == 0) {
      ASSERT_TRUE(stmt->BindText(2, "secret").ok());
    }
    ASSERT_TRUE(stmt->Run().ok());
  }
  EXPECT_EQ(Count(*db_), 3);
  // The second and third use bound no value: they stored NULL, not the first use's value.
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM t WHERE v IS NULL"), 2);
}

TEST_F(SqliteTest, TwoUsesAtOnceGetTwoStatements) {
  ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES('a', '1'), ('b', '2')").ok());
  auto first = db_->PrepareCached(kSelect);
  auto second = db_->PrepareCached(kSelect);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(first->BindText(1, "a").ok());
  ASSERT_TRUE(second->BindText(1, "b").ok());
  ASSERT_TRUE(*first->Step());
  ASSERT_TRUE(*second->Step());
  EXPECT_EQ(first->ColumnText(0), "1");
  EXPECT_EQ(second->ColumnText(0), "2");
}

TEST_F(SqliteTest, AStatementLeftMidwayIsResetForItsNextUse) {
  ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES('a', '1'), ('a', '2')").ok());
  {
    auto stmt = db_->PrepareCached(kSelect);
    ASSERT_TRUE(stmt->BindText(1, "a").ok());
    ASSERT_TRUE(*stmt->Step());  // one of two rows read, then abandoned
  }
  // Its read is over: a write transaction can begin and commit.
  ASSERT_TRUE(db_->ExecCached("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(db_->Exec("DELETE FROM t").ok());
  ASSERT_TRUE(db_->ExecCached("COMMIT").ok());
  auto stmt = db_->PrepareCached(kSelect);
  ASSERT_TRUE(stmt->BindText(1, "a").ok());
  EXPECT_FALSE(*stmt->Step());
}

TEST_F(SqliteTest, MovingTheConnectionKeepsItsStatements) {
  {
    auto stmt = db_->PrepareCached(kInsert);
    ASSERT_TRUE(stmt->BindText(1, "x").ok());
    ASSERT_TRUE(stmt->Run().ok());
  }
  SqliteDb moved = std::move(*db_);
  db_.reset();
  auto stmt = moved.PrepareCached(kInsert);
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(stmt->BindText(1, "y").ok());
  ASSERT_TRUE(stmt->Run().ok());
  EXPECT_EQ(Count(moved), 2);
}

TEST_F(SqliteTest, AssigningOverAConnectionFinalizesItsStatements) {
  {
    auto stmt = db_->PrepareCached(kInsert);
    ASSERT_TRUE(stmt->BindText(1, "x").ok());
    ASSERT_TRUE(stmt->Run().ok());
  }
  auto other = SqliteDb::Open(dir_.path() / "u.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Exec("CREATE TABLE t(k TEXT, v TEXT)").ok());
  // The old connection's cached statement is finalized, so it closes at once (a leak would
  // show under the sanitizers) and the file is free for another connection.
  *db_ = std::move(*other);
  auto stmt = db_->PrepareCached(kInsert);
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(stmt->BindText(1, "y").ok());
  ASSERT_TRUE(stmt->Run().ok());
  EXPECT_EQ(Count(*db_), 1);
}

TEST_F(SqliteTest, CachedTextMustBeOneStatement) {
  auto stmt = db_->PrepareCached("DELETE FROM t; DELETE FROM t");
  EXPECT_FALSE(stmt.ok());
  auto bad = db_->PrepareCached("SELEKT nothing");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("t.db"), std::string::npos) << bad.status().ToString();
}

}  // namespace
}  // namespace scone::store
