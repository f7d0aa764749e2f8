#include "common/resource_limit.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace scone {
namespace {

TEST(ResourceLimitTest, RaisesTheSoftDescriptorLimitToTheHardOne) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max == RLIM_INFINITY || saved.rlim_max < 128) GTEST_SKIP() << "hard limit";
  rlimit low = saved;
  low.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  ASSERT_EQ(OpenFileLimit(), 64u);
  EXPECT_EQ(RaiseOpenFileLimit(), static_cast<size_t>(saved.rlim_max));
  EXPECT_EQ(OpenFileLimit(), static_cast<size_t>(saved.rlim_max));
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

}  // namespace
}  // namespace scone
