#include "cas/server/session_models.h"

#include <gtest/gtest.h>

#include <string>

namespace scone::cas {
namespace {

StoredSession Version(const std::string& hash, const std::string& command) {
  StoredSession s;
  s.name = "app";
  s.version.hash = hash;
  s.yaml = "name: app\nversion: \"0.3\"\nservices:\n  - name: web\n    command: " + command +
           "\n    mrenclaves: [" + std::string(64, 'a') + "]\n";
  return s;
}

std::string CommandOf(const sdl::Session& session) {
  const auto& command = session.services.at(0).command;
  return command.has_value() && !command->empty() ? command->front().value : "";
}

TEST(SessionModels, EachVersionIsItsOwnEntry) {
  SessionModels models;
  auto first = models.Of(Version(std::string(64, '1'), "/bin/one"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(CommandOf(**first), "/bin/one");
  // Another version of the same name is parsed, not served from the first one's entry.
  auto second = models.Of(Version(std::string(64, '2'), "/bin/two"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(CommandOf(**second), "/bin/two");
  EXPECT_EQ(models.size(), 2u);
  // A repeat is the same parsed model.
  auto again = models.Of(Version(std::string(64, '1'), "/bin/one"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), first->get());
}

TEST(SessionModels, ALargeFileIsParsedEachTimeAndABrokenOneIsAnError) {
  SessionModels models;
  StoredSession large = Version(std::string(64, '3'), "/bin/large");
  large.yaml += "# " + std::string(SessionModels::kMaxCachedYaml, 'x') + "\n";
  auto model = models.Of(large);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(models.size(), 0u);
  StoredSession broken = Version(std::string(64, '4'), "/bin/x");
  broken.yaml = "name: [";
  EXPECT_EQ(models.Of(broken).status().code(), Code::kInternal);
  EXPECT_EQ(models.size(), 0u);
}

}  // namespace
}  // namespace scone::cas
