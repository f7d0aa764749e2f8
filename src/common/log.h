// Logging for the servers (las, cas), through spdlog.
//
// Every line is "<YYYY-MM-DDTHH:MM:SSZ> <LEVEL> <component>: <message>" on standard error,
// e.g. "2026-11-27T17:30:01Z INFO las: listening on unix:/run/las.sock" (UTC; date and time
// are one field so that `awk '{print $7}'` finds the value of "cas: CAS key hash: X"). Log what was
// done and for whom (hashes, addresses, sizes), never key material, tokens of other parties or
// secret values.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace scone {

// Makes `component` the default logger with the format above. Call once, early in main.
void InitLogging(const std::string& component);

}  // namespace scone
