#include "sdl/validator.h"

#include <gtest/gtest.h>

#include <string>

namespace scone::sdl {
namespace {

TEST(NamesTest, SessionNamesAllowNamespaces) {
  EXPECT_TRUE(IsValidSessionName("a"));
  EXPECT_TRUE(IsValidSessionName("team-a/project_1/svc.v2~x"));
  EXPECT_TRUE(IsValidSessionName(std::string(128, 'a')));
  EXPECT_FALSE(IsValidSessionName(std::string(129, 'a')));
  EXPECT_FALSE(IsValidSessionName(""));
  EXPECT_FALSE(IsValidSessionName("a//b"));
  EXPECT_FALSE(IsValidSessionName("/a"));
  EXPECT_FALSE(IsValidSessionName("a/"));
  EXPECT_FALSE(IsValidSessionName("a/../b"));
  EXPECT_FALSE(IsValidSessionName("my session"));
  EXPECT_FALSE(IsValidSessionName("a:b"));
}

TEST(NamesTest, EntityNamesHaveNoNamespaces) {
  EXPECT_TRUE(IsValidEntityName("db_password-1.v~2"));
  EXPECT_FALSE(IsValidEntityName("a/b"));
  EXPECT_FALSE(IsValidEntityName(""));
  EXPECT_FALSE(IsValidEntityName("a$b"));
}

// The syntax of valid_for, shared by the session check and certificate generation.
TEST(DurationTest, SumsGroupsOfNumbersAndUnits) {
  EXPECT_EQ(DurationSeconds("90d"), 90 * 86400);
  EXPECT_EQ(DurationSeconds("1y 30d"), 395 * 86400);
  EXPECT_EQ(DurationSeconds(" 12 hours "), 12 * 3600);
  EXPECT_EQ(DurationSeconds("2w3h 4m 5s"), 2 * 7 * 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(DurationSeconds("1 year 1 week 1 day 1 hour 1 minute 1 second"),
            365 * 86400 + 7 * 86400 + 86400 + 3600 + 60 + 1);
  EXPECT_EQ(DurationSeconds("0d"), 0);  // the syntax allows it; a generator may refuse it
  EXPECT_EQ(DurationSeconds("999999999y"), int64_t{999999999} * 365 * 86400);
  // Many large groups are capped, never wrapped around.
  std::string huge;
  for (int i = 0; i < 400; ++i) huge += "999999999y ";
  EXPECT_EQ(DurationSeconds(huge), kMaxDurationSeconds);
}

TEST(DurationTest, RefusesAnythingElse) {
  for (const char* bad : {"", " ", "d", "90", "90 ", "1000000000s", "90D", "90 fortnights",
                          "1y,30d", "-1d", "1.5d", "90d!", "d90"}) {
    EXPECT_FALSE(DurationSeconds(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(PlaceholderTest, FindsNamesAndFormats) {
  std::vector<Placeholder> p;
  ASSERT_TRUE(FindPlaceholders("x $$SCONE::a$$ y $$SCONE::b:privatekey:pkcs8:pem$$", &p).ok());
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].name, "a");
  EXPECT_EQ(p[0].format, "");
  EXPECT_EQ(p[0].offset, 2u);
  EXPECT_EQ(p[1].name, "b");
  EXPECT_EQ(p[1].format, "privatekey:pkcs8:pem");
}

TEST(PlaceholderTest, RejectsUnclosedAndEmpty) {
  std::vector<Placeholder> p;
  size_t bad = 99;
  EXPECT_FALSE(FindPlaceholders("ab $$SCONE::a", &p, &bad).ok());
  EXPECT_EQ(bad, 3u);
  EXPECT_FALSE(FindPlaceholders("$$SCONE::$$", &p).ok());
  EXPECT_FALSE(FindPlaceholders("$$SCONE:::hex$$", &p).ok());
}

TEST(FormatsTest, FormatsDependOnKind) {
  auto ascii = FormatsFor(SecretKind::kAscii);
  EXPECT_NE(std::find(ascii.begin(), ascii.end(), "hex"), ascii.end());
  EXPECT_EQ(std::find(ascii.begin(), ascii.end(), "crt"), ascii.end());
  auto x509 = FormatsFor(SecretKind::kX509);
  EXPECT_NE(std::find(x509.begin(), x509.end(), "crt"), x509.end());
  EXPECT_NE(std::find(x509.begin(), x509.end(), "privatekey:pkcs8:der"), x509.end());
  auto pub = FormatsFor(SecretKind::kPublicKey);
  EXPECT_EQ(std::find(pub.begin(), pub.end(), "pkcs8:pem"), pub.end());
}

}  // namespace
}  // namespace scone::sdl
