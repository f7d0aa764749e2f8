// CAS's own metrics (docs/metrics.md), beside the HTTP servers' (net/server_metrics.h):
// requests by endpoint (the api::Route's method and path pattern, never the raw target) and
// status, the handlers' latency, CAS's verifications of other enclaves' quotes by TCB
// status, whether it is provisioned, and the size of its database files.
//
// Thread safety: every method may be called from any thread (atomics only).
#pragma once

#include <filesystem>
#include <optional>

#include "attestation/tcb_status.h"
#include "cas/api.h"
#include "common/metrics.h"
#include "net/server_metrics.h"

namespace scone::cas {

class CasMetrics {
 public:
  // Registers the cas_* families in `registry` (which must outlive this) and a collector
  // that reads the sizes of `db_path` and its write-ahead log at each scrape.
  CasMetrics(metrics::Registry& registry, const std::filesystem::path& db_path);

  // One answered request; `route` is the matched route, or null for a target that matched
  // none (counted as endpoint "unmatched").
  void Request(const api::Route* route, unsigned status, double seconds) const;

  // Whose quote CAS verified: a runtime's (the enclave API) or a backup CAS's.
  enum class QuoteKind { kEnclave, kBackup };
  // One verification of a quote with its collateral: the TCB status it showed, or nullopt
  // if it did not verify at all (counted as tcb_status "invalid").
  void QuoteVerified(QuoteKind kind, std::optional<attestation::TcbStatus> status) const;

  // Whether CAS is provisioned (set by CasService at each scrape).
  void SetProvisioned(bool provisioned) const { provisioned_->Set(provisioned ? 1 : 0); }
  // The number of rows in CAS's store (set by CasService at each scrape).
  void SetStoreRows(size_t rows) const { rows_->Set(static_cast<int64_t>(rows)); }

 private:
  net::RequestMetrics requests_;
  metrics::Family<metrics::Counter>* verifications_;
  metrics::Gauge* provisioned_;
  metrics::Gauge* rows_;
};

}  // namespace scone::cas
