#include "cas/enclave_protocol.h"

#include "common/hex.h"
#include "crypto/hash.h"

namespace scone::cas {

ByteArray<64> EnclaveReportData(ByteView client_key_spki_der) {
  Bytes input(std::begin(kEnclaveReportDataLabel), std::end(kEnclaveReportDataLabel));  // NUL too
  auto key = crypto::Sha256(client_key_spki_der);
  input.insert(input.end(), key.begin(), key.end());
  return crypto::Sha512(input);
}

std::string PlatformId(const ByteArray<64>& attestation_key) {
  return HexEncode(crypto::Sha256(attestation_key));
}

}  // namespace scone::cas
