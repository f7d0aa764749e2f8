// Logging for the servers (las, cas), through spdlog.
//
// Every line is "<YYYY-MM-DDTHH:MM:SSZ> <LEVEL> <component>: <message>" on standard error,
// e.g. "2026-11-27T17:30:01Z INFO las: listening on unix:/run/las.sock" (UTC; date and time
// are one field so that `awk '{print $7}'` finds the value of "cas: CAS key hash: X"). Log what was
// done and for whom (hashes, addresses, sizes), never key material, tokens of other parties or
// secret values.
//
// Every message is escaped before it is written (common/printable.h): a newline, an ESC
// sequence or invalid UTF-8 in a logged value (a program path, a peer's text, a file name)
// appears as \n, \x1b, \xHH, so that no value can forge a line or drive a terminal. Callers
// log values as they are; the formatter below is the one place that escapes.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace scone {

// The formatter of every log line (the format above, message escaped). Exposed for tests.
std::unique_ptr<spdlog::formatter> NewLogFormatter();

// Makes `component` the default logger with the format above. Call once, early in main.
void InitLogging(const std::string& component);

}  // namespace scone
