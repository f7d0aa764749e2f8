// Secret command-line options (secret_option.h).
#include "cli/secret_option.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace scone::cli {
namespace {

constexpr char kToken[] = "0123456789abcdef0123456789abcdef";

// The value goes into the SecretBytes, and the copy CLI11 keeps of the argument is wiped:
// no std::string of the option holds the token after parsing (a plain string option keeps
// it in Option::results() for the life of the process).
TEST(SecretOption, TheValueIsKeptOnlyInTheSecret) {
  CLI::App app;
  SecretBytes token;
  CLI::Option* option = AddSecretOption(&app, "--token", token, "a token");
  std::vector<std::string> args = {"--token", kToken};
  std::vector<const char*> argv = {"test"};
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(AsChars(token.Reveal()), kToken);
  ASSERT_EQ(option->results().size(), 1u);
  EXPECT_EQ(option->results().front().find_first_not_of('\0'), std::string::npos);
  EXPECT_EQ(option->count(), 1u);
}

TEST(SecretOption, AbsentLeavesTheSecretEmptyAndRepeatingItIsRefused) {
  CLI::App app;
  SecretBytes token;
  AddSecretOption(&app, "--token", token, "a token");
  std::vector<const char*> none = {"test"};
  app.parse(static_cast<int>(none.size()), none.data());
  EXPECT_TRUE(token.empty());

  CLI::App twice;
  SecretBytes t2;
  AddSecretOption(&twice, "--token", t2, "a token");
  std::vector<const char*> argv = {"test", "--token", "aa", "--token", "bb"};
  EXPECT_THROW(twice.parse(static_cast<int>(argv.size()), argv.data()), CLI::ParseError);
}

}  // namespace
}  // namespace scone::cli
