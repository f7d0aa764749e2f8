// Diagnostics of the session description language: what went wrong, of which kind, and
// where (file, line, column).
//
// Every error the sdl layer reports is a Diagnostic first; callers that only need the
// code base's error model get it as a Status (code kInvalidArgument, message
// "FILE:LINE:COLUMN: KIND: MESSAGE"). Tests assert on `kind`, `line` and `column`, never on
// the text. Messages never contain secret values or injected file contents: they are built
// from key names, secret names, positions and, for enumerations, the offending keyword.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace scone::sdl {

// A position in the session file. Lines and columns are 1-based; 0 means "not from the
// file" (e.g. a value given with --name).
struct Position {
  int line = 0;
  int column = 0;
  bool operator==(const Position&) const = default;
};

enum class ErrorKind {
  kYamlSyntax,            // the text is not YAML
  kTooLarge,              // input size, nesting depth or node count above the limits
  kUnknownKey,            // a key the language does not define (typos must not pass)
  kDuplicateKey,          // a mapping key given twice
  kWrongType,             // e.g. a list where a string was expected
  kMissingKey,            // a required key is absent
  kInvalidValue,          // a value outside its domain (hex length, keyword, range)
  kInvalidName,           // a session, service, secret, image or volume name
  kUnsupportedVersion,    // `version` is not 0.2 or 0.3
  kDuplicateName,         // two services, secrets, images or volumes with one name
  kUndefinedVariable,     // $NAME with no value from -e or --use-env
  kMalformedVariable,     // "${" without "}", "${}"
  kExclusiveEntry,        // ANY / NONE / "*" combined with other entries
  kBadKeyHash,            // an access-policy key hash that does not decode
  kBadCertificate,        // an access-policy certificate or x509 value that does not parse
  kConflictingKeys,       // keys that exclude each other (isvsvn and isvsvn_min, ...)
  kX509NeedsPrivateKey,   // an x509 secret without private_key, value or import
  kWrongReferenceKind,    // private_key not naming a private-key, issuer not an x509-ca
  kUnknownSecret,         // a reference to a secret that is not declared
  kUnknownImage,          // image_name naming no image
  kUnknownVolume,         // an image volume naming no volume
  kBadSecretFormat,       // $$SCONE::name:format$$ with a format invalid for the kind
  kMalformedPlaceholder,  // "$$SCONE::" without a closing "$$"
  kAdvisoriesNeedDebug,   // ignore_advisories "*" without tolerating debug-mode
  kMissingAttestation,    // a service without attestation variant in hardware mode
  kMisplacedEntry,        // an access-policy entry where it may not stand (signer in read, ...)
  kBadPublicKey,          // a signer key that is not an Ed25519 or P-384 SubjectPublicKeyInfo
  kSignedSession,         // a signed session ({session, signatures}): not supported yet
};
// The last kind (tests iterate over all of them).
inline constexpr ErrorKind kLastErrorKind = ErrorKind::kSignedSession;

// Stable kebab-case name of a kind ("unknown-key"), used in messages and test data.
std::string_view ErrorKindName(ErrorKind kind);

struct Diagnostic {
  ErrorKind kind = ErrorKind::kInvalidValue;
  std::string file;
  Position position;
  std::string message;  // what was wrong and what would be valid

  // "FILE:LINE:COLUMN: KIND: MESSAGE" (the position is left out when unknown).
  std::string ToString() const;
  // kInvalidArgument with ToString() as message.
  Status ToStatus() const;
};

}  // namespace scone::sdl
