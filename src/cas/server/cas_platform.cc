#include "cas/server/cas_platform.h"

#include <spdlog/spdlog.h>

#include "attestation/quote.h"
#include "cas/api.h"
#include "common/hex.h"

namespace scone::cas {
namespace {

// Collateral is fetched from las again after this many seconds.
constexpr int64_t kCollateralRefresh = 3600;

Status LasFailed(const Status& s) {
  if (s.code() == Code::kUnavailable) return s;
  return Status(Code::kUnavailable, s.message());
}

std::string Short(const ByteArray<64>& key) { return HexEncode(ByteView(key).first(8)) + "..."; }

}  // namespace

Result<std::unique_ptr<CasPlatform>> CasPlatform::Open(std::unique_ptr<las::Las> las,
                                                       std::function<int64_t()> clock) {
  std::unique_ptr<CasPlatform> p(new CasPlatform());
  p->las_ = std::move(las);
  p->clock_ = std::move(clock);
  // Who am I? The platform says so in a quote: its report body is what las measured.
  auto bytes = p->las_->Quote(ByteArray<64>{});
  if (!bytes.ok()) {
    return LasFailed(bytes.status())
        .WithContext("CAS needs las to learn its identity (is las running? check [las] address)");
  }
  auto quote = attestation::ParseQuote(*bytes);
  if (!quote.ok()) {
    return LasFailed(quote.status()).WithContext("las sent a quote that does not parse");
  }
  const attestation::ReportBody& report = quote->report;
  platform::EnclaveIdentity& id = p->identity_;
  id.mrenclave = report.mr_enclave;
  id.mrsigner = report.mr_signer;
  id.isvprodid = report.isv_prod_id;
  id.isvsvn = report.isv_svn;
  id.attributes_flags = report.attribute_flags();
  id.attributes_xfrm = report.xfrm();
  id.miscselect = report.misc_select;
  p->attestation_key_ = quote->attestation_key;
  return p;
}

Result<Bytes> CasPlatform::CheckedQuote(const ByteArray<64>& report_data) const {
  auto bytes = las_->Quote(report_data);
  if (!bytes.ok()) return LasFailed(bytes.status());
  auto quote = attestation::ParseQuote(*bytes);
  if (!quote.ok()) {
    return LasFailed(quote.status().WithContext("las sent a quote that does not parse"));
  }
  if (quote->attestation_key != attestation_key_) {
    spdlog::error(
        "las now quotes for another platform (attestation key {}) than the one CAS started on "
        "({}): CAS refuses to attest with it. Restart las on CAS's platform directory; CAS's "
        "database is sealed to that platform",
        Short(quote->attestation_key), Short(attestation_key_));
    return FailedPrecondition(
        "CAS's platform changed since it started (las quotes for another platform); CAS "
        "refuses to attest until its operator restores it (see the CAS log)");
  }
  if (quote->report.mr_enclave != identity_.mrenclave ||
      quote->report.mr_signer != identity_.mrsigner) {
    spdlog::error("las now quotes for another enclave (MRENCLAVE {}) than CAS ({})",
                  HexEncode(quote->report.mr_enclave), HexEncode(identity_.mrenclave));
    return FailedPrecondition(
        "CAS's enclave identity changed since it started; CAS refuses to attest until its "
        "operator restarts it (see the CAS log)");
  }
  return bytes;
}

Result<Bytes> CasPlatform::Quote(const ByteArray<64>& report_data) const {
  return CheckedQuote(report_data);
}

Result<std::shared_ptr<const CasPlatform::CachedCollateral>> CasPlatform::Collateral() {
  std::lock_guard lock(collateral_mu_);
  int64_t now = clock_();
  if (collateral_ == nullptr || now - collateral_fetched_at_ > kCollateralRefresh ||
      now < collateral_fetched_at_) {
    auto c = las_->Collateral();
    if (!c.ok()) return LasFailed(c.status());
    auto cached = std::make_shared<CachedCollateral>();
    cached->json = api::CollateralJsonText(*c);
    cached->value = std::move(*c);
    collateral_ = std::move(cached);
    collateral_fetched_at_ = now;
  }
  return collateral_;
}

Result<SecretBytes> CasPlatform::SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const {
  SCONE_RETURN_IF_ERROR(CheckedQuote(ByteArray<64>{}).status());
  auto key = las_->SealKey(policy, key_isvsvn);
  if (!key.ok()) return LasFailed(key.status());
  return key;
}

}  // namespace scone::cas
