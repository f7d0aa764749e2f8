// The values of a session's secrets, as CAS keeps them: one SecretValue per secret, in
// secret types from generation (generate.h) through the store to the renderer (render.h).
//
// SerializeValues/ParseValues are the bytes CAS stores (encrypted, docs/store.md) for one
// session version; the format is versioned and pinned by value_kat_test.cc
// (docs/secrets.md, "Stored form").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "sdl/model.h"

namespace scone::secrets {

struct SecretValue {
  sdl::SecretKind kind = sdl::SecretKind::kAscii;
  // ascii: the text; binary: the bytes; private-key: the unencrypted PKCS#8 DER;
  // public-key: the SubjectPublicKeyInfo DER; x509/x509-ca: the PKCS#8 DER of the
  // certificate's private key, empty when the certificate was given without one.
  SecretBytes material;
  // x509/x509-ca: DER certificates, the secret's own first, then its issuers up to the
  // root (the root included, also when it is the certificate itself only once). Empty for
  // every other kind.
  std::vector<Bytes> chain;
};

// The values of one session version by secret name (the names this session uses).
using SecretValues = std::map<std::string, SecretValue, std::less<>>;

// The stored form ("SCONE-SECRETS" || u16 version 1 || entries, docs/secrets.md).
Result<SecretBytes> SerializeValues(const SecretValues& values);
// Parses the stored form strictly: kInvalidArgument naming the field and offset for any
// malformed, truncated or trailing byte, an unknown version or kind, names out of order.
Result<SecretValues> ParseValues(ByteView stored);

// The byte that stands for `kind` in the stored form (1 ascii ... 6 x509-ca).
uint8_t KindCode(sdl::SecretKind kind);

}  // namespace scone::secrets
