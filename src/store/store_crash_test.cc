// Creation and ReplaceKeyAndContents are crash-safe, and a database or key-store alone is
// refused without creating or overwriting anything.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_test_util.h"

namespace scone::store {
namespace {

using testing::ReadBytes;
using testing::Text;
using testing::WriteBytes;
namespace fs = std::filesystem;

class StoreCrashTest : public testing::StoreFixture {
 protected:
  StoreOptions CrashingAt(const std::string& step, uint16_t own_isvsvn = 0) const {
    StoreOptions o = Options(1, own_isvsvn);
    o.only_for_testing_crash_at = [step](std::string_view at) { return at == step; };
    return o;
  }
  static Status PutOne(Txn& txn, const char* name, const char* value) {
    return txn.Put("t", name, AsBytes(value));
  }
  fs::path creating() const { return Store::CreatingPath(db()); }
};

TEST_F(StoreCrashTest, DatabaseWithoutKeyStoreIsRefused) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("t", "a", AsBytes("1")).ok());
  }
  fs::remove(key_store());
  Bytes before = ReadBytes(db());
  Status s = Store::OpenOrCreate(Options()).status();
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("is missing"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(key_store()));
  EXPECT_EQ(ReadBytes(db()), before);
}

TEST_F(StoreCrashTest, KeyStoreWithoutDatabaseIsRefused) {
  { ASSERT_NE(Open(), nullptr); }
  fs::remove(db());
  Bytes before = ReadBytes(key_store());
  Status s = Store::OpenOrCreate(Options()).status();
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("does not exist"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(db()));
  EXPECT_EQ(ReadBytes(key_store()), before);
}

TEST_F(StoreCrashTest, LoneNextKeyStoreIsRefused) {
  { ASSERT_NE(Open(), nullptr); }
  fs::rename(key_store(), next());
  fs::remove(db());
  EXPECT_EQ(Store::OpenOrCreate(Options()).status().code(), Code::kDataLoss);
  EXPECT_FALSE(fs::exists(db()));
  EXPECT_FALSE(fs::exists(key_store()));
}

TEST_F(StoreCrashTest, CrashBeforeTheKeyStoreStartsOver) {
  EXPECT_EQ(Store::OpenOrCreate(CrashingAt("create:db-written")).status().code(), Code::kInternal);
  EXPECT_TRUE(fs::exists(creating()));
  EXPECT_FALSE(fs::exists(key_store()));
  EXPECT_FALSE(fs::exists(db()));
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->created());
  EXPECT_FALSE(fs::exists(creating()));
  EXPECT_TRUE(store->Put("t", "a", AsBytes("1")).ok());
}

TEST_F(StoreCrashTest, CrashAfterTheKeyStoreIsCompleted) {
  EXPECT_EQ(Store::OpenOrCreate(CrashingAt("create:key-store-written")).status().code(),
            Code::kInternal);
  EXPECT_TRUE(fs::exists(creating()));
  EXPECT_TRUE(fs::exists(key_store()));
  EXPECT_FALSE(fs::exists(db()));
  Bytes ks = ReadBytes(key_store());
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->created());
    EXPECT_FALSE(fs::exists(creating()));
    EXPECT_EQ(ReadBytes(key_store()), ks);
    ASSERT_TRUE(store->Put("t", "a", AsBytes("1")).ok());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->created());
  EXPECT_EQ(Text(*store, "t", "a"), "1");
}

TEST_F(StoreCrashTest, ForeignCreatingFileIsNotAdopted) {
  // A key-store of one database, and DB.creating holding another one.
  { ASSERT_NE(Open(), nullptr); }
  fs::rename(db(), creating());
  fs::remove(key_store());
  { ASSERT_NE(Open(), nullptr); }  // a new pair, another key
  fs::remove(db());
  Bytes creating_before = ReadBytes(creating());
  EXPECT_EQ(Store::OpenOrCreate(Options()).status().code(), Code::kDataLoss);
  EXPECT_FALSE(fs::exists(db()));
  EXPECT_EQ(ReadBytes(creating()), creating_before);
}

TEST_F(StoreCrashTest, CrashBeforeTheReplacementCommitsKeepsTheOldState) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("t", "old", AsBytes("1")).ok());
  }
  Bytes old_ks = ReadBytes(key_store());
  {
    auto store = Open(CrashingAt("replace:next-written"));
    ASSERT_NE(store, nullptr);
    Status s = store->ReplaceKeyAndContents(SecretBytes::CopyFrom(Bytes(32, 5)),
                                            [](Txn& txn) { return PutOne(txn, "new", "2"); });
    EXPECT_EQ(s.code(), Code::kInternal);
    EXPECT_EQ(Text(*store, "t", "old"), "<error internal>");  // a crashed store is retired
    EXPECT_TRUE(fs::exists(next()));
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "old"), "1");
  EXPECT_EQ(Text(*store, "t", "new"), "<absent>");
  EXPECT_FALSE(fs::exists(next()));
  EXPECT_EQ(ReadBytes(key_store()), old_ks);
}

TEST_F(StoreCrashTest, CrashAfterTheReplacementCommitsKeepsTheNewState) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("t", "old", AsBytes("1")).ok());
  }
  Bytes next_ks;
  {
    auto store = Open(CrashingAt("replace:committed"));
    ASSERT_NE(store, nullptr);
    Status s = store->ReplaceKeyAndContents(SecretBytes::CopyFrom(Bytes(32, 5)),
                                            [](Txn& txn) { return PutOne(txn, "new", "2"); });
    EXPECT_EQ(s.code(), Code::kInternal);
    next_ks = ReadBytes(next());
    ASSERT_EQ(next_ks.size(), kKeyStoreSize);
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "old"), "<absent>");
  EXPECT_EQ(Text(*store, "t", "new"), "2");
  EXPECT_FALSE(fs::exists(next()));
  EXPECT_EQ(ReadBytes(key_store()), next_ks);
}

// The states a crash can leave, assembled from the files of a real replacement.
class StoreReplaceStatesTest : public StoreCrashTest {
 protected:
  void SetUp() override {
    {
      auto store = Open(Options(1, 3));
      ASSERT_NE(store, nullptr);
      ASSERT_TRUE(store->Put("t", "old", AsBytes("1")).ok());
    }
    old_db_ = ReadBytes(db());
    old_ks_ = ReadBytes(key_store());
    {
      auto store = Open(Options(1, 5));
      ASSERT_NE(store, nullptr);
      ASSERT_TRUE(store
                      ->ReplaceKeyAndContents(SecretBytes::CopyFrom(Bytes(32, 5)),
                                              [](Txn& txn) { return PutOne(txn, "new", "2"); })
                      .ok());
    }
    new_db_ = ReadBytes(db());
    new_ks_ = ReadBytes(key_store());
    ASSERT_NE(old_ks_, new_ks_);
  }
  void Arrange(const Bytes& db_bytes, const Bytes& next_bytes) {
    WriteBytes(db(), db_bytes);
    WriteBytes(key_store(), old_ks_);
    WriteBytes(next(), next_bytes);
  }
  Bytes old_db_, old_ks_, new_db_, new_ks_;
};

TEST_F(StoreReplaceStatesTest, NextWithTheOldDatabaseIsUndone) {
  Arrange(old_db_, new_ks_);
  auto store = Open(Options(1, 5));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "old"), "1");
  EXPECT_EQ(Text(*store, "t", "new"), "<absent>");
  EXPECT_EQ(store->key_isvsvn(), 3);
  EXPECT_FALSE(fs::exists(next()));
  EXPECT_EQ(ReadBytes(key_store()), old_ks_);
}

TEST_F(StoreReplaceStatesTest, NextWithTheNewDatabaseIsCompleted) {
  Arrange(new_db_, new_ks_);
  {
    auto store = Open(Options(1, 5));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(Text(*store, "t", "old"), "<absent>");
    EXPECT_EQ(Text(*store, "t", "new"), "2");
    EXPECT_EQ(store->key_isvsvn(), 5);
    EXPECT_FALSE(fs::exists(next()));
    EXPECT_EQ(ReadBytes(key_store()), new_ks_);
  }
  EXPECT_NE(Open(Options(1, 5)), nullptr);
}

TEST_F(StoreReplaceStatesTest, DamagedNextIsDroppedWhenTheOldKeyIsInUse) {
  Bytes bad = new_ks_;
  bad[40] = static_cast<uint8_t>(bad[40] ^ 1);
  Arrange(old_db_, bad);
  auto store = Open(Options(1, 5));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "old"), "1");
  EXPECT_FALSE(fs::exists(next()));
}

TEST_F(StoreReplaceStatesTest, DamagedNextIsDataLossWhenTheNewKeyIsInUse) {
  Bytes bad = new_ks_;
  bad[40] = static_cast<uint8_t>(bad[40] ^ 1);
  Arrange(new_db_, bad);
  EXPECT_EQ(Store::OpenOrCreate(Options(1, 5)).status().code(), Code::kDataLoss);
  EXPECT_EQ(ReadBytes(next()), bad);
  EXPECT_EQ(ReadBytes(key_store()), old_ks_);
}

TEST_F(StoreReplaceStatesTest, OlderCasCannotCompleteANewerReplacement) {
  Arrange(new_db_, new_ks_);  // .next sealed at ISVSVN 5
  EXPECT_EQ(Store::OpenOrCreate(Options(1, 3)).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(ReadBytes(next()), new_ks_);
  Arrange(old_db_, new_ks_);  // not needed: the old key is in use
  auto store = Open(Options(1, 3));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "old"), "1");
  EXPECT_FALSE(fs::exists(next()));
}

TEST_F(StoreCrashTest, CommittedWritesSurviveAKilledProcess) {
  { ASSERT_NE(Open(), nullptr); }
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto store = Store::OpenOrCreate(Options());
    bool ok = store.ok() && (*store)->Put("t", "a", AsBytes("committed")).ok();
    ::_exit(ok ? 0 : 1);  // no destructors: the WAL is not checkpointed, the lock not released
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(fs::exists(db().string() + "-wal"));
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "a"), "committed");
}

}  // namespace
}  // namespace scone::store
