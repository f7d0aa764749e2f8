// libFuzzer target: the quote and report body codec, the parsing of the PCK chain and its
// SGX extension, and the whole verifier on quote bytes.
//
// Properties beyond "no crash":
//  - every quote that parses serializes back to exactly the input;
//  - the verifier never accepts a quote that differs from the one the (simulated) platform
//    signed, under collateral it signed: the input is used both as a raw quote and as a list
//    of (offset, xor) patches to a valid simulated quote.
// The simulated PKI is generated once per process (fresh keys each run), so a crashing
// input reproduces the code path, not necessarily the same signature values.
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "attestation/quote.h"
#include "attestation/sgx_extensions.h"
#include "attestation/simulated_pki.h"
#include "attestation/verifier.h"
#include "crypto/x509.h"

namespace {

using namespace scone;
using namespace scone::attestation;

constexpr int64_t kNow = 1760000000;

struct Fixture {
  std::unique_ptr<SimulatedPki> pki;
  Collateral collateral;
  Bytes quote;
  std::unique_ptr<QuoteVerifier> verifier;
};

Fixture* MakeFixture() {
  auto* f = new Fixture();
  SimulatedPkiOptions o;
  o.not_before = kNow - 86400;
  o.not_after = kNow + 86400;
  o.pck.tcb_components = {2, 2, 2};
  o.pck.pce_svn = 10;
  o.pck.fmspc = {1, 2, 3, 4, 5, 6};
  auto pki = SimulatedPki::Generate(o);
  if (!pki.ok()) std::abort();
  f->pki = std::move(pki).value();
  TcbInfo tcb;
  tcb.version = 3;
  tcb.issue_date = kNow - 10;
  tcb.next_update = kNow + 10;
  tcb.fmspc = o.pck.fmspc;
  TcbLevel level;
  level.sgx_components = {2, 2, 2};
  level.pce_svn = 10;
  level.tcb_date = "2025-01-01T00:00:00Z";
  tcb.levels = {level};
  QeIdentity qe;
  qe.version = 2;
  qe.issue_date = kNow - 10;
  qe.next_update = kNow + 10;
  qe.misc_select_mask = 0xffffffff;
  qe.attributes_mask.fill(0xff);
  qe.isv_prod_id = 1;
  qe.levels = {{1, "2025-01-01T00:00:00Z", TcbStatus::kUpToDate, {}}};
  auto c = f->pki->MakeCollateral(tcb, qe, kNow - 10, kNow + 10);
  if (!c.ok()) std::abort();
  f->collateral = std::move(c).value();
  ReportBody report, qe_report;
  qe_report.isv_prod_id = 1;
  qe_report.isv_svn = 1;
  auto q = f->pki->MakeQuote({}, report, qe_report, Bytes(32, 1));
  if (!q.ok()) std::abort();
  auto bytes = SerializeQuote(*q);
  if (!bytes.ok()) std::abort();
  f->quote = std::move(bytes).value();
  VerifierOptions vo;
  auto root = f->pki->RootPem();
  if (!root.ok()) std::abort();
  vo.trusted_roots.push_back(ToBytes(*root));
  auto v = QuoteVerifier::New(vo);
  if (!v.ok()) std::abort();
  f->verifier = std::move(v).value();
  if (!f->verifier->Verify(f->quote, f->collateral, kNow).ok()) std::abort();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = MakeFixture();
  const ByteView input(data, size);

  if (size >= kReportBodySize) {
    auto body = ParseReportBody(input.first(kReportBodySize));
    if (!body.ok() || SerializeReportBody(*body) != Bytes(data, data + kReportBodySize)) {
      std::abort();
    }
  }

  auto quote = ParseQuote(input);
  if (quote.ok()) {
    auto again = SerializeQuote(*quote);
    if (!again.ok() || *again != Bytes(data, data + size)) std::abort();
    auto chain = crypto::ParseCertificatesPem(PckChainPem(*quote));
    if (chain.ok()) {
      for (const auto& cert : *chain) {
        auto ext = ParsePckExtensions(cert.get());
        if (ext.ok() && !EncodePckExtensionsDer(*ext).ok()) std::abort();
      }
    }
    if (fixture->verifier->Verify(input, fixture->collateral, kNow).ok() &&
        Bytes(data, data + size) != fixture->quote) {
      std::abort();  // a quote the platform did not sign was accepted
    }
  }

  // Patches (u16 offset, u8 xor) to the valid simulated quote.
  Bytes patched = fixture->quote;
  for (size_t i = 0; i + 3 <= size; i += 3) {
    const size_t offset = (static_cast<size_t>(data[i]) << 8 | data[i + 1]) % patched.size();
    patched[offset] ^= data[i + 2];
  }
  const bool accepted = fixture->verifier->Verify(patched, fixture->collateral, kNow).ok();
  if (accepted != (patched == fixture->quote)) {
    // Accepting a changed quote breaks signatures; rejecting the original breaks the cache.
    // Changes inside the PEM text that decode to the same certificates are the one benign
    // exception (e.g. a flipped bit in a header line OpenSSL does not read).
    if (accepted) {
      // Start of the PEM text: header, report, length, ISV signature, attestation key,
      // QE report, its signature, auth data length, 32 bytes of auth data, type, length.
      constexpr size_t pem_start =
          kQuoteSignedSize + 4 + 64 + 64 + kReportBodySize + 64 + 2 + 32 + 2 + 4;
      bool only_pem = true;
      for (size_t i = 0; i < patched.size(); ++i) {
        if (patched[i] != fixture->quote[i] && i < pem_start) only_pem = false;
      }
      if (!only_pem) std::abort();
    } else {
      std::abort();
    }
  }
  return 0;
}
