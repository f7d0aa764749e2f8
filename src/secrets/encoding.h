// Text encodings of rendered secret values. Every output is SecretBytes: the input is
// key material or a secret, and so is its encoding.
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "common/secret.h"

namespace scone::secrets {

SecretBytes HexLower(ByteView data);
// RFC 4648 base64 (section 4) or base64url (section 5), both with '=' padding.
SecretBytes Base64(ByteView data, bool url);
// RFC 4648 base32 (section 6), with or without '=' padding.
SecretBytes Base32(ByteView data, bool pad);
// PEM: "-----BEGIN type-----", base64 in lines of 64, "-----END type-----", each line
// ending in "\n".
SecretBytes Pem(std::string_view type, ByteView der);
// The inside of a JSON string holding `data`: '"' and '\' escaped, \b \f \n \r \t, other
// control characters (and DEL) as \u00XX; well-formed UTF-8 is kept; every byte that is not
// part of well-formed UTF-8 becomes \u00XX (the byte read as Latin-1), so the result is
// always valid JSON text.
SecretBytes EscapeJson(ByteView data);

}  // namespace scone::secrets
