// The parts of an x509/x509-ca secret that become certificate fields: `valid_for`, the
// subject alternative names and the extended key usage of `endpoint`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sdl/model.h"

namespace scone::secrets {

// Default validity of a generated certificate when `valid_for` is not given: 365 days.
inline constexpr int64_t kDefaultValidFor = int64_t{365} * 24 * 3600;

// Seconds of a `valid_for` text such as "90d", "1y 30d", "12 hours" (the session
// language's syntax: sdl::DurationSeconds). kInvalidArgument for anything else, a zero
// duration, or more than 100 years.
Result<int64_t> ParseValidFor(std::string_view text);

// The subjectAltName entries ("DNS:name", "IP:address") of `dns`/`san` items: "dns:NAME"
// and "ip:ADDRESS" as in SCONE's `san`, a bare IPv4/IPv6 address as IP, anything else as
// a DNS name. A DNS name is 1-253 characters of letters, digits, '-', '.', '_' and a
// leading "*." (a wildcard); an address must parse. Anything else is kInvalidArgument
// naming the secret (so that no entry can smuggle further entries into the extension).
Result<std::vector<std::string>> SubjectAltNames(const sdl::Secret& secret);

// The extended key usages of `endpoint`: server -> serverAuth, client -> clientAuth,
// server_and_client -> both, none -> none.
std::vector<std::string> ExtendedKeyUsage(const sdl::Secret& secret);

}  // namespace scone::secrets
