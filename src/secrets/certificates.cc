#include "secrets/certificates.h"

#include <arpa/inet.h>

#include <algorithm>

namespace scone::secrets {
namespace {

constexpr int64_t kMaxValidFor = 100LL * 365 * 24 * 3600;

std::optional<int64_t> UnitSeconds(std::string_view unit) {
  if (unit == "s" || unit == "second" || unit == "seconds") return 1;
  if (unit == "m" || unit == "minute" || unit == "minutes") return 60;
  if (unit == "h" || unit == "hour" || unit == "hours") return 3600;
  if (unit == "d" || unit == "day" || unit == "days") return 86400;
  if (unit == "w" || unit == "week" || unit == "weeks") return 7 * 86400;
  if (unit == "y" || unit == "year" || unit == "years") return 365 * 86400;
  return std::nullopt;
}

bool IsDnsName(std::string_view n) {
  if (n.starts_with("*.")) n.remove_prefix(2);
  if (n.empty() || n.size() > 253 || n.front() == '.' || n.front() == '-') return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

bool IsIpAddress(std::string_view a) {
  std::string s(a);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace

Result<int64_t> ParseValidFor(std::string_view t) {
  auto bad = [] {
    return InvalidArgument(
        "valid_for must be a duration such as \"90d\", \"1y\" or \"12 hours\" (at most 100 "
        "years)");
  };
  int64_t total = 0;
  size_t i = 0;
  bool any = false;
  while (i < t.size()) {
    while (i < t.size() && t[i] == ' ') ++i;
    if (i == t.size()) break;
    int64_t n = 0;
    size_t ds = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (i - ds >= 9) return bad();
      n = n * 10 + (t[i] - '0');
      ++i;
    }
    if (i == ds) return bad();
    while (i < t.size() && t[i] == ' ') ++i;
    size_t us = i;
    while (i < t.size() && t[i] >= 'a' && t[i] <= 'z') ++i;
    auto unit = UnitSeconds(t.substr(us, i - us));
    if (!unit) return bad();
    total += n * *unit;  // n < 1e9, unit <= 3.2e7: no overflow before the check below
    if (total > kMaxValidFor) return bad();
    any = true;
  }
  if (!any || total == 0) return bad();
  return total;
}

Result<std::vector<std::string>> SubjectAltNames(const sdl::Secret& secret) {
  std::vector<std::string> out;
  for (const sdl::LString& item : secret.dns) {
    std::string_view v = item.value;
    bool ip = false;
    if (v.starts_with("dns:") || v.starts_with("DNS:")) {
      v.remove_prefix(4);
    } else if (v.starts_with("ip:") || v.starts_with("IP:")) {
      v.remove_prefix(3);
      ip = true;
    } else {
      ip = IsIpAddress(v);
    }
    if (ip ? !IsIpAddress(v) : !IsDnsName(v)) {
      return InvalidArgument("a subject alternative name of secret \"" + secret.name.value +
                             "\" is neither a DNS name nor an IP address; write dns:NAME or "
                             "ip:ADDRESS");
    }
    out.push_back((ip ? "IP:" : "DNS:") + std::string(v));
  }
  return out;
}

std::vector<std::string> ExtendedKeyUsage(const sdl::Secret& secret) {
  if (!secret.endpoint) return {};
  const std::string& e = secret.endpoint->value;
  if (e == "server") return {"serverAuth"};
  if (e == "client") return {"clientAuth"};
  return {"serverAuth", "clientAuth"};
}

}  // namespace scone::secrets
