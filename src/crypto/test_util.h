// Helpers for tests that need keys and certificates (header-only; not part of any library).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "common/bytes.h"
#include "crypto/key_hash.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::crypto::testing {

// A P-256 key with a self-signed certificate valid from an hour before `now` for a day, in
// every encoding tests compare.
struct TestIdentity {
  EvpPkeyPtr key;
  X509Ptr cert;
  std::string pem;
  Bytes der;
  Bytes spki;
  std::string key_hash;
};

inline TestIdentity MakeTestIdentity(const char* common_name, int64_t now) {
  TestIdentity t;
  t.key = std::move(*GenerateEcP256Key());
  CertificateOptions o;
  o.common_name = common_name;
  o.not_before = now - 3600;
  o.not_after = now + 86400;
  t.cert = std::move(*CreateCertificate(t.key.get(), t.key.get(), nullptr, o));
  t.pem = *CertificateToPem(t.cert.get());
  t.der = *CertificateToDer(t.cert.get());
  t.spki = *PublicKeySpkiDer(t.key.get());
  t.key_hash = KeyHashFromSpkiDer(t.spki);
  return t;
}

}  // namespace scone::crypto::testing
