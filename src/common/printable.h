// Text from a peer, a file or an argument as it may be written to a log line or a terminal.
//
// A value that reaches a log or an error message may hold a newline (which would start a
// forged log line), an ESC sequence (which a terminal obeys: colours, cursor moves, window
// titles), a bidirectional override (which reorders what a reader sees) or bytes that are not
// UTF-8. PrintableText() replaces each of those with a visible escape and leaves everything
// else as it is, so that ordinary text (letters of any script, punctuation, spaces) stays
// readable and one call produces one line:
//
//   \n \r \t          newline, carriage return, tab
//   \\                a backslash (so that an escape in the output is never ambiguous)
//   \xHH              any other C0 control (0x00-0x1f), DEL (0x7f), and every byte that is
//                     not part of well-formed UTF-8 (overlong forms, surrogates, > U+10FFFF,
//                     truncated sequences)
//   \u{HHHH}          C1 controls (U+0080-U+009F), the line and paragraph separators
//                     (U+2028, U+2029) and the bidirectional controls (U+200E, U+200F,
//                     U+202A-U+202E, U+2066-U+2069)
//
// The logging layer (common/log.h) applies it to every log message and `scone` to every
// error it prints (docs/architecture.md, "Untrusted text in logs and messages").
#pragma once

#include <string>
#include <string_view>

namespace scone {

// Whether `text` holds anything PrintableText() would change (cheap: one pass, no copy).
bool NeedsEscaping(std::string_view text);

// `text` with the characters listed above escaped.
std::string PrintableText(std::string_view text);

}  // namespace scone
