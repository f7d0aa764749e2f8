// Validation of a parsed session against the rules of the session language that relate
// its parts to each other (the parser has already checked shapes, types and keywords):
//
//  * names: the session name is [A-Za-z0-9_\-.~]{1,128} segments joined by '/'
//    (namespaces); service, secret, image and volume names are one such segment, unique
//    within their list;
//  * access_policy: ANY and NONE must stand alone in their list; signer entries and
//    governance groups only in update and create_sessions, groups holding only signers and
//    groups, N of require-at-least-N from 1 to the group's size, no member twice; a
//    $$SCONE::name$$ entry names an ascii secret whose value is a key hash, or an x509
//    secret, of this session (declared or imported with its kind);
//  * secrets: size, value and import exclude each other; an x509 secret needs a
//    private_key (unless it has a value or is imported); private_key names a private-key
//    secret and issuer an x509-ca secret of this session; issuer chains do not loop;
//  * services: image_name names an image; every service has an attestation variant
//    unless security.attestation.mode is none;
//  * placeholders: every $$SCONE::name[:format]$$ in a service (command, environment,
//    pwd) or an injection file (path, content) names a declared (or imported) secret with
//    a format valid for its kind (FormatsForSecret) and no pipe but |escape(json);
//  * images: every image volume names a declared volume; no two injection files or volumes
//    of an image share a path;
//  * references to other sessions name valid sessions, secrets and volumes;
//  * security: ignore_advisories "*" only when debug-mode is tolerated.
//
// The first violation is reported, with the position of the offending value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sdl/diagnostic.h"
#include "sdl/model.h"
#include "sdl/placeholders.h"  // FormatsFor, FindPlaceholders (part of this API)

namespace scone::sdl {

// Validates `session`. On failure returns kInvalidArgument and, if `diagnostic` is
// given, fills it in.
Status ValidateSession(const Session& session, Diagnostic* diagnostic = nullptr);

bool IsValidSessionName(std::string_view name);  // with '/' namespaces
bool IsValidEntityName(std::string_view name);   // services, secrets, images, volumes

// A duration as `valid_for` writes it: groups of a number (1 to 9 digits) and a unit (s, m,
// h, d, w, y, or second(s), minute(s), hour(s), day(s), week(s), year(s) where a year is
// 365 days), separated by optional spaces: "90d", "1y 30d", "12 hours". The total in
// seconds (at most kMaxDurationSeconds: a larger total is reported as that); nullopt if the
// text is not such a duration. The session language checks the syntax; the range a secret
// accepts is its generator's to check (secrets::ParseValidFor).
std::optional<int64_t> DurationSeconds(std::string_view text);
inline constexpr int64_t kMaxDurationSeconds = int64_t{1} << 62;

}  // namespace scone::sdl
