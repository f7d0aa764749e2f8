// Secret command-line options (secret_option.h).
#include "cli/secret_option.h"

namespace scone::cli {

CLI::Option* AddSecretOption(CLI::App* cmd, const std::string& name, SecretBytes& target,
                             const std::string& description) {
  CLI::Option* option = cmd->add_option(
      name,
      [&target](const CLI::results_t& results) {
        if (results.size() != 1) return false;
        // The option's own copy of the argument (a member of the option, not a const
        // object; CLI11 passes it as const): read once, then wiped in place.
        auto& text = const_cast<std::string&>(
            results.front());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
        target = SecretBytes::CopyFrom(AsBytes(text));
        WipeMemory(text.data(), text.size());
        return true;
      },
      description);
  option->type_size(1);
  option->expected(1);
  return option;
}

}  // namespace scone::cli
