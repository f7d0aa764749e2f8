#include "crypto/random.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>

namespace scone::crypto {
namespace {

TEST(RandomBytes, GivesTheSizeAskedForAndNeverTheSameNonceTwice) {
  for (size_t n : {0u, 1u, 12u, 64u, 65u, 600u}) {
    auto r = RandomBytes(n);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), n);
    if (n >= 12) {
      EXPECT_FALSE(std::all_of(r->begin(), r->end(), [](uint8_t b) { return b == 0; }));
    }
  }
  // Many buffer refills' worth of nonces.
  std::set<Bytes> seen;
  for (int i = 0; i < 5000; ++i) {
    auto nonce = RandomBytes(12);
    ASSERT_TRUE(nonce.ok());
    EXPECT_TRUE(seen.insert(*nonce).second) << "nonce " << i << " repeated";
  }
}

TEST(RandomSecret, GivesTheSizeAskedFor) {
  auto s = RandomSecret(32);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 32u);
}

// A forked child and its parent draw different bytes next, although the parent's thread had
// bytes buffered when it forked.
TEST(RandomBytes, AForkedChildDoesNotReuseItsParentsBufferedBytes) {
  ASSERT_TRUE(RandomBytes(12).ok());  // the buffer now holds more
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto mine = RandomBytes(12);
    bool sent = mine.ok() && ::write(fds[1], mine->data(), mine->size()) == 12;
    ::_exit(sent ? 0 : 1);
  }
  ::close(fds[1]);
  Bytes from_child(12);
  ssize_t got = ::read(fds[0], from_child.data(), from_child.size());
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, 12);
  auto mine = RandomBytes(12);
  ASSERT_TRUE(mine.ok());
  EXPECT_NE(*mine, from_child);
}

}  // namespace
}  // namespace scone::crypto
