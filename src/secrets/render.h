// The one renderer of secret placeholders `$$SCONE::NAME[:FORMAT][|escape(json)]$$`
// (docs/secrets.md, "Placeholders"). The enclave API fills service commands, environment
// values, pwd and injection files with it.
//
// Which formats a kind takes is sdl::FormatsFor (src/sdl/placeholders.h), the list the
// validator checks at upload; RenderValue renders every one of them (render_test.cc checks
// every pair), so a session that validated never fails here for an unknown secret or
// format, only when CAS lacks a value it should hold (an unresolved import).
#pragma once

#include <string>
#include <string_view>

#include "common/secret.h"
#include "common/status.h"
#include "secrets/value.h"

namespace scone::secrets {

// `value` in `format` ("" for the kind's default):
//   ascii, binary     "" and bin: the bytes; hex (lower case); base64, base64url (with
//                     padding); base32, base32nopad
//   private-key       "", pem, pkcs8:pem: PKCS#8 PEM; der, pkcs8:der: PKCS#8 DER
//   public-key        "", pem, spki:pem: PEM "PUBLIC KEY"; der, spki:der: SPKI DER
//   x509, x509-ca     "", pem, crt, crt:pem: the certificate as PEM; der, crt:der: as DER;
//                     chain: the certificate and its issuers up to the root, PEM, leaf
//                     first; privatekey[:pem|:pkcs8:pem]: its key as PKCS#8 PEM;
//                     privatekey:der, privatekey:pkcs8:der: as DER; pkcs12-with-private-key:
//                     DER PKCS#12 of key and chain with the empty password
// kInvalidArgument for a format the kind does not take or a certificate without a key
// where its key is asked for.
Result<SecretBytes> RenderValue(const SecretValue& value, std::string_view format);

// The part of `value` that `export_public: true` lets anyone read (GET /v1/values): ascii:
// the text; binary: lower-case hex; private-key: its public key, PEM "PUBLIC KEY";
// public-key: PEM; x509, x509-ca: the certificate, PEM (never its private key).
Result<std::string> RenderPublic(const SecretValue& value);

// `text` with every placeholder replaced. Names resolve in `values` (the session's own
// values and its resolved imports, under the names this session gives them); the older
// spellings NAME.crt/.key/.chain/.hex as sdl::LegacyReading reads them; the pipe
// |escape(json) applies to the rendered value. A malformed placeholder, a name without a
// value, an unknown format or pipe is an error that names the placeholder's secret and
// format, never a value; nothing is returned then.
Result<SecretBytes> RenderText(std::string_view text, const SecretValues& values);

}  // namespace scone::secrets
