// libFuzzer target: the CLI state file (cli/config_store.h, cli/cas_db.h, docs/cli-state.md),
// which `scone` reads from ~/.cas/config.json on every run: the file may have been edited by
// hand, damaged, or written by another version.
//
// Properties beyond "no crash, no sanitizer report, no uncaught exception":
//  - a file that parses is written back in a form that parses to the same state, and
//    writing that again gives the same bytes (the state survives every `scone` run);
//  - every stored CAS entry either parses or is refused with kInvalidArgument, and the
//    listing and lookup commands work on whatever the file holds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cli/cas_db.h"
#include "cli/config_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace scone;
  using namespace scone::cli;
  std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  auto config = ConfigStore::Parse(text);
  if (!config.ok()) {
    (void)config.status().ToString();
    return 0;
  }
  SecretBytes written = ConfigStore::Serialize(*config);
  auto again = ConfigStore::Parse(AsChars(written.Reveal()));
  if (!again.ok()) std::abort();
  if (again->identity.key_hash != config->identity.key_hash || again->cas_db != config->cas_db ||
      again->default_cas != config->default_cas) {
    std::abort();
  }
  if (!(ConfigStore::Serialize(*again) == written)) std::abort();

  for (const auto& name : CasNames(*config)) {
    auto entry = CasEntry::FromJson(name, config->cas_db.at(name));
    if (!entry.ok() && entry.status().code() != Code::kInvalidArgument) std::abort();
    if (entry.ok()) (void)entry->ToJson().dump();
    (void)FindCas(*config, name);
  }
  (void)FindCas(*config, "");
  (void)FormatCasList(*config);
  (void)CasListJson(*config).dump();
  return 0;
}
