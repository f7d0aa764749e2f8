#include "attestation/tcb_status.h"

#include <string>

namespace scone::attestation {

namespace {
constexpr std::pair<TcbStatus, std::string_view> kNames[] = {
    {TcbStatus::kUpToDate, "UpToDate"},
    {TcbStatus::kSWHardeningNeeded, "SWHardeningNeeded"},
    {TcbStatus::kConfigurationNeeded, "ConfigurationNeeded"},
    {TcbStatus::kConfigurationAndSWHardeningNeeded, "ConfigurationAndSWHardeningNeeded"},
    {TcbStatus::kOutOfDate, "OutOfDate"},
    {TcbStatus::kOutOfDateConfigurationNeeded, "OutOfDateConfigurationNeeded"},
    {TcbStatus::kRevoked, "Revoked"},
};
}  // namespace

std::string_view TcbStatusName(TcbStatus status) {
  for (const auto& [s, n] : kNames) {
    if (s == status) return n;
  }
  return "Unknown";
}

std::vector<std::string> TcbStatusNames() {
  std::vector<std::string> names;
  for (const auto& [s, n] : kNames) names.emplace_back(n);
  return names;
}

Result<TcbStatus> ParseTcbStatus(std::string_view name) {
  for (const auto& [s, n] : kNames) {
    if (n == name) return s;
  }
  return InvalidArgument("unknown TCB status \"" + std::string(name.substr(0, 64)) + "\"");
}

}  // namespace scone::attestation
