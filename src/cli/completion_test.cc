// The completion scripts and manual pages cover the whole command tree (command_tree.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "cli/cli_test_util.h"
#include "cli/command_tree.h"
#include "cli/commands.h"
#include "cli/completion_script.h"
#include "cli/man_page.h"
#include "common/file_util.h"

namespace scone::cli {
namespace {

// A command or option name as the pages write it: "-" is the roff minus "\\-".
std::string RoffName(const std::string& name) {
  std::string roff;
  for (char c : name) roff += c == '-' ? std::string("\\-") : std::string(1, c);
  return roff;
}

CommandInfo FullTree() {
  std::ostringstream out;
  std::ostringstream err;
  Context ctx(out, err, [] { return int64_t{0}; });
  Action action;
  std::unique_ptr<CLI::App> app = NewCommandTree(ctx, action);
  return DescribeCommands(*app);
}

TEST(CommandTree, DescribesTheVisibleCommands) {
  CommandInfo tree = FullTree();
  std::set<std::string> paths;
  for (const CommandInfo* cmd : AllCommands(tree)) paths.insert(JoinPath(cmd->path, " "));
  for (const char* expected : {"scone", "scone cas", "scone cas attest", "scone cas session",
                               "scone self show", "scone las quote", "scone completion bash"}) {
    EXPECT_TRUE(paths.count(expected)) << expected;
  }
  EXPECT_FALSE(paths.count("scone man")) << "hidden commands stay hidden";
  EXPECT_GT(paths.size(), 30U);
}

TEST(CommandTree, KnowsTheValuesOfAnOption) {
  CommandInfo tree = FullTree();
  for (const CommandInfo* cmd : AllCommands(tree)) {
    if (JoinPath(cmd->path, " ") != "scone self show") continue;
    for (const OptionInfo& opt : cmd->options) {
      if (opt.names == std::vector<std::string>{"--format"}) {
        EXPECT_EQ(opt.choices, (std::vector<std::string>{"text", "json"}));
        return;
      }
    }
  }
  ADD_FAILURE() << "no --format on scone self show";
}

TEST(Completion, EveryCommandAndOptionAppearsInBothScripts) {
  CommandInfo tree = FullTree();
  std::string bash = BashCompletionScript(tree);
  std::string zsh = ZshCompletionScript(tree);
  for (const CommandInfo* cmd : AllCommands(tree)) {
    std::string path = JoinPath(cmd->path, " ");
    for (const std::string* script : {&bash, &zsh}) {
      if (!cmd->subcommands.empty()) {
        std::string subs;
        for (const CommandInfo& sub : cmd->subcommands) {
          subs += (subs.empty() ? "" : " ") + sub.path.back();
        }
        EXPECT_NE(script->find("\"" + path + "\") echo \"" + subs + "\""), std::string::npos)
            << path;
      }
      std::string names;
      for (const OptionInfo& opt : cmd->options) {
        for (const std::string& name : opt.names) names += (names.empty() ? "" : " ") + name;
      }
      if (!names.empty()) {
        EXPECT_NE(script->find("\"" + path + "\") echo \"" + names + "\""), std::string::npos)
            << path << ": " << names;
      }
    }
  }
  EXPECT_NE(bash.find("complete -o filenames -F _scone scone"), std::string::npos);
  EXPECT_EQ(zsh.rfind("#compdef scone\n", 0), 0U);
}

TEST(Completion, LeavesOutWordsTheShellWouldInterpret) {
  CommandInfo tree;
  tree.path = {"scone"};
  OptionInfo opt;
  opt.names = {"--mode"};
  opt.value_name = "TEXT";
  opt.choices = {"plain", "$(reboot)", "a b"};
  tree.options.push_back(opt);
  std::string bash = BashCompletionScript(tree);
  EXPECT_NE(bash.find("\"scone --mode\") echo \"plain\" ;;"), std::string::npos);
  EXPECT_EQ(bash.find("reboot"), std::string::npos);
  EXPECT_EQ(bash.find("a b"), std::string::npos);
}

TEST(ManPages, OnePagePerCommandNamingItsOptionsAndSubcommands) {
  CommandInfo tree = FullTree();
  std::vector<ManPage> pages = ManPages(tree, "1.2.3");
  std::vector<const CommandInfo*> commands = AllCommands(tree);
  ASSERT_EQ(pages.size(), commands.size());
  for (size_t i = 0; i < pages.size(); ++i) {
    const CommandInfo& cmd = *commands[i];
    EXPECT_EQ(pages[i].file_name, JoinPath(cmd.path, "-") + ".1");
    const std::string& text = pages[i].text;
    EXPECT_EQ(text.rfind(".TH \"", 0), 0U) << pages[i].file_name;
    for (const CommandInfo& sub : cmd.subcommands) {
      EXPECT_NE(text.find("\\fB" + RoffName(sub.path.back()) + "\\fR"), std::string::npos)
          << pages[i].file_name << " " << sub.path.back();
    }
    for (const OptionInfo& opt : cmd.options) {
      for (const std::string& name : opt.names) {
        EXPECT_NE(text.find("\\fB" + RoffName(name) + "\\fR"), std::string::npos)
            << pages[i].file_name << " " << name;
      }
    }
  }
}

TEST(ManPages, EscapesRoffControlLinesAndBackslashes) {
  CommandInfo tree;
  tree.path = {"scone"};
  tree.description = "first\n.so /etc/passwd\n'x \\fB";
  std::vector<ManPage> pages = ManPages(tree, "0");
  ASSERT_EQ(pages.size(), 1U);
  EXPECT_EQ(pages[0].text.find("\n.so"), std::string::npos);
  EXPECT_NE(pages[0].text.find("\n\\&.so /etc/passwd\n\\&'x \\efB"), std::string::npos);
}

TEST(CompletionCommand, PrintsTheScriptsAndWritesTheManPages) {
  auto bash = testing::RunScone({"scone", "completion", "bash"}, 0);
  EXPECT_EQ(bash.code, 0) << bash.err;
  EXPECT_NE(bash.out.find("\"scone cas\") echo \""), std::string::npos);
  auto zsh = testing::RunScone({"scone", "completion", "zsh"}, 0);
  EXPECT_EQ(zsh.code, 0) << zsh.err;
  EXPECT_EQ(zsh.out.rfind("#compdef scone", 0), 0U);
  auto none = testing::RunScone({"scone", "completion", "fish"}, 0);
  EXPECT_EQ(none.code, 1);

  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "scone-man-test";
  std::filesystem::remove_all(dir);
  auto man = testing::RunScone({"scone", "man", dir.string()}, 0);
  ASSERT_EQ(man.code, 0) << man.err;
  auto page = ReadFile(dir / "scone-cas-attest.1");
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_NE(page->find("scone\\-cas\\-attest \\- "), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "scone.1"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scone::cli
