// The typed model of a SCONE session description (session language "0.3"; "0.2" files are
// read with the same model). See docs/session-language.md for every key and its meaning.
//
// A Session is what the parser produced from one file after variable substitution: it
// keeps the order and the source positions of the file so that the validator can point
// at the offending line. It is a plain value type (copyable, no invariants beyond what
// the parser guarantees: every Located<> field that is present came from the file or
// from --name). The parser converts values to their types (numbers, booleans, permission
// digits, an access-policy certificate to its key hash, a signer key to its DER); all other
// normalization (sorting, de-duplication, defaults) happens when the canonical form is built
// (canonical.h).
//
// Secret `value`s are held in SecretBytes (wiped when freed, reachable only through
// Reveal()), from the parser on; the renderer (src/secrets) reads them there. Injection
// file `content`s are ordinary strings: they are configuration that may hold
// placeholders, not secret values. Neither is ever copied into a message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/secret.h"
#include "sdl/diagnostic.h"

namespace scone::sdl {

template <typename T>
struct Located {
  T value{};
  Position position;
};
using LString = Located<std::string>;

// Highest supported language version, and the older one read for compatibility.
inline constexpr std::string_view kLanguageVersion = "0.3";
inline constexpr std::string_view kCompatVersion = "0.2";

// --- services ---------------------------------------------------------------------------

// The signer part of an attestation variant: who signed the enclave (MRSIGNER), which
// product (ISVPRODID) and which security version(s) (ISVSVN exactly, or a range).
struct Signer {
  LString mrsigner;                            // 64 hex digits
  std::optional<Located<uint16_t>> isvprodid;  // required: always present after parsing
  std::optional<Located<uint16_t>> isvsvn;
  std::optional<Located<uint16_t>> isvsvn_min;
  std::optional<Located<uint16_t>> isvsvn_max;
  Position position;
};

// One acceptable identity of a service's enclave. A service may run if any one of its
// variants matches; within a variant, every given part must match. An empty mrenclave
// list means "any MRENCLAVE" (then a signer is required).
struct AttestationVariant {
  std::vector<LString> mrenclaves;  // 64 hex digits each
  std::optional<Signer> signer;
  Position position;
};

struct Service {
  LString name;
  std::optional<std::vector<LString>> command;  // argv; a string command is split
  bool command_was_string = false;
  std::vector<std::pair<LString, LString>> environment;  // in file order; keys unique
  std::optional<LString> pwd;
  std::optional<LString> image_name;
  std::vector<AttestationVariant> attestation;  // incl. those from `mrenclaves`
  bool uses_deprecated_mrenclaves = false;
  std::vector<LString> platforms;  // 64 hex digits each; empty = any platform
  std::optional<LString> fspf_path;
  std::optional<LString> fspf_key;  // 64 hex digits
  std::optional<LString> fspf_tag;  // 32 hex digits
  Position position;
};

// --- secrets ----------------------------------------------------------------------------

enum class SecretKind { kAscii, kBinary, kPrivateKey, kPublicKey, kX509, kX509Ca };

// "ascii", "binary", "private-key", "public-key", "x509", "x509-ca".
std::string_view SecretKindName(SecretKind kind);
std::optional<SecretKind> ParseSecretKind(std::string_view name);

// A reference to another session (export target or import source), optionally on
// another CAS.
struct SessionRef {
  LString session;                      // the other session's name (or namespace)
  bool is_namespace = false;            // export: {namespace: NS}, every session in NS
  std::optional<LString> session_hash;  // pins one version (64 hex digits)
  std::optional<LString> item;          // import: the secret/volume name over there
  std::optional<LString> cas_url;       // another CAS's address
  std::optional<LString> cas_key;       // that CAS's key hash
  std::optional<LString> cas_software_key;
  Position position;
};

struct Secret {
  LString name;
  // Absent only for an imported secret that does not state its kind (the exporting
  // session defines it); every other secret has one.
  std::optional<Located<SecretKind>> kind;
  std::optional<Located<uint64_t>> size;
  // Explicit secret material as written in the file (text; hex digits for binary, PEM
  // for keys and certificates); never printed in messages.
  std::optional<Located<SecretBytes>> value;
  std::optional<LString> key_type;
  std::optional<LString> private_key;  // x509, x509-ca, public-key: names a private-key secret
  std::optional<LString> issuer;       // names an x509-ca secret
  std::optional<LString> common_name;
  std::optional<LString> endpoint;
  std::vector<LString> dns;  // subject alternative names (`dns`, or its synonym `san`)
  std::optional<LString> valid_for;
  std::vector<SessionRef> exports;
  std::optional<SessionRef> import;
  std::optional<Located<bool>> export_public;
  std::optional<Located<bool>> migrate;
  Position position;
};

// --- images and volumes -----------------------------------------------------------------

struct InjectionFile {
  LString path;
  std::optional<LString> content;     // may hold $$SCONE::...$$ placeholders
  std::optional<LString> permission;  // normalized to four octal digits, e.g. "0600"
  Position position;
};

struct ImageVolume {
  LString name;  // names a top-level volume
  LString path;
  Position position;
};

struct Image {
  LString name;
  std::vector<InjectionFile> injection_files;
  std::vector<ImageVolume> volumes;
  Position position;
};

struct Volume {
  LString name;
  std::vector<SessionRef> exports;
  std::optional<SessionRef> import;
  Position position;
};

// --- access policy and security ---------------------------------------------------------

// One entry of an access-policy list (docs/session-language.md "access_policy"). A list
// admits a client if any one of its entries does. The parser accepts every kind anywhere;
// the validator decides where each may stand (signer and governance entries only in
// `update` and `create_sessions`, governance groups holding only signers and groups).
struct PolicyEntry {
  enum class Kind {
    kCreator,         // CREATOR
    kAny,             // ANY (alone in its list)
    kNone,            // NONE (alone in its list)
    kKeyHash,         // a key hash, or a PEM certificate (its key hash)
    kSecret,          // $$SCONE::name$$: an ascii (key hash) or x509 secret of the session
    kSigner,          // signer: <SPKI PEM> (Ed25519 or P-384)
    kRequireAll,      // require-all: [members]
    kRequireAtLeast,  // require-at-least-N: [members]
  };
  Kind kind = Kind::kCreator;
  std::string key_hash;  // kKeyHash: the key hash given, or that of the certificate given
  bool from_certificate = false;
  std::string secret;      // kSecret: the secret's name
  std::string signer_pem;  // kSigner: the public key, re-encoded as one PEM PUBLIC KEY block
  Bytes signer_spki;       // kSigner: its DER SubjectPublicKeyInfo
  uint32_t at_least = 0;   // kRequireAtLeast: N
  std::vector<PolicyEntry> members;  // kRequireAll, kRequireAtLeast: in file order
  Position position;
};

struct AccessPolicy {
  std::optional<std::vector<PolicyEntry>> read;
  std::optional<std::vector<PolicyEntry>> update;
  std::optional<std::vector<PolicyEntry>> create_sessions;
  std::optional<std::vector<PolicyEntry>> list_sessions;  // SDL 0.3.12
  Position position;
};

enum class AttestationMode { kHardware, kNone };

struct SecurityAttestation {
  Located<AttestationMode> mode{AttestationMode::kHardware, {}};
  std::vector<LString> tolerate;           // documented keywords, see kTolerateValues
  std::vector<LString> ignore_advisories;  // "INTEL-SA-xxxxx" ids
  bool ignore_all_advisories = false;      // ignore_advisories: "*"
  Position ignore_advisories_position;
  Position position;
};

// The values `tolerate` accepts.
inline constexpr std::string_view kTolerateValues[] = {
    "debug-mode",
    "hyperthreading",
    "insecure-igpu",
    "outdated-tcb",
    "software-hardening-needed",
    "insecure-configuration",
    "aepic-leak",
};

struct Session {
  std::string file_name;
  LString name;
  LString version;
  std::optional<LString> predecessor;  // 64 hex digits; absent or ~ for none
  std::vector<Service> services;
  std::vector<Secret> secrets;
  std::vector<Image> images;
  std::vector<Volume> volumes;
  AccessPolicy access_policy;
  SecurityAttestation security;
};

}  // namespace scone::sdl
