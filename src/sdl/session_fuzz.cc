// libFuzzer target: session parsing, validation, canonical form and printing.
//
// Besides "no crash, no sanitizer report, no uncaught exception", it checks one property
// on every input that loads: the printed session (with secret values) loads again and
// has the same session hash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sdl/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  scone::sdl::Variables vars;
  vars.Set("NGINX_MRENCLAVE", "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac");
  vars.Set("NAME", "fuzz");
  vars.Set("EMPTY", "");
  scone::sdl::Diagnostic diag;
  auto loaded = scone::sdl::LoadSession(text, "fuzz.yaml", vars, std::nullopt, &diag);
  if (!loaded.ok()) {
    (void)diag.ToString();
    return 0;
  }
  auto hash = scone::sdl::SessionHash(loaded->session, std::nullopt);
  if (!hash.ok()) std::abort();  // a loaded session always has a canonical form
  (void)scone::sdl::SessionToJson(loaded->session).dump();
  std::string printed = scone::sdl::SessionToYaml(loaded->session, {.reveal_secret_values = true});
  auto again = scone::sdl::LoadSession(printed, "printed.yaml", scone::sdl::Variables());
  if (!again.ok()) std::abort();
  auto hash2 = scone::sdl::SessionHash(again->session, std::nullopt);
  if (!hash2.ok() || *hash2 != *hash) std::abort();
  return 0;
}
