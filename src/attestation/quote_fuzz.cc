// libFuzzer target: the quote and report body codec, and the parsing of the PCK chain and
// its SGX extension that the verifier does on quote bytes. Properties checked beyond "no
// crash": every quote that parses serializes back to exactly the input.
#include <cstdint>
#include <cstdlib>

#include "attestation/quote.h"
#include "attestation/sgx_extensions.h"
#include "crypto/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace scone;
  using namespace scone::attestation;
  const ByteView input(data, size);

  if (size >= kReportBodySize) {
    auto body = ParseReportBody(input.first(kReportBodySize));
    if (!body.ok() || SerializeReportBody(*body) != Bytes(data, data + kReportBodySize)) {
      std::abort();
    }
  }

  auto quote = ParseQuote(input);
  if (!quote.ok()) return 0;
  auto again = SerializeQuote(*quote);
  if (!again.ok() || *again != Bytes(data, data + size)) std::abort();

  auto chain = crypto::ParseCertificatesPem(PckChainPem(*quote));
  if (chain.ok()) {
    for (const auto& cert : *chain) {
      auto ext = ParsePckExtensions(cert.get());
      if (ext.ok()) {
        auto der = EncodePckExtensionsDer(*ext);
        if (!der.ok()) std::abort();
      }
    }
  }
  return 0;
}
