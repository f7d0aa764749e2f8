#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include "crypto/random.h"
#include "store/store_test_util.h"

namespace scone::store {
namespace {

using testing::ReadBytes;
using testing::StoreFixture;
using testing::Text;
namespace fs = std::filesystem;

using StoreTest = StoreFixture;

unsigned Mode(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0xffff;
  return st.st_mode & 0777;
}

TEST_F(StoreTest, CreatesBothFilesPrivately) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->created());
  EXPECT_TRUE(fs::exists(db()));
  EXPECT_TRUE(fs::exists(key_store()));
  EXPECT_FALSE(fs::exists(Store::CreatingPath(db())));
  EXPECT_EQ(Mode(db()), 0600u);
  EXPECT_EQ(Mode(key_store()), 0600u);
  EXPECT_EQ(ReadBytes(key_store()).size(), kKeyStoreSize);
}

TEST_F(StoreTest, RoundTripsAndPersistsAcrossReopen) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("sessions", "b", AsBytes("two")).ok());
    ASSERT_TRUE(store->Put("sessions", "a", AsBytes("one")).ok());
    ASSERT_TRUE(store->Put("keys", "cas", AsBytes("secret")).ok());
    ASSERT_TRUE(store->Put("sessions", "a", AsBytes("one again")).ok());
    EXPECT_EQ(Text(*store, "sessions", "a"), "one again");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->created());
  EXPECT_EQ(Text(*store, "sessions", "a"), "one again");
  EXPECT_EQ(Text(*store, "sessions", "b"), "two");
  EXPECT_EQ(Text(*store, "keys", "cas"), "secret");
  EXPECT_EQ(Text(*store, "keys", "missing"), "<absent>");
  EXPECT_EQ(Text(*store, "nothing", "a"), "<absent>");
}

TEST_F(StoreTest, ListsNamesOfOneTableInByteOrder) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (const char* name : {"zeta", "alpha", "", "Beta", "alpha2"}) {
    ASSERT_TRUE(store->Put("t", name, AsBytes("v")).ok());
  }
  ASSERT_TRUE(store->Put("ta", "other", AsBytes("v")).ok());
  ASSERT_TRUE(store->Put("s", "other", AsBytes("v")).ok());
  auto names = store->List("t");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"", "Beta", "alpha", "alpha2", "zeta"}));
  auto none = store->List("empty");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, DeletesRowsAndToleratesMissingOnes) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("t", "a", AsBytes("1")).ok());
  ASSERT_TRUE(store->Delete("t", "a").ok());
  ASSERT_TRUE(store->Delete("t", "never").ok());
  EXPECT_EQ(Text(*store, "t", "a"), "<absent>");
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "a"), "<absent>");
  EXPECT_TRUE(store->List("t")->empty());
}

TEST_F(StoreTest, StoresEmptyAndLargeValues) {
  Bytes large(100000);
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<uint8_t>(i * 7);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("t", "empty", {}).ok());
    ASSERT_TRUE(store->Put("t", "large", large).ok());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "empty"), "");
  auto v = store->Get("t", "large");
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_TRUE(std::equal(large.begin(), large.end(), (*v)->Reveal().begin(), (*v)->Reveal().end()));
}

TEST_F(StoreTest, RejectsMalformedNamesAndHugeValues) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Put("", "a", AsBytes("v")).code(), Code::kInvalidArgument);
  EXPECT_EQ(store->Put(std::string("a\0b", 3), "a", AsBytes("v")).code(), Code::kInvalidArgument);
  EXPECT_EQ(store->Put("t", std::string("a\0b", 3), AsBytes("v")).code(), Code::kInvalidArgument);
  EXPECT_EQ(store->Put(std::string(kMaxTableNameSize + 1, 't'), "a", AsBytes("v")).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store->Put("t", std::string(kMaxRowNameSize + 1, 'n'), AsBytes("v")).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store->Put("t", "big", Bytes(kMaxValueSize + 1)).code(), Code::kInvalidArgument);
  EXPECT_EQ(store->Get("", "a").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store->List("").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(store
                  ->Put(std::string(kMaxTableNameSize, 't'), std::string(kMaxRowNameSize, 'n'),
                        AsBytes("v"))
                  .ok());
}

TEST_F(StoreTest, KeepsValuesButNotNamesOutOfTheFile) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("visible-table", "visible-name", AsBytes("hidden-value-42")).ok());
  }
  Bytes file = ReadBytes(db());
  auto contains = [&](std::string_view s) {
    ByteView needle = AsBytes(s);
    return std::search(file.begin(), file.end(), needle.begin(), needle.end()) != file.end();
  };
  EXPECT_FALSE(contains("hidden-value-42"));
  EXPECT_TRUE(contains("visible-name"));  // names are in clear, as documented
}

TEST_F(StoreTest, SecondOpenerIsRefusedUntilTheFirstCloses) {
  auto first = Open();
  ASSERT_NE(first, nullptr);
  auto second = Store::OpenOrCreate(Options());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use by another CAS process"), std::string::npos);
  first.reset();
  EXPECT_NE(Open(), nullptr);
}

TEST_F(StoreTest, TransactionCommitsAllWrites) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("t", "gone", AsBytes("x")).ok());
  Status s = store->Transaction([](Txn& txn) -> Status {
    SCONE_RETURN_IF_ERROR(txn.Put("t", "a", AsBytes("1")));
    SCONE_RETURN_IF_ERROR(txn.Put("t", "b", AsBytes("2")));
    SCONE_RETURN_IF_ERROR(txn.Delete("t", "gone"));
    if (Text(txn, "t", "a") != "1" || Text(txn, "t", "gone") != "<absent>") {
      return Internal("transaction does not see its own writes");
    }
    auto names = txn.List("t");
    if (!names.ok() || *names != std::vector<std::string>{"a", "b"}) {
      return Internal("transaction lists the wrong names");
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "a"), "1");
  EXPECT_EQ(Text(*store, "t", "b"), "2");
  EXPECT_EQ(Text(*store, "t", "gone"), "<absent>");
}

TEST_F(StoreTest, TransactionRollsBackWhenTheBodyFails) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("t", "kept", AsBytes("old")).ok());
  Status s = store->Transaction([](Txn& txn) -> Status {
    SCONE_RETURN_IF_ERROR(txn.Put("t", "new", AsBytes("1")));
    SCONE_RETURN_IF_ERROR(txn.Put("t", "kept", AsBytes("changed")));
    SCONE_RETURN_IF_ERROR(txn.Delete("t", "kept"));
    return FailedPrecondition("predecessor does not match");
  });
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(Text(*store, "t", "new"), "<absent>");
  EXPECT_EQ(Text(*store, "t", "kept"), "old");
  EXPECT_EQ(*store->List("t"), std::vector<std::string>{"kept"});
  // The store stays usable, and the rollback is what reaches the disk.
  ASSERT_TRUE(store->Put("t", "after", AsBytes("2")).ok());
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->List("t"), (std::vector<std::string>{"after", "kept"}));
  EXPECT_EQ(Text(*store, "t", "kept"), "old");
}

TEST_F(StoreTest, TransactionRollsBackWhenTheBodyThrows) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_THROW((void)store->Transaction([](Txn& txn) -> Status {
    (void)txn.Put("t", "a", AsBytes("1"));
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(Text(*store, "t", "a"), "<absent>");
  EXPECT_TRUE(store->Put("t", "b", AsBytes("2")).ok());
}

TEST_F(StoreTest, RefusesCallsToTheStoreFromInsideATransaction) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Code inner = Code::kOk;
  Status s = store->Transaction([&](Txn&) -> Status {
    inner = store->Put("t", "a", AsBytes("1")).code();
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(inner, Code::kFailedPrecondition);
}

TEST_F(StoreTest, CompareAndSetInTransactionsHasOneWinner) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("current", "s", AsBytes("h0")).ok());
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      Status s = store->Transaction([&](Txn& txn) -> Status {
        if (Text(txn, "current", "s") != "h0") return FailedPrecondition("lost the race");
        return txn.Put("current", "s", AsBytes("h1-" + std::to_string(i)));
      });
      if (s.ok()) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

TEST_F(StoreTest, ServesSeveralThreads) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> errors{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string name = std::to_string(t) + "-" + std::to_string(i);
        if (!store->Put("t", name, AsBytes(name)).ok()) ++errors;
        if (Text(*store, "t", name) != name) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(store->List("t")->size(), 100u);
}

TEST_F(StoreTest, WrongPlatformCannotOpenTheKeyStore) {
  { ASSERT_NE(Open(), nullptr); }
  Bytes db_before = ReadBytes(db());
  Bytes ks_before = ReadBytes(key_store());
  auto other = Store::OpenOrCreate(Options(/*platform=*/2));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kDataLoss);
  EXPECT_NE(other.status().message().find(key_store().string()), std::string::npos);
  EXPECT_EQ(ReadBytes(key_store()), ks_before);
  EXPECT_EQ(ReadBytes(db()), db_before);
  EXPECT_NE(Open(), nullptr);
}

TEST_F(StoreTest, SealKeyFailuresPassThroughAndCreateNothing) {
  StoreOptions o = Options();
  o.seal_key = [](uint16_t) -> Result<SecretBytes> {
    return Status(Code::kUnavailable, "las is not answering");
  };
  EXPECT_EQ(OpenCode(o), Code::kUnavailable);
  EXPECT_FALSE(fs::exists(db()));
  EXPECT_FALSE(fs::exists(key_store()));
  EXPECT_FALSE(fs::exists(Store::CreatingPath(db())));
}

TEST_F(StoreTest, RejectsMissingOptions) {
  StoreOptions o = Options();
  o.seal_key = nullptr;
  EXPECT_EQ(OpenCode(o), Code::kInvalidArgument);
  o = Options();
  o.db_path.clear();
  EXPECT_EQ(OpenCode(o), Code::kInvalidArgument);
}

TEST_F(StoreTest, OpensAKeyStoreSealedAtALowerIsvsvnAndKeepsIt) {
  { ASSERT_NE(Open(Options(1, /*own_isvsvn=*/3)), nullptr); }
  auto asked = std::make_shared<std::vector<uint16_t>>();
  StoreOptions o = Options(1, 5);
  o.seal_key = testing::PlatformSealKeys(1, 5, asked);
  auto store = Open(o);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->key_isvsvn(), 3);
  EXPECT_EQ(*asked, std::vector<uint16_t>{3});
  EXPECT_EQ(ReadBytes(key_store())[10], 3);
}

TEST_F(StoreTest, RefusesAKeyStoreSealedAtAHigherIsvsvn) {
  { ASSERT_NE(Open(Options(1, /*own_isvsvn=*/5)), nullptr); }
  auto r = Store::OpenOrCreate(Options(1, 4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("ISVSVN 5"), std::string::npos);
}

TEST_F(StoreTest, ReplacesKeyAndContents) {
  {
    auto store = Open(Options(1, 2));
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("t", "old", AsBytes("1")).ok());
  }
  Bytes old_ks = ReadBytes(key_store());
  {
    auto store = Open(Options(1, 7));
    ASSERT_NE(store, nullptr);
    auto new_key = crypto::RandomSecret(32);
    ASSERT_TRUE(new_key.ok());
    Status s = store->ReplaceKeyAndContents(*new_key, [](Txn& txn) -> Status {
      if (Text(txn, "t", "old") != "<absent>") return Internal("fill sees the old content");
      return txn.Put("t", "new", AsBytes("2"));
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(store->key_isvsvn(), 7);
    EXPECT_EQ(Text(*store, "t", "old"), "<absent>");
    EXPECT_EQ(Text(*store, "t", "new"), "2");
    ASSERT_TRUE(store->Put("t", "later", AsBytes("3")).ok());
  }
  EXPECT_FALSE(fs::exists(next()));
  EXPECT_NE(ReadBytes(key_store()), old_ks);
  EXPECT_EQ(ReadBytes(key_store())[10], 7);
  auto store = Open(Options(1, 7));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->List("t"), (std::vector<std::string>{"later", "new"}));
  EXPECT_EQ(Text(*store, "t", "new"), "2");
}

TEST_F(StoreTest, FailedFillChangesNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("t", "old", AsBytes("1")).ok());
  Bytes ks = ReadBytes(key_store());
  Status s = store->ReplaceKeyAndContents(SecretBytes::CopyFrom(Bytes(32, 9)), [](Txn& txn) {
    (void)txn.Put("t", "new", AsBytes("2"));
    return InvalidArgument("bad owner config");
  });
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_FALSE(fs::exists(next()));
  EXPECT_EQ(ReadBytes(key_store()), ks);
  EXPECT_EQ(Text(*store, "t", "old"), "1");
  EXPECT_EQ(Text(*store, "t", "new"), "<absent>");
  ASSERT_TRUE(store->Put("t", "more", AsBytes("3")).ok());
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->List("t"), (std::vector<std::string>{"more", "old"}));
}

TEST_F(StoreTest, ReplaceRejectsKeysOfTheWrongSize) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->ReplaceKeyAndContents(SecretBytes(16), [](Txn&) { return Status::Ok(); }).code(),
            Code::kInvalidArgument);
}

// The store syncs the log through a descriptor of its own: a log replaced behind its back
// would make that sync cover nothing, so the commit fails and the store is retired.
TEST_F(StoreTest, RefusesToSyncALogReplacedWhileOpen) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("t", "a", AsBytes("one")).ok());
  fs::path wal = db().string() + "-wal";
  fs::path copy = db().string() + "-wal.copy";
  fs::copy_file(wal, copy);
  fs::rename(copy, wal);
  Status put = store->Put("t", "b", AsBytes("two"));
  EXPECT_EQ(put.code(), Code::kIoError);
  EXPECT_NE(put.message().find("was removed or replaced"), std::string::npos) << put.message();
  EXPECT_FALSE(store->Put("t", "c", AsBytes("three")).ok());  // retired
}

TEST_F(StoreTest, RefusesToSyncALogRemovedWhileOpen) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(fs::remove(db().string() + "-wal"));
  Status put = store->Put("t", "a", AsBytes("one"));
  EXPECT_EQ(put.code(), Code::kIoError);
  EXPECT_NE(put.message().find("was removed or replaced"), std::string::npos) << put.message();
}

}  // namespace
}  // namespace scone::store
