#include "cli/completion_script.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace scone::cli {
namespace {

bool IsShellWord(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._+:/=-").find(c) != std::string_view::npos;
  });
}

std::string Words(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (IsShellWord(w)) out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

// One function per table, the same for bash and zsh (both read this subset of sh):
//   _scone_subcommands PATH       -> the subcommands of PATH ("scone cas")
//   _scone_options PATH           -> its options
//   _scone_value_options PATH     -> those of its options that take a value
//   _scone_choices "PATH OPTION"  -> the values the option accepts, if CLI11 knows them
std::string Tables(const CommandInfo& tree) {
  std::string subs = "_scone_subcommands() {\n  case \"$1\" in\n";
  std::string opts = "_scone_options() {\n  case \"$1\" in\n";
  std::string value_opts = "_scone_value_options() {\n  case \"$1\" in\n";
  std::string choices = "_scone_choices() {\n  case \"$1\" in\n";
  for (const CommandInfo* cmd : AllCommands(tree)) {
    const std::string path = JoinPath(cmd->path, " ");
    std::vector<std::string> sub_names;
    for (const CommandInfo& sub : cmd->subcommands) sub_names.push_back(sub.path.back());
    std::vector<std::string> names;
    std::vector<std::string> with_value;
    for (const OptionInfo& opt : cmd->options) {
      if (!opt.positional.empty()) continue;
      names.insert(names.end(), opt.names.begin(), opt.names.end());
      if (!opt.value_name.empty()) {
        with_value.insert(with_value.end(), opt.names.begin(), opt.names.end());
        const std::string values = Words(opt.choices);
        if (values.empty()) continue;
        for (const std::string& n : opt.names) {
          if (IsShellWord(n)) {
            choices += "    \"" + path + " " + n + "\") echo \"" + values + "\" ;;\n";
          }
        }
      }
    }
    if (!sub_names.empty()) subs += "    \"" + path + "\") echo \"" + Words(sub_names) + "\" ;;\n";
    if (!names.empty()) opts += "    \"" + path + "\") echo \"" + Words(names) + "\" ;;\n";
    if (!with_value.empty()) {
      value_opts += "    \"" + path + "\") echo \"" + Words(with_value) + "\" ;;\n";
    }
  }
  const std::string end = "  esac\n}\n";
  return subs + end + opts + end + value_opts + end + choices + end;
}

// _scone_in WORD LIST: whether WORD is one of the words of LIST (each shell splits it).
constexpr std::string_view kBashIn = R"sh(_scone_in() {
  local w
  for w in $2; do [ "$w" = "$1" ] && return 0; done
  return 1
}
)sh";
constexpr std::string_view kZshIn = R"sh(_scone_in() {
  local w
  for w in ${=2}; do [[ "$w" == "$1" ]] && return 0; done
  return 1
}
)sh";
// _scone_takes_value PATH OPTION: whether OPTION takes a value there. The root's options may
// follow any subcommand (CLI11 fallthrough), so they are looked up too.
constexpr std::string_view kHelpers = R"sh(_scone_takes_value() {
  _scone_in "$2" "$(_scone_value_options "$1")" || _scone_in "$2" "$(_scone_value_options scone)"
}
)sh";

}  // namespace

std::string BashCompletionScript(const CommandInfo& tree) {
  std::string s =
      "# bash completion for scone, generated from its command tree by `scone completion "
      "bash`.\n";
  s += Tables(tree);
  s += kBashIn;
  s += kHelpers;
  // The walk over the words before the cursor: $cmd becomes the command reached ("scone cas
  // attest"), $skip is set after an option that takes a value (its value is the cursor's).
  s += R"sh(_scone() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmd=scone skip=0 i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*=*) ;;
      -*) _scone_takes_value "$cmd" "$w" && skip=1 ;;
      *) _scone_in "$w" "$(_scone_subcommands "$cmd")" && cmd="$cmd $w" ;;
    esac
  done
  ((COMP_CWORD > 1)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
  COMPREPLY=()
  if ((skip)); then
    local values
    values="$(_scone_choices "$cmd $prev")"
    [ -n "$values" ] || values="$(_scone_choices "scone $prev")"
    if [ -n "$values" ]; then
      mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_scone_options "$cmd")" -- "$cur")
    return 0
  fi
  local subs
  subs="$(_scone_subcommands "$cmd")"
  if [ -n "$subs" ]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
  return 0
}
complete -o filenames -F _scone scone
)sh";
  return s;
}

std::string ZshCompletionScript(const CommandInfo& tree) {
  std::string s =
      "#compdef scone\n# zsh completion for scone, generated from its command tree by `scone "
      "completion zsh`.\n";
  s += Tables(tree);
  s += kZshIn;
  s += kHelpers;
  // zsh: $words is 1-based and $CURRENT is the cursor's word; `path` is taken by zsh.
  s += R"sh(_scone() {
  local cur="${words[CURRENT]}" prev="${words[CURRENT-1]}" cmd=scone w
  local -i skip=0 i
  for ((i = 2; i < CURRENT; i++)); do
    w="${words[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*=*) ;;
      -*) _scone_takes_value "$cmd" "$w" && skip=1 ;;
      *) _scone_in "$w" "$(_scone_subcommands "$cmd")" && cmd="$cmd $w" ;;
    esac
  done
  if ((skip)); then
    local values="$(_scone_choices "$cmd $prev")"
    [[ -n "$values" ]] || values="$(_scone_choices "scone $prev")"
    if [[ -n "$values" ]]; then compadd -- ${=values}; else _files; fi
    return
  fi
  if [[ "$cur" == -* ]]; then
    compadd -- ${=$(_scone_options "$cmd")}
    return
  fi
  local subs="$(_scone_subcommands "$cmd")"
  if [[ -n "$subs" ]]; then compadd -- ${=subs}; else _files; fi
}
_scone "$@"
)sh";
  return s;
}

}  // namespace scone::cli
