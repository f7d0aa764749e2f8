#include "common/bounded_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace scone {
namespace {

TEST(BoundedCacheTest, FindsWhatWasInserted) {
  BoundedCache<std::string> cache(4);
  EXPECT_FALSE(cache.Find("a").has_value());
  cache.Insert("a", "1");
  ASSERT_TRUE(cache.Find("a").has_value());
  EXPECT_EQ(*cache.Find("a"), "1");
  cache.Insert("a", "2");
  EXPECT_EQ(*cache.Find("a"), "2");
  EXPECT_EQ(cache.size(), 1U);
}

TEST(BoundedCacheTest, NeverHoldsMoreThanItsBound) {
  BoundedCache<int> cache(3);
  for (int i = 0; i < 100; ++i) {
    cache.Insert(std::to_string(i), i);
    EXPECT_LE(cache.size(), 3U);
  }
  // The last insertion is always there.
  EXPECT_EQ(cache.Find("99"), 99);
}

TEST(BoundedCacheTest, ConcurrentUseIsSafe) {
  BoundedCache<int> cache(16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 1000; ++i) {
        std::string key = std::to_string((i * 7 + t) % 40);
        cache.Insert(key, i);
        auto v = cache.Find(key);
        (void)v;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.size(), 16U);
}

}  // namespace
}  // namespace scone
