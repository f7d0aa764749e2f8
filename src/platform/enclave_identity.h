// What a simulated enclave is (DESIGN.md §5 "Measurement"): the values SGX would put in an
// enclave's report, derived here from a program file and its signature file.
//
//   MRENCLAVE  SHA-256 over the program file's bytes
//   MRSIGNER   SHA-256 over the signer's public key (DER SubjectPublicKeyInfo)
//   ISVPRODID, ISVSVN, attributes (DEBUG)  from the signature file (signature_file.h)
//
// A program without a signature file counts as signed by the built-in debug signer, with
// ISVPRODID 0, ISVSVN 0 and DEBUG set.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "attestation/quote.h"
#include "common/bytes.h"
#include "common/status.h"

namespace scone::platform {

// SGX attribute flags (SECS.ATTRIBUTES.FLAGS), as the quote format defines them.
inline constexpr uint64_t kAttrInit = attestation::kAttributeInit;
inline constexpr uint64_t kAttrDebug = attestation::kAttributeDebug;
inline constexpr uint64_t kAttrMode64Bit = attestation::kAttributeMode64Bit;
// XFRM the simulated platform reports: x87 and SSE state.
inline constexpr uint64_t kDefaultXfrm = 0x03;

struct EnclaveIdentity {
  ByteArray<32> mrenclave{};
  ByteArray<32> mrsigner{};
  uint16_t isvprodid = 0;
  uint16_t isvsvn = 0;
  uint64_t attributes_flags = kAttrInit | kAttrMode64Bit;
  uint64_t attributes_xfrm = kDefaultXfrm;
  uint32_t miscselect = 0;

  bool debug() const { return (attributes_flags & kAttrDebug) != 0; }
};

// Programs larger than this are not measured (a bound on the work one request can cause).
inline constexpr uint64_t kMaxProgramSize = uint64_t{1} << 30;

// MRENCLAVE of a program: SHA-256 of the file's bytes, read in chunks. Only regular files
// of at most kMaxProgramSize bytes are measured; a FIFO or device is kInvalidArgument.
Result<ByteArray<32>> MeasureProgram(const std::filesystem::path& program);

// MRENCLAVE of the program open for reading as `fd` (not closed; read from its current
// offset to the end). The same checks as MeasureProgram; `name` is for messages.
Result<ByteArray<32>> MeasureOpenProgram(int fd, const std::string& name);

// Path of a program's signature file: "<program>.sig".
std::filesystem::path SignatureFilePath(const std::filesystem::path& program);

// The built-in debug signer's MRSIGNER (its private key is not kept anywhere: nothing can
// be signed with it, unsigned programs are only attributed to it).
const ByteArray<32>& DebugSignerMrSigner();

// The identity of `program` as the simulated CPU would measure it. With a signature file,
// the signature must verify and its MRENCLAVE must equal the program's current
// measurement; a mismatch (the program changed after signing) is kVerificationFailed, never
// silently ignored.
Result<EnclaveIdentity> ReadEnclaveIdentity(const std::filesystem::path& program);

// The identity of a program measured as `mrenclave` whose signature file holds
// `signature_file` (nullopt: it has none, so it counts as signed by the debug signer), with
// the same checks as ReadEnclaveIdentity. `program` and `sig_name` are for messages.
Result<EnclaveIdentity> IdentityOfMeasuredProgram(const ByteArray<32>& mrenclave,
                                                  const std::optional<std::string>& signature_file,
                                                  const std::string& program,
                                                  const std::string& sig_name);

}  // namespace scone::platform
