// Logging for the servers (las, cas), through spdlog.
//
// Every line is "<YYYY-MM-DD> <HH:MM:SS> <LEVEL> <component>: <message>" on standard error,
// e.g. "2026-11-27 17:30:01 INFO las: listening on unix:/run/las.sock". Log what was done
// and for whom (hashes, addresses, sizes), never key material, tokens of other parties or
// secret values.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace scone {

// Makes `component` the default logger with the format above. Call once, early in main.
void InitLogging(const std::string& component);

}  // namespace scone
