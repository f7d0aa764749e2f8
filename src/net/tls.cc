#include "net/tls.h"

#include <utility>

#include "crypto/keys.h"
#include "crypto/openssl_util.h"
#include "crypto/x509.h"
#include "net/tls_internal.h"

namespace scone::net {
namespace tls_internal {
namespace {

// TLS 1.3's suites in OpenSSL's default order, spelled out so that a system-wide
// openssl.cnf cannot change them.
constexpr char kCipherSuites[] =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

// Accepts any client certificate chain: the application authorizes clients by their public
// key, and TLS 1.3's CertificateVerify (which OpenSSL checks regardless of this callback)
// proves that the client holds the private key. See tls.h.
int AcceptAnyChain(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

}  // namespace

Status ConfigureTls13(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kCipherSuites) != 1 || SSL_CTX_set_num_tickets(ctx, 0) != 1) {
    return crypto::OpenSslError("configuring TLS 1.3");
  }
  // CLEANSE_PLAINTEXT: received records are decrypted in place, and without it their
  // plaintext (a provisioning token, a key) stays in OpenSSL's read buffer until overwritten.
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CLEANSE_PLAINTEXT);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  // An idle connection gives its record buffers back (they are allocated again when needed).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  return Status::Ok();
}

Status UseCertificateAndKey(SSL_CTX* ctx, std::string_view certificate_chain_pem,
                            const SecretBytes& private_key_pem, std::string_view what) {
  std::string name(what);
  auto chain = crypto::ParseCertificatesPem(certificate_chain_pem);
  if (!chain.ok()) return chain.status().WithContext("the " + name + " certificate chain");
  auto key = crypto::ParsePrivateKeyPem(AsChars(private_key_pem.Reveal()));
  if (!key.ok()) return key.status().WithContext("the " + name + " private key");
  X509* leaf = chain->front().get();
  if (!crypto::PrivateKeyMatchesCertificate(key->get(), leaf)) {
    return InvalidArgument("the " + name + " private key does not belong to its certificate (" +
                           crypto::SubjectName(leaf) + ")");
  }
  if (SSL_CTX_use_certificate(ctx, leaf) != 1 || SSL_CTX_use_PrivateKey(ctx, key->get()) != 1) {
    return crypto::OpenSslError("installing the " + name + " certificate", Code::kInvalidArgument);
  }
  for (size_t i = 1; i < chain->size(); ++i) {
    // add1: the context takes its own reference.
    if (SSL_CTX_add1_chain_cert(ctx, (*chain)[i].get()) != 1) {
      return crypto::OpenSslError("installing the " + name + " certificate chain",
                                  Code::kInvalidArgument);
    }
  }
  return Status::Ok();
}

Result<Bytes> PeerCertificateDer(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);  // not owned
  if (cert == nullptr) return Bytes{};
  return crypto::CertificateToDer(cert);
}

Result<Bytes> PeerCertificateSpkiDer(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);  // not owned
  if (cert == nullptr) return Bytes{};
  return crypto::CertificateSpkiDer(cert);
}

}  // namespace tls_internal

namespace {

Result<std::shared_ptr<TlsServerContext::Credentials>> MakeCredentials(
    std::string_view certificate_chain_pem, const SecretBytes& private_key_pem) {
  auto credentials = std::make_shared<TlsServerContext::Credentials>();
  SSL_CTX* ctx = credentials->ssl.native_handle();
  SCONE_RETURN_IF_ERROR(tls_internal::ConfigureTls13(ctx));
  SCONE_RETURN_IF_ERROR(
      tls_internal::UseCertificateAndKey(ctx, certificate_chain_pem, private_key_pem, "server"));
  // Request a certificate, but do not require one (no SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_internal::AcceptAnyChain);
  return credentials;
}

}  // namespace

TlsServerContext::TlsServerContext(std::shared_ptr<Credentials> credentials)
    : current_(std::move(credentials)) {}
TlsServerContext::~TlsServerContext() = default;

Result<std::shared_ptr<TlsServerContext>> TlsServerContext::New(
    std::string_view certificate_chain_pem, const SecretBytes& private_key_pem) {
  SCONE_ASSIGN_OR_RETURN(auto credentials, MakeCredentials(certificate_chain_pem, private_key_pem));
  return std::shared_ptr<TlsServerContext>(new TlsServerContext(std::move(credentials)));
}

Status TlsServerContext::Replace(std::string_view certificate_chain_pem,
                                 const SecretBytes& private_key_pem) {
  SCONE_ASSIGN_OR_RETURN(auto credentials, MakeCredentials(certificate_chain_pem, private_key_pem));
  std::lock_guard lock(mu_);
  current_.swap(credentials);
  return Status::Ok();  // the old credentials are freed by the last connection using them
}

std::shared_ptr<TlsServerContext::Credentials> TlsServerContext::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

}  // namespace scone::net
