// libFuzzer target: the owner configuration parser (cas/owner_config.h) in its three formats.
// The whole input is parsed as TOML, as JSON and as YAML, so the seed corpus holds plain
// configuration files (fuzz/corpus/owner_config_fuzz/).
//
// Properties beyond "no crash, no sanitizer report, no uncaught exception":
//  - every accepted document is a JSON object, at most 32 levels deep, that dumps as UTF-8;
//  - it survives the trip CAS gives it: dumped as JSON and parsed again (format JSON), it is
//    the same object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cas/owner_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using scone::cas::ConfigFormat;
  std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  for (auto format : {ConfigFormat::kToml, ConfigFormat::kJson, ConfigFormat::kYaml}) {
    auto parsed = scone::cas::ParseOwnerConfig(text, format, "fuzz");
    if (!parsed.ok()) {
      (void)parsed.status().ToString();
      continue;
    }
    if (!parsed->is_object()) std::abort();
    std::string dumped = parsed->dump();  // does not throw: the parser checked UTF-8
    auto again = scone::cas::ParseOwnerConfig(dumped, ConfigFormat::kJson, "dumped");
    if (!again.ok() || *again != *parsed) std::abort();
  }
  return 0;
}
