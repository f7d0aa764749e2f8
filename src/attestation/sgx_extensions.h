// The SGX extension of Intel PCK certificates (OID 1.2.840.113741.1.13.1): the platform's
// FMSPC, PCE-ID, its 16 TCB component SVNs, PCESVN and CPUSVN, as certified by Intel (or
// by the simulated platform's PCK CA).
//
// ASN.1 (Intel "SGX PCK Certificate and CRL Profile"):
//   SEQUENCE OF SEQUENCE { OBJECT IDENTIFIER, value }
//     .1 PPID      OCTET STRING (16)
//     .2 TCB       SEQUENCE OF SEQUENCE { .2.1 .. .2.16 INTEGER (component SVNs),
//                                         .2.17 INTEGER (PCESVN), .2.18 OCTET STRING (16) }
//     .3 PCE-ID    OCTET STRING (2)
//     .4 FMSPC     OCTET STRING (6)
//     .5 SGX type  ENUMERATED
//   (further entries, e.g. .6 platform instance id and .7 configuration, are ignored)
// Decoding uses OpenSSL's DER decoder (d2i_ASN1_SEQUENCE_ANY); every missing, duplicated
// or ill-typed field is a kInvalidArgument error naming it.
#pragma once

#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::attestation {

inline constexpr char kSgxExtensionOid[] = "1.2.840.113741.1.13.1";

struct PckExtensions {
  ByteArray<16> ppid{};
  ByteArray<16> tcb_components{};  // SGX TCB component SVNs 1..16
  uint16_t pce_svn = 0;
  ByteArray<16> cpu_svn{};
  ByteArray<2> pce_id{};
  ByteArray<6> fmspc{};
  int64_t sgx_type = 0;  // 0 = Standard, 1 = Scalable, 2 = Scalable with integrity
};

// Finds and decodes the SGX extension of `cert`; kInvalidArgument if it is absent,
// present twice or malformed.
Result<PckExtensions> ParsePckExtensions(X509* cert);

// Decodes the extension's value (the DER SEQUENCE inside the extension's OCTET STRING).
Result<PckExtensions> ParsePckExtensionsDer(ByteView der);

// DER of the extension's value, as ParsePckExtensionsDer reads it.
Result<Bytes> EncodePckExtensionsDer(const PckExtensions& ext);

// A non-critical X.509 extension with OID kSgxExtensionOid holding `ext`.
Result<crypto::X509ExtensionPtr> MakePckX509Extension(const PckExtensions& ext);

}  // namespace scone::attestation
