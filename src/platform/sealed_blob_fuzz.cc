// libFuzzer target: opening sealed blobs (platform/sealing.h), which CAS reads from disk
// (through the store's key-store) and las hands back and forth.
//
// Properties beyond "no crash, no sanitizer report":
//  - arbitrary bytes never open: Unseal of the raw input fails (AES-GCM under a key the input
//    cannot know), with kInvalidArgument, kDataLoss or kPermissionDenied;
//  - a sealed blob opens only unchanged: the input is also used as a list of (offset, xor)
//    patches to a valid blob (under the MRSIGNER policy, at ISVSVN 2 of an enclave at
//    ISVSVN 3), and the patched blob must open, to the original plaintext, exactly when it
//    is byte for byte the original.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "platform/sealing.h"

namespace {

using namespace scone;

struct Fixture {
  SecretBytes platform_secret;
  platform::EnclaveIdentity enclave;
  Bytes plaintext;
  Bytes valid;
};

Fixture* MakeFixture() {
  auto* f = new Fixture();
  f->platform_secret = SecretBytes::CopyFrom(Bytes(platform::kPlatformSealingSecretSize, 0x42));
  f->enclave.mrenclave.fill(0x11);
  f->enclave.mrsigner.fill(0x22);
  f->enclave.isvprodid = 41;
  f->enclave.isvsvn = 2;
  f->plaintext = ToBytes("a database key of thirty-two b..");
  auto sealed =
      platform::Seal(f->platform_secret, platform::SealPolicy::kMrSigner, f->enclave, f->plaintext);
  if (!sealed.ok()) std::abort();
  f->valid = std::move(sealed).value();
  f->enclave.isvsvn = 3;  // an upgraded enclave opens what its predecessor sealed
  return f;
}

bool ExpectedFailure(Code code) {
  return code == Code::kInvalidArgument || code == Code::kDataLoss ||
         code == Code::kPermissionDenied;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = MakeFixture();
  const ByteView input(data, size);

  auto opened = platform::Unseal(fixture->platform_secret, fixture->enclave, input);
  if (opened.ok() && Bytes(data, data + size) != fixture->valid) std::abort();
  if (!opened.ok() && !ExpectedFailure(opened.status().code())) std::abort();

  // Patches (u16 offset, u8 xor) to the valid blob.
  Bytes patched = fixture->valid;
  for (size_t i = 0; i + 3 <= size; i += 3) {
    const size_t offset = (static_cast<size_t>(data[i]) << 8 | data[i + 1]) % patched.size();
    patched[offset] ^= data[i + 2];
  }
  auto reopened = platform::Unseal(fixture->platform_secret, fixture->enclave, patched);
  if (reopened.ok() != (patched == fixture->valid)) std::abort();
  if (reopened.ok() && !ConstantTimeEquals(reopened->Reveal(), fixture->plaintext)) std::abort();
  if (!reopened.ok() && !ExpectedFailure(reopened.status().code())) std::abort();
  return 0;
}
