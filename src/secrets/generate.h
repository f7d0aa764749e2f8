// Generation of a session version's secret values (docs/secrets.md, "Generation"), with
// OpenSSL, when CAS stores the version:
//
//   ascii        `size` (default 20) characters drawn uniformly from the 94 visible ASCII
//                characters 0x21-0x7e
//   binary       `size` (default 20) random bytes
//   private-key  a new key of `key_type` (P-256 default, P-384, P-521, Ed25519, RSA-2048,
//                RSA-3072, RSA-4096)
//   public-key   the public key of its `private_key` secret
//   x509         a certificate over the key of `private_key`, issued by the x509-ca secret
//   x509-ca      `issuer` or self-signed, subject CN = `common_name` (default: the
//                secret's name), `dns`/`san` entries, `endpoint` EKU, `valid_for` from `now`
//                (default 365 days); an x509-ca without `private_key` gets a new P-256 key
//
// Explicit `value`s are checked and converted to the same form: hex for binary, one PEM
// key for keys (of the stated key_type), a PEM certificate chain for certificates (whose
// first certificate must match the key of `private_key`, when given).
#pragma once

#include <cstdint>
#include <optional>

#include "common/status.h"
#include "sdl/model.h"
#include "secrets/value.h"

namespace scone::secrets {

// The version before an update: its session and its stored values. Both borrowed.
struct PreviousVersion {
  const sdl::Session* session = nullptr;
  const SecretValues* values = nullptr;
};

struct GenerateOptions {
  int64_t now = 0;  // Unix seconds: notBefore of new certificates
  // The active version before this one (migration.h decides what is kept), if any.
  std::optional<PreviousVersion> previous;
  // Values of this session's imported secrets, by the name this session gives them, as
  // CAS resolved them from the exporters (borrowed; may be null when nothing is imported
  // or no generated secret refers to an import).
  const SecretValues* imported = nullptr;
};

// The value of every secret of `session` (validated by sdl::ValidateSession) that is not
// imported. kInvalidArgument, naming the secret but never its material, when an explicit
// value is wrong or a certificate field cannot be made (an unusable SAN, common name
// longer than 64 characters, ...); kFailedPrecondition when a secret refers to an import
// whose value `imported` lacks.
Result<SecretValues> GenerateSecrets(const sdl::Session& session, const GenerateOptions& options);

}  // namespace scone::secrets
