#include "platform/enclave_identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/hash.h"
#include "crypto/pem.h"
#include "platform/signature_file.h"

namespace scone::platform {
namespace fs = std::filesystem;

namespace {

// The built-in debug signer. Only its public key exists; its private key was discarded
// when it was made, so no signature file can claim it.
constexpr std::string_view kDebugSignerPublicKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEzMX7MH1xCg0JOV0pDLhshr0kBSIU\n"
    "pFN3gh9KzbjNaD7cp8+D1rC4PJbAoFbvWZ1U+ihiWUkExu5COmOOQAqPWA==\n"
    "-----END PUBLIC KEY-----\n";

ByteArray<32> ComputeDebugMrSigner() {
  auto blocks = crypto::ParsePemBlocks(kDebugSignerPublicKey);
  // The constant above is valid PEM; failing here is a broken build, not bad input.
  if (!blocks.ok()) std::abort();
  return crypto::Sha256(blocks->front().der.Reveal());
}

}  // namespace

const ByteArray<32>& DebugSignerMrSigner() {
  static const ByteArray<32> kMrSigner = ComputeDebugMrSigner();
  return kMrSigner;
}

fs::path SignatureFilePath(const fs::path& program) { return fs::path(program.string() + ".sig"); }

Result<ByteArray<32>> MeasureProgram(const fs::path& program) {
  // O_NONBLOCK: a FIFO must not block the caller (las serves others meanwhile).
  int fd = ::open(program.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    std::string m = "cannot open program " + program.string() + ": " + ErrnoText(err);
    return err == ENOENT ? NotFound(std::move(m)) : IoError(std::move(m));
  }
  auto measured = MeasureOpenProgram(fd, program.string());
  ::close(fd);
  return measured;
}

Result<ByteArray<32>> MeasureOpenProgram(int fd, const std::string& name) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidArgument(name + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxProgramSize) {
    return InvalidArgument(name + " is larger than " + std::to_string(kMaxProgramSize >> 20) +
                           " MiB, the most that is measured");
  }
  crypto::Sha256Hasher hasher;
  uint8_t buf[1 << 16];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read program " + name + ": " + ErrnoText(errno));
    if (n == 0) break;
    // The file may grow while it is read: the bound holds for what is hashed, too.
    total += static_cast<uint64_t>(n);
    if (total > kMaxProgramSize) {
      return InvalidArgument(name + " grew beyond " + std::to_string(kMaxProgramSize >> 20) +
                             " MiB while it was measured");
    }
    hasher.Update(ByteView(buf, static_cast<size_t>(n)));
  }
  return hasher.Finish();
}

Result<EnclaveIdentity> ReadEnclaveIdentity(const fs::path& program) {
  SCONE_ASSIGN_OR_RETURN(ByteArray<32> mrenclave, MeasureProgram(program));
  fs::path sig_path = SignatureFilePath(program);
  auto sig_bytes = ReadFile(sig_path, 64 << 10);
  if (!sig_bytes.ok()) {
    if (sig_bytes.status().code() != Code::kNotFound) return sig_bytes.status();
    return IdentityOfMeasuredProgram(mrenclave, std::nullopt, program.string(), sig_path.string());
  }
  return IdentityOfMeasuredProgram(mrenclave, *sig_bytes, program.string(), sig_path.string());
}

Result<EnclaveIdentity> IdentityOfMeasuredProgram(const ByteArray<32>& mrenclave,
                                                  const std::optional<std::string>& signature_file,
                                                  const std::string& program,
                                                  const std::string& sig_name) {
  if (!signature_file.has_value()) {
    EnclaveIdentity id;
    id.mrenclave = mrenclave;
    id.mrsigner = DebugSignerMrSigner();
    id.attributes_flags = kAttrInit | kAttrMode64Bit | kAttrDebug;
    return id;
  }
  auto file = ParseSignatureFile(AsBytes(*signature_file));
  if (!file.ok()) return file.status().WithContext(sig_name);
  Status verified = VerifySignatureFile(*file);
  if (!verified.ok()) return verified.WithContext(sig_name);
  if (file->mrenclave != mrenclave) {
    return VerificationFailed(sig_name + " was made for MRENCLAVE " + HexEncode(file->mrenclave) +
                              ", but " + program + " now measures " + HexEncode(mrenclave) +
                              "; the program changed after signing: sign it again with "
                              "`scone signer sign`");
  }
  return IdentityFromSignatureFile(*file);
}

}  // namespace scone::platform
