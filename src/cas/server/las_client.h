// CAS's side of las (docs/las.md): quotes over CAS's report data, the collateral for them,
// and CAS's seal keys (the simulated EGETKEY). Always over las's Unix socket, where las
// measures the calling process, so what las returns is bound to the CAS binary that runs.
#pragma once

#include "attestation/collateral.h"
#include "attestation/quote.h"
#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "net/http.h"
#include "net/http_client.h"
#include "platform/sealing.h"

namespace scone::cas {

// Thread-safe. Keeps its connections to las open between calls (net::HttpClient): each
// attestation asks las for a quote, and a kept connection spares las the connection set-up.
class LasClient {
 public:
  explicit LasClient(net::Endpoint las) : las_(std::move(las)) {}

  // A quote of this process with `report_data` (64 bytes).
  Result<Bytes> Quote(const ByteArray<64>& report_data) const;
  Result<attestation::Collateral> Collateral() const;
  // This process's seal key under `policy` at `key_isvsvn`.
  Result<SecretBytes> SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const;

  const net::Endpoint& endpoint() const { return las_.endpoint(); }

 private:
  mutable net::HttpClient las_;  // its calls are thread-safe
};

}  // namespace scone::cas
