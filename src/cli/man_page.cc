#include "cli/man_page.h"

#include <cctype>
#include <string_view>

namespace scone::cli {
namespace {

// Text for roff: a backslash is written \e, a hyphen \- (so that option names stay
// copyable), and a line that would start with a control character ('.' or '\'') starts
// with the zero-width \& instead. Control characters are left out.
std::string Roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = false;
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c == '\n') {
      out += '\n';
      line_start = true;
    } else if (std::iscntrl(static_cast<unsigned char>(c)) == 0) {
      out += c;
    }
  }
  return out;
}

std::string PageName(const CommandInfo& cmd) { return JoinPath(cmd.path, "-"); }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string OptionHeading(const OptionInfo& opt) {
  if (!opt.positional.empty()) return "\\fI" + Roff(opt.positional) + "\\fR";
  std::string out;
  for (const std::string& n : opt.names) {
    out += (out.empty() ? "" : ", ") + ("\\fB" + Roff(n) + "\\fR");
  }
  if (!opt.value_name.empty()) out += " \\fI" + Roff(opt.value_name) + "\\fR";
  return out;
}

std::string Synopsis(const CommandInfo& cmd) {
  std::string out = ".B " + Roff(JoinPath(cmd.path, " ")) + "\n";
  if (!cmd.subcommands.empty()) out += "\\fICOMMAND\\fR\n";
  bool has_options = false;
  for (const OptionInfo& opt : cmd.options) has_options = has_options || opt.positional.empty();
  if (has_options) out += "[\\fIOPTIONS\\fR]\n";
  for (const OptionInfo& opt : cmd.options) {
    if (opt.positional.empty()) continue;
    std::string name = "\\fI" + Roff(opt.positional) + "\\fR";
    out += (opt.required ? name : "[" + name + "]") + "\n";
  }
  return out;
}

std::string Page(const CommandInfo& cmd, const std::string& version) {
  const std::string name = PageName(cmd);
  std::string out = ".TH \"" + Roff(Upper(name)) + "\" 1 \"\" \"scone " + Roff(version) +
                    "\" \"User Commands\"\n";
  out += ".SH NAME\n" + Roff(name) + " \\- " + Roff(cmd.description) + "\n";
  out += ".SH SYNOPSIS\n" + Synopsis(cmd);
  out += ".SH DESCRIPTION\n" + Roff(cmd.description) + "\n";
  if (!cmd.subcommands.empty()) {
    out += ".SH COMMANDS\n";
    for (const CommandInfo& sub : cmd.subcommands) {
      out += ".TP\n\\fB" + Roff(sub.path.back()) + "\\fR\n" + Roff(sub.description) + " See \\fB" +
             Roff(PageName(sub)) + "\\fR(1).\n";
    }
  }
  if (!cmd.options.empty()) {
    out += ".SH OPTIONS\n";
    for (const OptionInfo& opt : cmd.options) {
      out += ".TP\n" + OptionHeading(opt) + "\n" + Roff(opt.description);
      if (!opt.description.empty() && opt.description.back() != '.') out += ".";
      if (!opt.choices.empty()) {
        std::string values;
        for (const std::string& c : opt.choices) values += (values.empty() ? "" : ", ") + c;
        out += " One of: " + Roff(values) + ".";
      }
      if (!opt.env.empty()) out += " Environment: \\fB" + Roff(opt.env) + "\\fR.";
      if (opt.required) out += " Required.";
      out += "\n";
    }
  }
  out += ".SH SEE ALSO\n";
  std::string see;
  if (cmd.path.size() > 1) {
    see = "\\fB" + Roff(JoinPath({cmd.path.begin(), cmd.path.end() - 1}, "-")) + "\\fR(1)";
  }
  for (const CommandInfo& sub : cmd.subcommands) {
    see += (see.empty() ? "" : ",\n") + ("\\fB" + Roff(PageName(sub)) + "\\fR(1)");
  }
  if (!see.empty()) see += ",\n";
  out += see + "the project's docs/cli.md.\n";
  return out;
}

}  // namespace

std::vector<ManPage> ManPages(const CommandInfo& tree, const std::string& version) {
  std::vector<ManPage> pages;
  for (const CommandInfo* cmd : AllCommands(tree)) {
    pages.push_back({PageName(*cmd) + ".1", Page(*cmd, version)});
  }
  return pages;
}

}  // namespace scone::cli
