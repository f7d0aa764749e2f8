// Group commit (store.h, Transaction): transactions that wait while a group is written are
// written together, each body isolated in its own savepoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/store.h"
#include "store/store_test_util.h"

namespace scone::store {
namespace {

using testing::StoreFixture;
using testing::Text;

class StoreGroupTest : public StoreFixture {
 protected:
  // Options whose test hook counts the transactions waiting behind a group and the groups
  // committed, and can make a group's commit crash.
  StoreOptions Counting() {
    StoreOptions o = Options();
    o.only_for_testing_crash_at = [this](std::string_view step) {
      std::lock_guard lock(mu_);
      if (step == "group:wait") ++waiting_;
      if (step == "group:commit") ++commits_;
      cv_.notify_all();
      return step == "group:commit" && commits_ == crash_at_commit_;
    };
    return o;
  }

  // Runs `first` as the leader and, while its body waits, `bodies` from threads of their
  // own, so that all of them are written as the next group. Returns their results.
  std::vector<Status> RunGroup(Store& store, std::vector<std::function<Status(Txn&)>> bodies) {
    std::vector<Status> results(bodies.size());
    std::thread leader([&] {
      Status s = store.Transaction([&](Txn& txn) -> Status {
        std::unique_lock lock(mu_);
        leading_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return waiting_ == bodies.size(); });
        return txn.Put("t", "leader", AsBytes("x"));
      });
      EXPECT_TRUE(s.ok()) << s.ToString();
    });
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return leading_; });
    }
    std::vector<std::thread> threads;
    for (size_t i = 0; i < bodies.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          results[i] = store.Transaction(bodies[i]);
        } catch (const std::runtime_error&) {
          results[i] = Status(Code::kInternal, "threw");
        }
      });
    }
    leader.join();
    for (auto& t : threads) t.join();
    return results;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  size_t waiting_ = 0;
  size_t commits_ = 0;
  bool leading_ = false;
  size_t crash_at_commit_ = 0;  // 0: never
};

TEST_F(StoreGroupTest, WritesWaitingTransactionsAsOneGroupAndIsolatesFailures) {
  auto store = Open(Counting());
  ASSERT_NE(store, nullptr);
  constexpr size_t kBodies = 12;
  std::vector<std::function<Status(Txn&)>> bodies;
  for (size_t i = 0; i < kBodies; ++i) {
    bodies.push_back([i](Txn& txn) -> Status {
      std::string name = "row" + std::to_string(i);
      SCONE_RETURN_IF_ERROR(txn.Put("t", name, AsBytes(name)));
      if (i % 3 == 1) return FailedPrecondition("refused");
      if (i % 3 == 2) throw std::runtime_error("boom");
      return Status::Ok();
    });
  }
  std::vector<Status> results = RunGroup(*store, bodies);
  {
    std::lock_guard lock(mu_);
    // The leader's group, then one group for all that waited.
    EXPECT_EQ(commits_, 2u);
  }
  for (size_t i = 0; i < kBodies; ++i) {
    std::string name = "row" + std::to_string(i);
    if (i % 3 == 0) {
      EXPECT_TRUE(results[i].ok()) << i << " " << results[i].ToString();
      EXPECT_EQ(Text(*store, "t", name), name);
    } else {
      EXPECT_EQ(results[i].code(), i % 3 == 1 ? Code::kFailedPrecondition : Code::kInternal);
      EXPECT_EQ(Text(*store, "t", name), "<absent>");
    }
  }
  // What reached the disk is exactly that.
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<std::string> expected = {"leader"};
  for (size_t i = 0; i < kBodies; i += 3) expected.push_back("row" + std::to_string(i));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*store->List("t"), expected);
}

TEST_F(StoreGroupTest, BodiesOfOneGroupSeeTheWritesOfThoseBefore) {
  auto store = Open(Counting());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("current", "s", AsBytes("h0")).ok());
  // Compare-and-set from the same value by every body of one group: exactly one wins.
  std::vector<std::function<Status(Txn&)>> bodies;
  for (int i = 0; i < 8; ++i) {
    bodies.push_back([i](Txn& txn) -> Status {
      if (Text(txn, "current", "s") != "h0") return FailedPrecondition("lost");
      return txn.Put("current", "s", AsBytes("h1-" + std::to_string(i)));
    });
  }
  std::vector<Status> results = RunGroup(*store, bodies);
  int winners = 0;
  for (const Status& s : results) winners += s.ok() ? 1 : 0;
  EXPECT_EQ(winners, 1);
  EXPECT_NE(Text(*store, "current", "s"), "h0");
}

TEST_F(StoreGroupTest, AFailedGroupCommitFailsEveryMemberAndWritesNothing) {
  auto store = Open(Counting());
  ASSERT_NE(store, nullptr);
  std::vector<std::function<Status(Txn&)>> bodies;
  for (int i = 0; i < 4; ++i) {
    bodies.push_back([i](Txn& txn) { return txn.Put("t", std::to_string(i), AsBytes("v")); });
  }
  crash_at_commit_ = 2;  // the leader's own group commits; the next one crashes
  std::vector<Status> results = RunGroup(*store, bodies);
  for (const Status& s : results) EXPECT_FALSE(s.ok());
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->List("t"), std::vector<std::string>{"leader"});
}

// Durability outside the lock (docs/store.md "Durability"): while a group's log is synced,
// the next group is written, reads of other rows are answered, and a read of a row that
// group changed waits until a sync covers it.
TEST_F(StoreGroupTest, ASyncHoldsNoLockAndReadsOfItsRowsWaitForIt) {
  std::mutex mu;
  std::condition_variable cv;
  bool armed = false;
  bool held = false;  // the first sync after arming is in the hook
  bool release = false;
  StoreOptions o = Options();
  o.only_for_testing_crash_at = [&](std::string_view step) {
    if (step != "group:sync") return false;
    std::unique_lock lock(mu);
    if (!armed || held) return false;
    held = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return false;
  };
  auto store = Open(o);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("t", "a", AsBytes("old")).ok());
  {
    std::lock_guard lock(mu);
    armed = true;
  }
  std::thread writer([&] { EXPECT_TRUE(store->Put("t", "b", AsBytes("new")).ok()); });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return held; });
  }
  // Committed, not yet synced: other rows read at once; row b waits.
  EXPECT_EQ(Text(*store, "t", "a"), "old");
  std::atomic<bool> read_b{false};
  std::thread reader([&] {
    EXPECT_EQ(Text(*store, "t", "b"), "new");
    read_b = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(read_b.load()) << "a row of a commit that is not on disk was read";
  // The next group commits and syncs meanwhile; its sync covers the held commit too, and
  // that answers the reader.
  EXPECT_TRUE(store->Put("t", "c", AsBytes("next")).ok());
  reader.join();
  EXPECT_TRUE(read_b.load());
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  writer.join();
  EXPECT_EQ(*store->List("t"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(StoreGroupTest, AFailedSyncFailsItsCallersAndRetiresTheStore) {
  bool crash = false;
  StoreOptions o = Options();
  o.only_for_testing_crash_at = [&](std::string_view step) {
    return step == "group:sync" && crash;
  };
  auto store = Open(o);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("t", "a", AsBytes("1")).ok());
  crash = true;
  Status s = store->Put("t", "b", AsBytes("2"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("group:sync"), std::string::npos) << s.ToString();
  // Never answered: not the unsynced row, nor anything else.
  EXPECT_FALSE(store->Get("t", "b").ok());
  EXPECT_FALSE(store->Get("t", "a").ok());
  EXPECT_FALSE(store->Put("t", "c", AsBytes("3")).ok());
  // A crash there may keep the commit or not; the acknowledged row is there either way.
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(*store, "t", "a"), "1");
}

}  // namespace
}  // namespace scone::store
