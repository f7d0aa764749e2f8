#include "sdl/diagnostic.h"

namespace scone::sdl {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kYamlSyntax:
      return "yaml-syntax";
    case ErrorKind::kTooLarge:
      return "too-large";
    case ErrorKind::kUnknownKey:
      return "unknown-key";
    case ErrorKind::kDuplicateKey:
      return "duplicate-key";
    case ErrorKind::kWrongType:
      return "wrong-type";
    case ErrorKind::kMissingKey:
      return "missing-key";
    case ErrorKind::kInvalidValue:
      return "invalid-value";
    case ErrorKind::kInvalidName:
      return "invalid-name";
    case ErrorKind::kUnsupportedVersion:
      return "unsupported-version";
    case ErrorKind::kDuplicateName:
      return "duplicate-name";
    case ErrorKind::kUndefinedVariable:
      return "undefined-variable";
    case ErrorKind::kMalformedVariable:
      return "malformed-variable";
    case ErrorKind::kExclusiveEntry:
      return "exclusive-entry";
    case ErrorKind::kBadKeyHash:
      return "bad-key-hash";
    case ErrorKind::kBadCertificate:
      return "bad-certificate";
    case ErrorKind::kConflictingKeys:
      return "conflicting-keys";
    case ErrorKind::kX509NeedsPrivateKey:
      return "x509-needs-private-key";
    case ErrorKind::kWrongReferenceKind:
      return "wrong-reference-kind";
    case ErrorKind::kUnknownSecret:
      return "unknown-secret";
    case ErrorKind::kUnknownImage:
      return "unknown-image";
    case ErrorKind::kUnknownVolume:
      return "unknown-volume";
    case ErrorKind::kBadSecretFormat:
      return "bad-secret-format";
    case ErrorKind::kMalformedPlaceholder:
      return "malformed-placeholder";
    case ErrorKind::kAdvisoriesNeedDebug:
      return "advisories-need-debug";
    case ErrorKind::kMissingAttestation:
      return "missing-attestation";
    case ErrorKind::kMisplacedEntry:
      return "misplaced-entry";
    case ErrorKind::kBadPublicKey:
      return "bad-public-key";
    case ErrorKind::kSignedSession:
      return "signed-session";
  }
  return "unknown";
}

std::string Diagnostic::ToString() const {
  std::string s = file.empty() ? std::string("<session>") : file;
  if (position.line > 0) {
    s += ":" + std::to_string(position.line) + ":" + std::to_string(position.column);
  }
  s += ": ";
  s += ErrorKindName(kind);
  s += ": ";
  s += message;
  return s;
}

Status Diagnostic::ToStatus() const { return InvalidArgument(ToString()); }

}  // namespace scone::sdl
