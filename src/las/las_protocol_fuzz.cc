// libFuzzer target: the LAS protocol types (las/las_protocol.h), as las reads requests and
// its clients read answers. The first byte of an input chooses the type, the rest is the
// body (seed corpus: fuzz/corpus/las_protocol_fuzz/, first byte then JSON).
//
// Properties beyond "no crash, no sanitizer report, no uncaught exception":
//  - a body a type accepts, written again and parsed, gives the same JSON (for QuoteResponse
//    also through ToBody, the text las sends);
//  - SealKeyResponse: the key's text in the parsed JSON is wiped, and the answer las would
//    send (ToHttpResponse) is sensitive and parses back to the same key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>

#include "las/las_protocol.h"

namespace {
using nlohmann::json;
using namespace scone::las;  // NOLINT(google-build-using-namespace): a test driver

template <typename T>
void RoundTrip(std::string_view body) {
  auto parsed = ParseBody<T>(body);
  if (!parsed.ok()) {
    (void)parsed.status().ToString();
    return;
  }
  json first = parsed->ToJson();
  auto again = ParseBody<T>(first.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!again.ok() || again->ToJson() != first) std::abort();
  if constexpr (std::is_same_v<T, QuoteResponse>) {
    auto sent = ParseBody<QuoteResponse>(parsed->ToBody());
    if (!sent.ok() || sent->ToJson() != first) std::abort();
  }
}

void SealKey(std::string_view body) {
  auto j = ParseObject(body);
  if (!j.ok()) return;
  auto parsed = SealKeyResponse::FromJson(*j);
  if (auto it = j->find("key"); it != j->end() && it->is_string()) {
    for (char c : it->get_ref<const std::string&>()) {
      if (c != '\0') std::abort();  // the key's text was not wiped
    }
  }
  if (!parsed.ok()) return;
  scone::net::HttpResponse answer = parsed->ToHttpResponse();
  if (!answer.sensitive) std::abort();
  auto again = ParseBody<SealKeyResponse>(answer.body);
  if (!again.ok() || !(again->key == parsed->key)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);  // NOLINT
  switch (data[0] % 6) {
    case 0:
      RoundTrip<QuoteRequest>(body);
      break;
    case 1:
      RoundTrip<QuoteResponse>(body);
      break;
    case 2:
      RoundTrip<CollateralResponse>(body);
      break;
    case 3:
      RoundTrip<SealKeyRequest>(body);
      break;
    case 4:
      SealKey(body);
      break;
    default:
      RoundTrip<ProgramQuoteRequest>(body);
      break;
  }
  return 0;
}
