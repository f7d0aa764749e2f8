#include "las/las_client.h"

#include <mutex>

namespace scone::las {
namespace {

Code CodeOfRefusal(unsigned status) {
  switch (status) {
    case 400:
      return Code::kInvalidArgument;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    default:
      return Code::kUnavailable;
  }
}

}  // namespace

LasClient::LasClient(net::Endpoint endpoint, bool keep_connections)
    : endpoint_(endpoint), keep_connections_(keep_connections), client_(std::move(endpoint)) {}

Result<net::HttpResponse> LasClient::Call(const net::HttpRequest& request) const {
  auto r = keep_connections_ ? client_.Call(request, net::HttpClient::Repeat::kYes)
                             : net::HttpCall(endpoint_, request);
  if (!r.ok()) {
    return Status(Code::kUnavailable,
                  "las at " + endpoint_.ToString() + ": " + r.status().message());
  }
  if (r->status != 200) {
    return Status(CodeOfRefusal(r->status),
                  "las refused " + request.target + ": " + net::ErrorMessageOf(*r));
  }
  return r;
}

Result<QuoteResponse> LasClient::QuoteWith(const QuoteRequest& request) const {
  SCONE_ASSIGN_OR_RETURN(net::HttpResponse res,
                         Call({"POST", kQuotePath, "application/json", request.ToJson().dump()}));
  auto answer = ParseBody<QuoteResponse>(res.body);
  if (!answer.ok()) {
    return Status(Code::kUnavailable, "las at " + endpoint_.ToString() +
                                          " sent a malformed quote: " + answer.status().message());
  }
  return answer;
}

Result<QuoteResponse> LasClient::ProgramQuote(const ProgramQuoteRequest& request) const {
  SCONE_ASSIGN_OR_RETURN(net::HttpResponse res, Call({"POST", kProgramQuotePath, "application/json",
                                                      request.ToJson().dump()}));
  auto answer = ParseBody<QuoteResponse>(res.body);
  if (!answer.ok()) {
    return Status(Code::kUnavailable, "las at " + endpoint_.ToString() +
                                          " sent a malformed quote: " + answer.status().message());
  }
  return answer;
}

Result<Bytes> LasClient::Quote(const ByteArray<64>& report_data) const {
  QuoteRequest request;
  request.report_data.assign(report_data.begin(), report_data.end());
  SCONE_ASSIGN_OR_RETURN(QuoteResponse answer, QuoteWith(request));
  return std::move(answer.quote);
}

Result<attestation::Collateral> LasClient::Collateral() const {
  SCONE_ASSIGN_OR_RETURN(net::HttpResponse res, Call({"GET", kCollateralPath}));
  auto answer = ParseBody<CollateralResponse>(res.body);
  if (!answer.ok()) {
    return Status(Code::kUnavailable,
                  "las at " + endpoint_.ToString() +
                      " sent malformed collateral: " + answer.status().message());
  }
  return std::move(answer->collateral);
}

Result<SecretBytes> LasClient::SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const {
  SealKeyRequest request{policy, key_isvsvn};
  // Sensitive: the answer, and every copy net makes of it, is wiped when freed.
  auto res = Call({"POST", kSealKeyPath, "application/json", request.ToJson().dump(),
                   /*sensitive_=*/true});
  if (!res.ok()) return res.status().WithContext("getting a seal key");
  auto answer = ParseBody<SealKeyResponse>(res->body);
  if (!answer.ok()) {
    return Status(Code::kUnavailable,
                  "las at " + endpoint_.ToString() + " sent a malformed seal key");
  }
  return std::move(answer->key);
}

PlatformLas::PlatformLas(std::shared_ptr<const platform::Platform> platform,
                         platform::EnclaveIdentity identity, std::function<int64_t()> clock)
    : platform_(std::move(platform)), identity_(identity), clock_(std::move(clock)) {}

std::shared_ptr<const platform::Platform> PlatformLas::Current() const {
  std::lock_guard lock(mu_);
  return reachable_ ? platform_ : nullptr;
}

void PlatformLas::SetPlatform(std::shared_ptr<const platform::Platform> platform) {
  std::lock_guard lock(mu_);
  platform_ = std::move(platform);
}

void PlatformLas::SetReachable(bool reachable) {
  std::lock_guard lock(mu_);
  reachable_ = reachable;
}

Result<Bytes> PlatformLas::Quote(const ByteArray<64>& report_data) const {
  auto p = Current();
  if (p == nullptr) return Status(Code::kUnavailable, "las (in process) is switched off");
  return p->Quote(identity_, report_data);
}

Result<attestation::Collateral> PlatformLas::Collateral() const {
  auto p = Current();
  if (p == nullptr) return Status(Code::kUnavailable, "las (in process) is switched off");
  return p->CollateralAt(clock_());
}

Result<SecretBytes> PlatformLas::SealKey(platform::SealPolicy policy, uint16_t key_isvsvn) const {
  auto p = Current();
  if (p == nullptr) return Status(Code::kUnavailable, "las (in process) is switched off");
  return p->SealKey(policy, identity_, key_isvsvn);
}

}  // namespace scone::las
