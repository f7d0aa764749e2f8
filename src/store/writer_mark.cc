#include "store/writer_mark.h"

#include <string>

#include "common/byte_io.h"
#include "common/file_util.h"
#include "common/secret.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"

namespace scone::store {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[] = "SCONE-WM";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
constexpr uint16_t kVersion = 1;
constexpr size_t kTagSize = 16;
constexpr size_t kHeaderSize = kMagicSize + 2 + 2 + kTagSize;
constexpr size_t kPayloadSize = kKeyIdSize + 8;
static_assert(kWriterMarkSize == kHeaderSize + crypto::kAesGcmOverhead + kPayloadSize);

constexpr char kSalt[] = "scone-store";
constexpr char kTagInfo[] = "scone-store writer-mark tag v1";
constexpr char kKeyInfo[] = "scone-store writer-mark key v1";

Result<SecretBytes> Derive(const SecretBytes& seal_key, const char* info, size_t size) {
  return crypto::HkdfSha256(seal_key, AsBytes(std::string_view(kSalt)),
                            AsBytes(std::string_view(info)), size);
}

Result<SecretBytes> SealKeyAt(const SealKeyFunction& seal_key, uint16_t key_isvsvn) {
  if (!seal_key) return InvalidArgument("no seal key function was given for the writer mark");
  auto key = seal_key(key_isvsvn);
  if (!key.ok()) {
    return key.status().WithContext("cannot get the platform seal key for ISVSVN " +
                                    std::to_string(key_isvsvn));
  }
  return key;
}

Status Damaged(const fs::path& path, const std::string& what) {
  return DataLoss("writer mark " + path.string() + " " + what +
                  ". It records the newest generation of the database this CAS served; restore "
                  "it from a backup of this machine, or see docs/backup.md \"One writer\"");
}

}  // namespace

fs::path WriterMarkPath(const fs::path& db_path) {
  return fs::path(db_path.string() + ".writer-mark");
}

Result<Bytes> EncodeWriterMark(const SecretBytes& seal_key, uint16_t key_isvsvn,
                               const WriterMark& mark) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes tag, Derive(seal_key, kTagInfo, kTagSize));
  SCONE_ASSIGN_OR_RETURN(SecretBytes key, Derive(seal_key, kKeyInfo, crypto::kAesGcmKeySize));
  Bytes out(kMagic, kMagic + kMagicSize);
  PutU16(out, kVersion);
  PutU16(out, key_isvsvn);
  PutBytes(out, tag.Reveal());  // not secret: one-way from the seal key, names the platform
  Bytes payload(mark.key_id.begin(), mark.key_id.end());
  PutU64(payload, mark.generation);
  SCONE_ASSIGN_OR_RETURN(Bytes sealed, crypto::AesGcmSeal(key, payload, out));
  PutBytes(out, sealed);
  return out;
}

Result<WriterMarkRead> ReadWriterMark(const fs::path& path, const SealKeyFunction& seal_key,
                                      uint16_t own_isvsvn) {
  WriterMarkRead result;
  auto content = ReadFile(path, 4096);
  if (!content.ok()) {
    if (content.status().code() == Code::kNotFound) return result;
    if (content.status().code() == Code::kInvalidArgument) {
      return Damaged(path, "is not a writer mark (" + content.status().message() + ")");
    }
    return content.status();
  }
  ByteView all = AsBytes(*content);
  if (all.size() != kWriterMarkSize) {
    return Damaged(path, "has " + std::to_string(all.size()) + " bytes, a writer mark has " +
                             std::to_string(kWriterMarkSize) + " (truncated or not a mark)");
  }
  ByteReader in("writer mark", all);
  ByteView magic;
  ByteView tag;
  uint16_t version = 0;
  uint16_t key_isvsvn = 0;
  SCONE_RETURN_IF_ERROR(in.Span("magic", kMagicSize, magic));
  SCONE_RETURN_IF_ERROR(in.U16("format version", version));
  SCONE_RETURN_IF_ERROR(in.U16("key ISVSVN", key_isvsvn));
  SCONE_RETURN_IF_ERROR(in.Span("platform tag", kTagSize, tag));
  if (AsChars(magic) != std::string_view(kMagic, kMagicSize)) {
    return Damaged(path, "does not start with \"SCONE-WM\" (damaged, or not a writer mark)");
  }
  if (version != kVersion) {
    return Damaged(path, "has format version " + std::to_string(version) + "; this CAS reads " +
                             std::to_string(kVersion));
  }
  if (key_isvsvn > own_isvsvn) {
    return FailedPrecondition("writer mark " + path.string() + " was sealed by a CAS with ISVSVN " +
                              std::to_string(key_isvsvn) + ", newer than this CAS (ISVSVN " +
                              std::to_string(own_isvsvn) + "): run a CAS with ISVSVN " +
                              std::to_string(key_isvsvn) + " or higher");
  }
  SCONE_ASSIGN_OR_RETURN(SecretBytes seal, SealKeyAt(seal_key, key_isvsvn));
  SCONE_ASSIGN_OR_RETURN(SecretBytes own_tag, Derive(seal, kTagInfo, kTagSize));
  if (!ConstantTimeEquals(own_tag.Reveal(), tag)) {
    result.state = WriterMarkRead::State::kForeign;
    return result;
  }
  SCONE_ASSIGN_OR_RETURN(SecretBytes key, Derive(seal, kKeyInfo, crypto::kAesGcmKeySize));
  auto payload = crypto::AesGcmOpen(key, all.subspan(kHeaderSize), all.first(kHeaderSize));
  if (!payload.ok() || payload->size() != kPayloadSize) {
    return Damaged(path, "was sealed on this machine but does not open: it was changed");
  }
  ByteReader p("writer mark", payload->Reveal());
  SCONE_RETURN_IF_ERROR(p.Array("key id", result.mark.key_id));
  SCONE_RETURN_IF_ERROR(p.U64("generation", result.mark.generation));
  result.state = WriterMarkRead::State::kPresent;
  return result;
}

Status WriteWriterMark(const fs::path& path, const SealKeyFunction& seal_key, uint16_t own_isvsvn,
                       const WriterMark& mark) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes seal, SealKeyAt(seal_key, own_isvsvn));
  SCONE_ASSIGN_OR_RETURN(Bytes content, EncodeWriterMark(seal, own_isvsvn, mark));
  return WriteFileAtomic(path, content, 0600);
}

}  // namespace scone::store
