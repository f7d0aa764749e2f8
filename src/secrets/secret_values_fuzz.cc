// libFuzzer target: the stored form of secret values (secrets/value.h, ParseValues).
//
// The bytes come from CAS's encrypted store, so they are authenticated before they are
// parsed; the parser is strict anyway. Properties beyond "no crash, no sanitizer report":
//  - every input that parses serializes back to exactly the input (one encoding per value
//    set: names in order, no trailing bytes);
//  - every value that parses renders in every format of its kind without crashing (a
//    rendering may fail, e.g. material that is no key, but never reaches undefined
//    behaviour).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sdl/placeholders.h"
#include "secrets/render.h"
#include "secrets/value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace scone;
  auto values = secrets::ParseValues(ByteView(data, size));
  if (!values.ok()) return 0;
  auto again = secrets::SerializeValues(*values);
  if (!again.ok()) std::abort();
  ByteView back = again->Reveal();
  if (back.size() != size || !std::equal(back.begin(), back.end(), data)) std::abort();
  for (const auto& [name, value] : *values) {
    for (std::string_view format : sdl::FormatsFor(value.kind)) {
      (void)secrets::RenderValue(value, format);
    }
  }
  return 0;
}
