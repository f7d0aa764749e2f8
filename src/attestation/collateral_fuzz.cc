// libFuzzer target: the collateral parsers. The first input byte selects the parser, the
// rest is its input:
//   0 TCB info JSON   1 QE identity JSON   2 CRL (DER or PEM)   3 PEM certificate chain
//   (and the SGX extension of each certificate)   4 SGX extension DER   5 a time string
// Properties beyond "no crash": a parsed TCB info / QE identity re-encoded by
// simulated_pki's writers parses again to the same levels; a parsed SGX extension
// re-encodes and parses to the same values.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "attestation/qe_identity.h"
#include "attestation/sgx_extensions.h"
#include "attestation/simulated_pki.h"
#include "attestation/tcb_info.h"
#include "attestation/timestamp.h"
#include "crypto/crl.h"
#include "crypto/x509.h"

namespace {

using namespace scone;
using namespace scone::attestation;

std::string Wrap(const char* member, const std::string& body) {
  return std::string("{\"") + member + "\":" + body + ",\"signature\":\"" + std::string(128, '0') +
         "\"}";
}

void FuzzTcbInfo(std::string_view text) {
  auto info = ParseTcbInfo(text);
  if (!info.ok()) return;
  auto again = ParseTcbInfo(Wrap("tcbInfo", TcbInfoBodyJson(*info)));
  if (!again.ok() || again->levels.size() != info->levels.size() || again->fmspc != info->fmspc ||
      again->issue_date != info->issue_date) {
    std::abort();
  }
  for (size_t i = 0; i < info->levels.size(); ++i) {
    if (again->levels[i].sgx_components != info->levels[i].sgx_components ||
        again->levels[i].status != info->levels[i].status) {
      std::abort();
    }
  }
}

void FuzzQeIdentity(std::string_view text) {
  auto id = ParseQeIdentity(text);
  if (!id.ok()) return;
  auto again = ParseQeIdentity(Wrap("enclaveIdentity", QeIdentityBodyJson(*id)));
  if (!again.ok() || again->levels.size() != id->levels.size() ||
      again->misc_select != id->misc_select || again->attributes != id->attributes ||
      again->mr_signer != id->mr_signer) {
    std::abort();
  }
}

void FuzzExtension(ByteView der) {
  auto ext = ParsePckExtensionsDer(der);
  if (!ext.ok()) return;
  auto encoded = EncodePckExtensionsDer(*ext);
  if (!encoded.ok()) std::abort();
  auto again = ParsePckExtensionsDer(*encoded);
  if (!again.ok() || again->fmspc != ext->fmspc || again->tcb_components != ext->tcb_components ||
      again->pce_svn != ext->pce_svn || again->cpu_svn != ext->cpu_svn) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const ByteView input(data + 1, size - 1);
  const std::string_view text = AsChars(input);
  switch (data[0] % 6) {
    case 0:
      FuzzTcbInfo(text);
      break;
    case 1:
      FuzzQeIdentity(text);
      break;
    case 2: {
      auto crl = crypto::ParseCrlPemOrDer(input);
      if (crl.ok()) {
        (void)crypto::CrlThisUpdate(crl->get());
        (void)crypto::CrlNextUpdate(crl->get());
      }
      break;
    }
    case 3: {
      auto chain = crypto::ParseCertificatesPem(text);
      if (chain.ok()) {
        for (const auto& cert : *chain) (void)ParsePckExtensions(cert.get());
      }
      break;
    }
    case 4:
      FuzzExtension(input);
      break;
    default: {
      auto t = ParseVerificationTime(text);
      if (t.ok() && text.find('T') != std::string_view::npos) {
        // Whatever parses re-formats to a string that parses to the same time.
        auto again = ParseRfc3339(FormatRfc3339(*t));
        if (*t > -62135596800 && *t < 253402300800 && (!again.ok() || *again != *t)) {
          std::abort();
        }
      }
      break;
    }
  }
  return 0;
}
