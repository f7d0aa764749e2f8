// RAII handles for OpenSSL objects and conversion of OpenSSL failures into Status.
//
// Every OpenSSL object in the code base lives in one of these handles; there are no manual
// free paths. Every failing OpenSSL call becomes a Status via OpenSslError(), which drains
// the thread's OpenSSL error queue into the message (the queue holds library reasons, never
// key material).
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace scone::crypto {

template <auto Fn>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter<EVP_CIPHER_CTX_free>>;
using EvpMacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OpenSslDeleter<EVP_MAC_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<ASN1_TIME_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpenSslDeleter<ASN1_OBJECT_free>>;

// A stack of certificates that owns them.
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// Status with `code` whose message is "<context>: <OpenSSL reasons>". Clears the queue.
Status OpenSslError(std::string_view context, Code code = Code::kInternal);

// Clears the thread's OpenSSL error queue (after an expected failure that was handled).
void ClearOpenSslErrors();

// Algorithms fetched once from the default library context and kept for the life of the
// process; nullptr if OpenSSL does not have them. OpenSSL 3 looks an algorithm up again at
// every use of EVP_sha256(), EVP_aes_256_gcm() or a name; on the store's paths (a hash, an
// encryption and a MAC per row) those look-ups cost more than the work on small rows.
const EVP_MD* Sha256Algorithm();
const EVP_CIPHER* Aes256GcmAlgorithm();
EVP_MAC* HmacAlgorithm();

// A read-only memory BIO over `data` (which must outlive the BIO).
Result<BioPtr> MemBioOver(ByteView data);

// Everything written to a memory BIO, as a string.
std::string BioContents(BIO* bio);

}  // namespace scone::crypto
