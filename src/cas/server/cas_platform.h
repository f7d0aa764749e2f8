// CAS's view of the platform it runs on, through las (las/las_client.h): its own enclave
// identity, learnt from the report body of its first quote, and the platform that quote
// came from. Every later quote (and every seal key) must come from that same platform:
// CAS's database key is sealed to it, and attesting with another platform's quotes would
// present a CAS that is not what it claims. A platform is recognised by its quoting
// enclave's attestation key (each platform directory has its own).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "attestation/collateral.h"
#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "las/las_client.h"
#include "platform/enclave_identity.h"
#include "platform/sealing.h"

namespace scone::cas {

class CasPlatform {
 public:
  // Asks `las` for a first quote. kUnavailable if las does not answer.
  static Result<std::unique_ptr<CasPlatform>> Open(std::unique_ptr<las::Las> las,
                                                   std::function<int64_t()> clock);

  const platform::EnclaveIdentity& identity() const { return identity_; }

  // A quote with `report_data`. kFailedPrecondition if las now quotes for another
  // platform (logged for the operator); kUnavailable for any failure of las.
  Result<Bytes> Quote(const ByteArray<64>& report_data) const;
  // The collateral for the quotes and its JSON text (api::CollateralJsonText), fetched again
  // after an hour.
  struct CachedCollateral {
    attestation::Collateral value;
    std::string json;
  };
  Result<std::shared_ptr<const CachedCollateral>> Collateral();
  // CAS's seal key; the platform is checked first, as for a quote.
  Result<SecretBytes> SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const;

 private:
  CasPlatform() = default;
  Result<Bytes> CheckedQuote(const ByteArray<64>& report_data) const;

  std::unique_ptr<las::Las> las_;
  std::function<int64_t()> clock_;
  platform::EnclaveIdentity identity_;
  ByteArray<64> attestation_key_{};  // of the platform CAS started on

  std::mutex collateral_mu_;
  std::shared_ptr<const CachedCollateral> collateral_;
  int64_t collateral_fetched_at_ = 0;
};

}  // namespace scone::cas
