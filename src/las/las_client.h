// The one client of las (docs/las.md), used by `cas`, `scone las ...` and the benchmarks,
// and the interface through which CAS sees its platform, so that tests can put a platform
// of their own behind it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "attestation/collateral.h"
#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "las/las_protocol.h"
#include "net/http.h"
#include "net/http_client.h"
#include "platform/enclave_identity.h"
#include "platform/platform.h"
#include "platform/sealing.h"

namespace scone::las {

// What a program asks of the platform it runs on: quotes of itself, the collateral for
// them, its seal keys (the simulated EGETKEY). Implementations are thread-safe.
class Las {
 public:
  virtual ~Las() = default;

  // A quote of the caller with `report_data`.
  virtual Result<Bytes> Quote(const ByteArray<64>& report_data) const = 0;
  virtual Result<attestation::Collateral> Collateral() const = 0;
  // The caller's seal key under `policy` at `key_isvsvn`.
  virtual Result<SecretBytes> SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const = 0;
};

// las over HTTP. Keeps its connections open between calls (net::HttpClient): CAS asks for a
// quote at every attestation, and a kept connection spares las the set-up. Every request
// may be repeated (a second quote or seal key is as good as the first).
//
// Errors: kUnavailable "las at ADDR: ..." when las cannot be reached or answers nonsense;
// a refusal keeps las's message ("las refused /v1/quote: ...") with kNotFound for 404,
// kInvalidArgument for 400, kPermissionDenied for 403 and kUnavailable otherwise.
class LasClient final : public Las {
 public:
  // `keep_connections`: false opens one connection per call (a short-lived CLI).
  explicit LasClient(net::Endpoint endpoint, bool keep_connections = true);

  Result<Bytes> Quote(const ByteArray<64>& report_data) const override;
  Result<attestation::Collateral> Collateral() const override;
  Result<SecretBytes> SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const override;

  // The whole quote exchange (a named program over TCP, the enclave description).
  Result<QuoteResponse> QuoteWith(const QuoteRequest& request) const;
  // A quote for a program this process holds open (only the runtime las trusts is served;
  // the descriptors in `request` are this process's own).
  Result<QuoteResponse> ProgramQuote(const ProgramQuoteRequest& request) const;

  const net::Endpoint& endpoint() const { return endpoint_; }

 private:
  // The answer to `request` if las answered 200 (errors as described above).
  Result<net::HttpResponse> Call(const net::HttpRequest& request) const;

  net::Endpoint endpoint_;
  bool keep_connections_;
  mutable net::HttpClient client_;  // its calls are thread-safe
};

// A platform in this process in the role of las, for one enclave identity: what tests use
// to run CAS without a las process. `clock` dates the collateral. The platform may be
// swapped while in use (SetPlatform), as if las were restarted on another platform.
class PlatformLas final : public Las {
 public:
  PlatformLas(std::shared_ptr<const platform::Platform> platform,
              platform::EnclaveIdentity identity, std::function<int64_t()> clock);

  Result<Bytes> Quote(const ByteArray<64>& report_data) const override;
  Result<attestation::Collateral> Collateral() const override;
  Result<SecretBytes> SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const override;

  void SetPlatform(std::shared_ptr<const platform::Platform> platform);
  // Whether las answers at all (false: every call is kUnavailable).
  void SetReachable(bool reachable);

 private:
  std::shared_ptr<const platform::Platform> Current() const;

  mutable std::mutex mu_;
  std::shared_ptr<const platform::Platform> platform_;
  bool reachable_ = true;
  platform::EnclaveIdentity identity_;
  std::function<int64_t()> clock_;
};

}  // namespace scone::las
