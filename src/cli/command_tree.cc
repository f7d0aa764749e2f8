#include "cli/command_tree.h"

#include <string_view>

namespace scone::cli {
namespace {

// "TEXT:{text,json}" -> "TEXT" and {"text", "json"}: CLI11 appends every validator's
// description to the type name; IsMember's is the set in braces.
void SplitTypeName(const std::string& full, OptionInfo& info) {
  std::string_view rest(full);
  bool first = true;
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string_view part = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (first) {
      info.value_name = std::string(part);
      first = false;
    } else if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      std::string_view items = part.substr(1, part.size() - 2);
      while (!items.empty()) {
        size_t comma = items.find(',');
        info.choices.emplace_back(items.substr(0, comma));
        items = comma == std::string_view::npos ? std::string_view() : items.substr(comma + 1);
      }
    }
  }
}

OptionInfo DescribeOption(const CLI::Option& opt) {
  OptionInfo info;
  if (opt.get_positional() && opt.get_snames().empty() && opt.get_lnames().empty()) {
    info.positional = opt.get_name(/*positional=*/true);
  }
  for (const std::string& s : opt.get_snames()) info.names.push_back("-" + s);
  for (const std::string& l : opt.get_lnames()) info.names.push_back("--" + l);
  if (opt.get_type_size_max() > 0) SplitTypeName(opt.get_type_name(), info);
  if (info.value_name.empty() && !info.positional.empty()) info.value_name = info.positional;
  info.description = opt.get_description();
  info.env = opt.get_envname();
  info.required = opt.get_required();
  return info;
}

CommandInfo Describe(const CLI::App& app, std::vector<std::string> path) {
  CommandInfo info;
  info.path = std::move(path);
  info.description = app.get_description();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    info.options.push_back(DescribeOption(*opt));
  }
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name().empty() || sub->get_group().empty()) continue;  // hidden
    std::vector<std::string> sub_path = info.path;
    sub_path.push_back(sub->get_name());
    info.subcommands.push_back(Describe(*sub, std::move(sub_path)));
  }
  return info;
}

void Collect(const CommandInfo& cmd, std::vector<const CommandInfo*>& out) {
  out.push_back(&cmd);
  for (const CommandInfo& sub : cmd.subcommands) Collect(sub, out);
}

}  // namespace

CommandInfo DescribeCommands(const CLI::App& root) { return Describe(root, {root.get_name()}); }

std::vector<const CommandInfo*> AllCommands(const CommandInfo& tree) {
  std::vector<const CommandInfo*> out;
  Collect(tree, out);
  return out;
}

std::string JoinPath(const std::vector<std::string>& path, const std::string& separator) {
  std::string out;
  for (const std::string& p : path) out += (out.empty() ? "" : separator) + p;
  return out;
}

}  // namespace scone::cli
