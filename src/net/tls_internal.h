// TLS plumbing shared by the server (server_session.cc, tls.cc) and the client
// (http_client.cc). Not part of the net API: it exposes Boost.Asio and OpenSSL types.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <string_view>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "net/tls.h"

namespace scone::net {

// One set of server credentials. Sessions keep a shared_ptr to it while they live, so a
// TlsServerContext::Replace never frees a context that a connection still uses.
struct TlsServerContext::Credentials {
  boost::asio::ssl::context ssl{boost::asio::ssl::context::tls_server};
};

namespace tls_internal {

// Restricts `ctx` to TLS 1.3 with the cipher suites documented in tls.h, and turns off
// session resumption (no tickets, no session cache) on both sides.
Status ConfigureTls13(SSL_CTX* ctx);

// Installs a PEM certificate chain (leaf first) and the leaf's PKCS#8 PEM private key in
// `ctx`. kInvalidArgument if either does not parse or they do not match; `what` names the
// credentials in messages ("server", "client").
Status UseCertificateAndKey(SSL_CTX* ctx, std::string_view certificate_chain_pem,
                            const SecretBytes& private_key_pem, std::string_view what);

// The peer's leaf certificate as DER; empty if the peer sent none.
Result<Bytes> PeerCertificateDer(SSL* ssl);
// The SubjectPublicKeyInfo of the peer's leaf certificate as DER; empty if it sent none.
Result<Bytes> PeerCertificateSpkiDer(SSL* ssl);

}  // namespace tls_internal
}  // namespace scone::net
