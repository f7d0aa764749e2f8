#include "cas/server/session_models.h"

#include <gtest/gtest.h>

#include <memory>
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

TEST(SessionModels, FindsTheModelAndCreatorOfAVersionSeenBefore) {
  SessionModels models;
  StoredSession parsed = Version(std::string(64, '5'), "/bin/five");
  parsed.version.creator = std::string(64, 'c');
  EXPECT_FALSE(models.Find("app", parsed.version.hash).has_value());
  auto model = models.Of(parsed);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto found = models.Find("app", parsed.version.hash);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->model.get(), model->get());
  EXPECT_EQ(found->creator, std::string(64, 'c'));
  // Remembered at commit, with the creator of that version.
  StoredSession committed = Version(std::string(64, '6'), "/bin/six");
  committed.version.creator = std::string(64, 'd');
  auto fresh = std::make_shared<const sdl::Session>(**model);
  models.Remember(committed, fresh);
  found = models.Find("app", committed.version.hash);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->model.get(), fresh.get());
  EXPECT_EQ(found->creator, std::string(64, 'd'));
  // Neither another name nor another hash finds it.
  EXPECT_FALSE(models.Find("other", committed.version.hash).has_value());
  EXPECT_FALSE(models.Find("app", std::string(64, '7')).has_value());
  // A file too large to cache is not found either: it is read and parsed each time.
  StoredSession large = Version(std::string(64, '8'), "/bin/large");
  large.yaml += "# " + std::string(SessionModels::kMaxCachedYaml, 'x') + "\n";
  ASSERT_TRUE(models.Of(large).ok());
  EXPECT_FALSE(models.Find("app", large.version.hash).has_value());
}

}  // namespace
}  // namespace scone::cas
