// The local side of `scone session ...`: loading with variables, the uploaded text and the
// comparison of `verify` (cli/session_file.h).
#include "cli/session_file.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/file_util.h"
#include "common/test_util.h"

namespace scone::cli {
namespace {
using nlohmann::json;

constexpr char kMre[] = "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac";
constexpr char kPred[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

// The seed's sessions/my-example-session.002.yml.
constexpr char kSeed002[] =
    "name: \"my-example-session\"\nversion: \"0.2\"\n\nservices:\n  - name: webservice\n"
    "    command: \"./nginx\"\n    mrenclaves: [\"$NGINX_MRENCLAVE\"]\n";

sdl::Session Load(const std::string& text, const sdl::Variables& vars = {}) {
  auto checked = sdl::LoadSession(text, "test.yml", vars);
  EXPECT_TRUE(checked.ok()) << checked.status().ToString();
  return checked.ok() ? checked->session : sdl::Session{};
}

sdl::Variables Nginx(const std::string& value = kMre) {
  sdl::Variables vars;
  vars.Set("NGINX_MRENCLAVE", value);
  return vars;
}

TEST(FirstDifference, EqualDocumentsHaveNone) {
  json a = {{"name", "s"}, {"services", {{{"name", "a"}, {"x", 1}}}}};
  EXPECT_EQ(FirstDifference(a, a), std::nullopt);
}

TEST(FirstDifference, NamesTheScalarPath) {
  json a = {{"access_policy", {{"read", {"CREATOR"}}}}};
  json b = {{"access_policy", {{"read", {"ANY"}}}}};
  EXPECT_EQ(FirstDifference(a, b), "access_policy.read[0]");
}

TEST(FirstDifference, ComparesNamedListsByName) {
  json a = {{"services", {{{"name", "api"}, {"pwd", "/"}}, {{"name", "web"}, {"pwd", "/a"}}}}};
  json b = {{"services", {{{"name", "api"}, {"pwd", "/"}}, {{"name", "web"}, {"pwd", "/b"}}}}};
  EXPECT_EQ(FirstDifference(a, b), "services[web].pwd");
  json c = {{"services", {{{"name", "api"}, {"pwd", "/"}}, {{"name", "www"}, {"pwd", "/a"}}}}};
  EXPECT_EQ(FirstDifference(a, c), "services[web]");  // only in a, first in name order
}

TEST(FirstDifference, NamesAMissingMemberAndAnExtraElement) {
  EXPECT_EQ(FirstDifference(json{{"a", 1}}, json{{"a", 1}, {"b", 2}}), "b");
  EXPECT_EQ(FirstDifference(json{{"l", {1, 2}}}, json{{"l", {1, 2, 3}}}), "l[2]");
  EXPECT_EQ(FirstDifference(json{{"l", {1}}}, json{{"l", "x"}}), "l");
  EXPECT_EQ(FirstDifference(json(1), json("x")), "(the whole session)");
}

TEST(FirstDifference, NeverShowsAValue) {
  json a = {{"secrets", {{{"name", "db"}, {"kind", "ascii"}, {"value", "hunter2"}}}}};
  json b = {{"secrets", {{{"name", "db"}, {"kind", "ascii"}, {"value", "hunter3"}}}}};
  auto path = FirstDifference(a, b);
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, "secrets[db].value");
}

TEST(VerifyDifference, MatchesAfterSubstitutionAndIgnoresAnUnstatedPredecessor) {
  sdl::Session file = Load(kSeed002, Nginx());
  sdl::Session active = file;
  active.predecessor = sdl::LString{kPred, {}};
  EXPECT_EQ(VerifyDifference(file, active), std::nullopt);
}

TEST(VerifyDifference, NamesTheFirstDifferingPath) {
  sdl::Session file = Load(kSeed002, Nginx());
  sdl::Session active = Load(kSeed002, Nginx(std::string(64, 'b')));
  auto path = VerifyDifference(file, active);
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(*path, "services[webservice].attestation[0].mrenclave");
}

TEST(VerifyDifference, AStatedPredecessorMustMatch) {
  sdl::Session file = Load(kSeed002, Nginx());
  file.predecessor = sdl::LString{kPred, {}};
  sdl::Session active = Load(kSeed002, Nginx());
  active.predecessor = sdl::LString{std::string(64, 'c'), {}};
  EXPECT_EQ(VerifyDifference(file, active), "predecessor");
}

TEST(UploadText, ReadsBackToTheSameHashWithThePredecessor) {
  sdl::Session s = Load(kSeed002, Nginx());
  s.predecessor = sdl::LString{kPred, {}};
  auto text = UploadText(s, "f.yml");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->find("$NGINX_MRENCLAVE"), std::string::npos);
  sdl::Session back = Load(*text);
  ASSERT_TRUE(back.predecessor.has_value());
  EXPECT_EQ(back.predecessor->value, kPred);
  EXPECT_EQ(*sdl::SessionHash(back, std::nullopt), *sdl::SessionHash(s, std::nullopt));
}

TEST(UploadText, KeepsSecretValues) {
  sdl::Session s = Load(
      "name: s\nversion: \"0.3\"\nsecrets:\n  - name: pw\n    kind: ascii\n    value: hunter2\n");
  auto text = UploadText(s, "f.yml");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("hunter2"), std::string::npos);
}

TEST(UploadText, RefusesAValueThatCasWouldReadAsAVariable) {
  sdl::Variables vars;
  vars.Set("P", "$HOME/x");
  sdl::Session s = Load(
      "name: s\nversion: \"0.3\"\nservices:\n  - name: a\n    pwd: $P\n"
      "    attestation: {mrenclave: [" +
          std::string(kMre) + "]}\n",
      vars);
  auto text = UploadText(s, "f.yml");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), Code::kInvalidArgument);
  EXPECT_NE(text.status().message().find("f.yml"), std::string::npos);
  EXPECT_EQ(text.status().message().find("$HOME"), std::string::npos);  // no value shown
}

TEST(LoadSessionFile, AMissingVariableIsAnErrorNamingIt) {
  scone::testing::TempDir dir("scone-session-file");
  auto path = dir.path() / "002.yml";
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes(std::string(kSeed002)), 0600).ok());
  std::ostringstream warnings;
  SessionFileArgs args{path.string(), {}, false, ""};
  auto missing = LoadSessionFile(args, warnings);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("NGINX_MRENCLAVE"), std::string::npos);
  args.env = {std::string("NGINX_MRENCLAVE=") + kMre};
  args.name = "renamed";
  auto loaded = LoadSessionFile(args, warnings);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->session.name.value, "renamed");
  EXPECT_NE(warnings.str().find("deprecated"), std::string::npos);
}

}  // namespace
}  // namespace scone::cli
