#include "sdl/model.h"

namespace scone::sdl {

std::string_view SecretKindName(SecretKind kind) {
  switch (kind) {
    case SecretKind::kAscii:
      return "ascii";
    case SecretKind::kBinary:
      return "binary";
    case SecretKind::kPrivateKey:
      return "private-key";
    case SecretKind::kPublicKey:
      return "public-key";
    case SecretKind::kX509:
      return "x509";
    case SecretKind::kX509Ca:
      return "x509-ca";
  }
  return "?";
}

std::optional<SecretKind> ParseSecretKind(std::string_view name) {
  for (SecretKind k : {SecretKind::kAscii, SecretKind::kBinary, SecretKind::kPrivateKey,
                       SecretKind::kPublicKey, SecretKind::kX509, SecretKind::kX509Ca}) {
    if (SecretKindName(k) == name) return k;
  }
  return std::nullopt;
}

}  // namespace scone::sdl
