// The Intel SGX Root CA, built in as the default trust anchor of the DCAP verifier.
//
// Subject "CN=Intel SGX Root CA, O=Intel Corporation, L=Santa Clara, ST=CA, C=US",
// valid 2018-05-21 .. 2049-12-31, SHA-256 fingerprint
// 44:A0:19:6B:2B:99:F8:89:B8:E1:49:E9:5B:80:7A:35:0E:74:24:96:43:99:E8:85:A7:CB:B8:CC:FA:B6:74:D3
// (the same certificate as https://certificates.trustedservices.intel.com/IntelSGXRootCA.der).
#pragma once

#include <string_view>

#include "common/status.h"
#include "crypto/openssl_util.h"

namespace scone::attestation {

// The certificate as PEM text.
std::string_view IntelSgxRootCaPem();

// A fresh copy of the certificate (the caller owns it).
Result<crypto::X509Ptr> IntelSgxRootCa();

}  // namespace scone::attestation
