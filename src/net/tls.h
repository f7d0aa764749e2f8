// Server-side TLS credentials for HttpServer::ListenTls (OpenSSL through Boost.Asio, both
// hidden from users of this header).
//
// The policy is fixed, not configurable:
// - TLS 1.3 only (minimum = maximum = TLS 1.3), so there is no renegotiation, no
//   compression and no legacy cipher suite to get wrong. The cipher suites are OpenSSL's
//   TLS 1.3 defaults: AES-256-GCM, ChaCha20-Poly1305, AES-128-GCM.
// - No session resumption: no session tickets are issued and there is no session cache.
//   Every connection makes a full handshake, so a client certificate is always proven by a
//   fresh CertificateVerify, a Replace() cannot be bypassed by resuming an old session, and
//   there are no ticket keys to protect. Clients of the CAS make few connections; the
//   extra cost is one ECDHE and one signature per connection.
// - Client certificates are requested but optional. A client may send none (then
//   PeerInfo::client_certificate_der is empty) or any certificate chain: it is NOT
//   validated against any CA, and expiry, key usage and issuer are not checked, because
//   users' certificates are self-signed. TLS 1.3 still makes the client prove that it holds
//   the certificate's private key (CertificateVerify signs the handshake transcript), so the
//   application can authorize a client by the public key in its certificate (the SCONE key
//   hash, crypto::KeyHashOfCertificate). Anything else in the certificate is the client's
//   claim and must not be trusted.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>

#include "common/secret.h"
#include "common/status.h"

namespace scone::net {

// Thread-safe; shared by the listeners that use it (std::shared_ptr).
class TlsServerContext {
 public:
  // Credentials from a PEM certificate chain (the server's leaf first, then any
  // intermediates; only CERTIFICATE blocks) and the leaf's private key as unencrypted
  // PKCS#8 PEM. kInvalidArgument if either does not parse or the key does not belong to the
  // leaf certificate (messages never contain key material).
  static Result<std::shared_ptr<TlsServerContext>> New(std::string_view certificate_chain_pem,
                                                       const SecretBytes& private_key_pem);

  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;
  ~TlsServerContext();

  // Replaces the credentials, atomically, for connections accepted from now on; open
  // connections keep the credentials they were accepted with. On error (as New) the
  // current credentials stay in place.
  Status Replace(std::string_view certificate_chain_pem, const SecretBytes& private_key_pem);

  // Opaque; defined in net/tls_internal.h for the server's sessions (not part of the API).
  struct Credentials;
  // The credentials for a new connection; the connection keeps the pointer while it lives.
  std::shared_ptr<Credentials> current() const;

 private:
  explicit TlsServerContext(std::shared_ptr<Credentials> credentials);

  mutable std::mutex mu_;
  std::shared_ptr<Credentials> current_;  // never null; guarded by mu_
};

}  // namespace scone::net
