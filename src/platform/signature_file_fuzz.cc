// libFuzzer target: the signature file parser (platform/signature_file.h), the simulated
// SIGSTRUCT that `scone signer sign` writes beside a program and las reads.
//
// Properties beyond "no crash, no sanitizer report":
//  - parsing is strict: every file that parses serializes back to exactly the input;
//  - signature verification never crashes on any parsed file (the SPKI and the signature
//    are attacker's bytes), and the identity derived from a parsed file is well defined;
//  - a signature file that verifies carries exactly the fields that were signed: the input
//    is also used as a list of (offset, xor) patches to a valid signature file, and a patched
//    file that verifies must have the original's signer, MRENCLAVE, product, version and
//    attributes (only the signature bytes may differ, as ECDSA signatures are malleable).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "crypto/keys.h"
#include "platform/signature_file.h"

namespace {

using namespace scone;

struct Fixture {
  platform::SignatureFile file;
  Bytes valid;
};

bool SameSignedFields(const platform::SignatureFile& a, const platform::SignatureFile& b) {
  return a.miscselect == b.miscselect && a.attributes_flags == b.attributes_flags &&
         a.attributes_xfrm == b.attributes_xfrm && a.mrenclave == b.mrenclave &&
         a.isvprodid == b.isvprodid && a.isvsvn == b.isvsvn && a.signer_spki == b.signer_spki;
}

Fixture* MakeFixture() {
  auto* f = new Fixture();
  auto key = crypto::GenerateEcP256Key();
  if (!key.ok()) std::abort();
  ByteArray<32> mrenclave{};
  mrenclave.fill(0x5a);
  platform::SignOptions options;
  options.isvprodid = 41;
  options.isvsvn = 2;
  options.production = true;
  auto file = platform::SignEnclave(key->get(), mrenclave, options);
  if (!file.ok()) std::abort();
  f->file = *file;
  f->valid = platform::SerializeSignatureFile(*file);
  auto parsed = platform::ParseSignatureFile(f->valid);
  if (!parsed.ok() || !platform::VerifySignatureFile(*parsed).ok()) std::abort();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = MakeFixture();
  const ByteView input(data, size);

  auto parsed = platform::ParseSignatureFile(input);
  if (parsed.ok()) {
    if (platform::SerializeSignatureFile(*parsed) != Bytes(data, data + size)) std::abort();
    (void)platform::VerifySignatureFile(*parsed);
    (void)platform::IdentityFromSignatureFile(*parsed);
  }

  // Patches (u16 offset, u8 xor) to the valid file.
  Bytes patched = fixture->valid;
  for (size_t i = 0; i + 3 <= size; i += 3) {
    const size_t offset = (static_cast<size_t>(data[i]) << 8 | data[i + 1]) % patched.size();
    patched[offset] ^= data[i + 2];
  }
  auto patched_file = platform::ParseSignatureFile(patched);
  const bool accepted = patched_file.ok() && platform::VerifySignatureFile(*patched_file).ok();
  if (patched == fixture->valid && !accepted) std::abort();  // the original must verify
  if (accepted && !SameSignedFields(*patched_file, fixture->file)) std::abort();
  return 0;
}
