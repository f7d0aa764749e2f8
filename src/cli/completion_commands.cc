// `scone completion bash|zsh` and the hidden `scone man DIR`: shell completion and manual
// pages generated from the command tree this very program parses with (docs/cli.md).
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "cli/command_tree.h"
#include "cli/commands.h"
#include "cli/completion_script.h"
#include "cli/man_page.h"
#include "common/file_util.h"

#ifndef SCONE_VERSION
#define SCONE_VERSION "0.0.0"
#endif

namespace scone::cli {
namespace {

Status WriteManPages(const CommandInfo& tree, const std::string& dir) {
  SCONE_RETURN_IF_ERROR(EnsureDirectory(dir, 0755));
  for (const ManPage& page : ManPages(tree, SCONE_VERSION)) {
    const std::filesystem::path file = std::filesystem::path(dir) / page.file_name;
    SCONE_RETURN_IF_ERROR(WriteFileAtomic(file, AsBytes(page.text), 0644));
  }
  return Status::Ok();
}

}  // namespace

void RegisterCompletionCommands(CLI::App& root, Context& ctx, Action& action) {
  CLI::App* completion =
      root.add_subcommand("completion", "Print a shell completion script for scone (bash or zsh)");
  completion->require_subcommand(1);
  completion->footer(
      "bash: scone completion bash > ~/.local/share/bash-completion/completions/scone\n"
      "zsh:  scone completion zsh > \"${fpath[1]}/_scone\"");
  CLI::App* bash = completion->add_subcommand("bash", "Print the bash completion script");
  bash->callback([&] {
    action = [&]() -> Status {
      ctx.out() << BashCompletionScript(DescribeCommands(root));
      return Status::Ok();
    };
  });
  CLI::App* zsh = completion->add_subcommand("zsh", "Print the zsh completion script");
  zsh->callback([&] {
    action = [&]() -> Status {
      ctx.out() << ZshCompletionScript(DescribeCommands(root));
      return Status::Ok();
    };
  });

  // Hidden (no group): the build and the package run it to make the manual pages.
  auto man_dir = std::make_shared<std::string>();
  CLI::App* man = root.add_subcommand("man", "Write the manual pages (roff) into DIR");
  man->group("");
  man->add_option("DIR", *man_dir, "Folder to write scone.1, scone-cas.1, ... into")->required();
  man->callback([&root, &action, man_dir] {
    action = [&root, man_dir]() -> Status {
      return WriteManPages(DescribeCommands(root), *man_dir);
    };
  });
}

}  // namespace scone::cli
