// The canonical form of a session and the session hash (DESIGN.md §4; the exact form is
// specified in docs/session-language.md, "Canonical form and session hash").
//
// The canonical form is a JSON text with sorted keys and no insignificant whitespace of
//   {"creator": <null or hex SHA-256 of the creator certificate's DER>,
//    "format": "scone-session-hash/1",
//    "session": <NormalizeSession(session)>}
// and the session hash is the lower-case hex SHA-256 of its UTF-8 bytes. Normalization
// makes two files that mean the same thing produce the same form: key order, quoting and
// flow/block style are gone after parsing; lists that are sets (attestation variants,
// mrenclaves, platforms, tolerate, advisories, policy entries, dns names) are sorted and
// de-duplicated; services, secrets, images and volumes are sorted by name; documented
// defaults are filled in (list_sessions appears only where it differs from read); a
// certificate in an access policy becomes its key hash and a signer key one re-encoded PEM
// block; a command string becomes its argument list; hex digests become lower case. Everything
// else that is present is kept, so any change of meaning changes the hash.
//
// The session must have passed ValidateSession; secret values are part of the form (they
// are part of the policy), so the canonical text must be treated like the session file.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "sdl/model.h"

namespace scone::sdl {

inline constexpr std::string_view kCanonicalFormat = "scone-session-hash/1";

// The normalized session as JSON (see above), with secret values.
nlohmann::json NormalizeSession(const Session& session);

// The canonical text. `creator_certificate` is the uploader's certificate as PEM or DER
// bytes, or nullopt for none; fails if it is not one (CreatorCertificateDer).
Result<std::string> CanonicalForm(const Session& session,
                                  std::optional<std::string_view> creator_certificate);

// The DER bytes of a creator certificate given as one PEM CERTIFICATE block or as DER,
// checked by OpenSSL's X.509 parser (kInvalidArgument if it is not exactly one
// certificate). The hash binds these exact bytes.
Result<Bytes> CreatorCertificateDer(std::string_view certificate);

// 64 lower-case hex digits: SHA-256 of CanonicalForm().
Result<std::string> SessionHash(const Session& session,
                                std::optional<std::string_view> creator_certificate);

}  // namespace scone::sdl
