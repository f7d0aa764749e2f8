#include "sdl/validator.h"

#include <gtest/gtest.h>

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
