// Secret placeholders `$$SCONE::NAME[:FORMAT][|PIPE]$$`: how they are found in a text, the
// formats each kind of secret accepts and the older spellings. The validator checks them
// at upload and the renderer (src/secrets/render.h) fills them in at delivery; both use
// these definitions, so a placeholder that validates always renders.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sdl/model.h"

namespace scone::sdl {

// The formats `$$SCONE::name:format$$` accepts for a secret of `kind` ("" = no format).
std::vector<std::string_view> FormatsFor(SecretKind kind);

// The formats a secret accepts: FormatsFor(its kind), without the private-key formats
// of an x509/x509-ca secret that has an explicit `value` and no `private_key` (CAS has no
// key to deliver). A kind-less import accepts every format of every kind.
std::vector<std::string_view> FormatsForSecret(const Secret& secret);

// Every format of every kind.
std::vector<std::string_view> AllFormats();

// The one pipe: `|escape(json)` escapes the rendered value as the inside of a JSON string.
inline constexpr std::string_view kEscapeJsonPipe = "escape(json)";

// One `$$SCONE::name[:format][|pipe]$$` occurrence.
struct Placeholder {
  std::string name;
  std::string format;  // empty when none was given
  std::string pipe;    // empty when none was given
  size_t offset = 0;   // of the first '$'
  size_t length = 0;   // through the closing "$$"
};

// Every placeholder in `text`, in order. Fails if a "$$SCONE::" has no closing "$$", an
// empty name or an empty pipe (offset in `bad_offset`). Which pipes exist is not checked
// here.
Status FindPlaceholders(std::string_view text, std::vector<Placeholder>* out,
                        size_t* bad_offset = nullptr);

// The older spellings `NAME.crt`, `NAME.key`, `NAME.chain` (x509, x509-ca) and `NAME.hex`
// (binary): the secret's name and the format the suffix stands for.
struct LegacyPlaceholder {
  std::string name;
  std::string_view format;  // "crt", "privatekey", "chain" or "hex"
};
// The legacy reading of a placeholder without format whose name ends in one of these
// suffixes, if it applies to a secret of `kind` (nullopt: a kind-less import, any kind).
std::optional<LegacyPlaceholder> LegacyReading(std::string_view name,
                                               std::optional<SecretKind> kind);
// Just the split, before the secret's kind is known.
std::optional<LegacyPlaceholder> SplitLegacy(std::string_view name);

}  // namespace scone::sdl
