#include "secrets/certificates.h"

#include <arpa/inet.h>

#include <algorithm>

#include "sdl/validator.h"

namespace scone::secrets {
namespace {

constexpr int64_t kMaxValidFor = 100LL * 365 * 24 * 3600;

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
  std::optional<int64_t> seconds = sdl::DurationSeconds(t);
  if (!seconds.has_value() || *seconds == 0 || *seconds > kMaxValidFor) {
    return InvalidArgument(
        "valid_for must be a duration such as \"90d\", \"1y\" or \"12 hours\" (at most 100 "
        "years)");
  }
  return *seconds;
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
