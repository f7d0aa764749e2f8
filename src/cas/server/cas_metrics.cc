#include "cas/server/cas_metrics.h"

#include <string>
#include <system_error>
#include <vector>

#include "attestation/tcb_status.h"

namespace scone::cas {
namespace {

// "GET /v1/sessions/{name}", ... from the route table, then the catch-all.
std::vector<std::string> EndpointNames() {
  std::vector<std::string> names;
  for (const api::Route& r : api::Routes()) {
    names.push_back(std::string(r.method) + " " + std::string(r.path));
  }
  names.emplace_back("unmatched");
  return names;
}

// Intel's TCB statuses, then "invalid" for a quote that did not verify.
std::vector<std::string> TcbStatusValues() {
  std::vector<std::string> values = attestation::TcbStatusNames();
  values.emplace_back("invalid");
  return values;
}

// The size of the file at `path`, 0 if there is none.
int64_t FileSize(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(size);
}

}  // namespace

CasMetrics::CasMetrics(metrics::Registry& registry, const std::filesystem::path& db_path)
    : requests_(registry, "cas", EndpointNames()) {
  verifications_ = &registry.AddCounter(
      "cas_quote_verifications_total",
      "Quotes of other enclaves CAS verified, by whose (enclave: a runtime asking for its "
      "configuration; backup: a backup CAS being registered) and the TCB status they showed "
      "(invalid: the quote did not verify).",
      {{"kind", {"enclave", "backup"}}, {"tcb_status", TcbStatusValues()}});
  provisioned_ = &registry.AddGauge("cas_provisioned", "1 once CAS has an owner, else 0.").At({});
  rows_ = &registry
               .AddGauge("cas_store_rows",
                         "Rows in CAS's store: session versions, pointers, secret values, the "
                         "owner's configuration and CAS's own records.")
               .At({});
  auto& bytes = registry.AddGauge("cas_store_bytes", "Size of CAS's database files in bytes.",
                                  {{"file", {"database", "wal"}}});
  registry.OnCollect([&bytes, db_path] {
    bytes.At({0}).Set(FileSize(db_path));
    bytes.At({1}).Set(FileSize(db_path.string() + "-wal"));
  });
}

void CasMetrics::Request(const api::Route* route, unsigned status, double seconds) const {
  auto routes = api::Routes();
  size_t endpoint = route == nullptr ? routes.size() : static_cast<size_t>(route - routes.data());
  requests_.Observe(endpoint, status, seconds);
}

void CasMetrics::QuoteVerified(QuoteKind kind, std::optional<attestation::TcbStatus> status) const {
  size_t s = status.has_value() ? static_cast<size_t>(*status)
                                : static_cast<size_t>(attestation::TcbStatus::kRevoked) + 1;
  verifications_->At({static_cast<size_t>(kind), s}).Inc();
}

}  // namespace scone::cas
