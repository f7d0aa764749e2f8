#include "store/key_store.h"

#include <string>
#include <utility>

#include "common/byte_io.h"
#include "common/file_util.h"
#include "crypto/aead.h"

namespace scone::store {
namespace {

constexpr char kMagic[] = "SCONE-KS";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
static_assert(kKeyStoreHeaderSize == kMagicSize + 2 + 2);
static_assert(kKeyStoreSize == kKeyStoreHeaderSize + crypto::kAesGcmOverhead + kDatabaseKeySize);

std::string Restore(const std::filesystem::path& path) {
  return ". Restore " + path.string() +
         " together with its database from the last backup; never create a new key-store "
         "for an existing database";
}

Status Damaged(const std::filesystem::path& path, const std::string& what) {
  return DataLoss("key-store " + path.string() + " " + what + Restore(path));
}

Bytes Header(uint16_t version, uint16_t key_isvsvn) {
  Bytes h(kMagic, kMagic + kMagicSize);
  PutU16(h, version);
  PutU16(h, key_isvsvn);
  return h;
}

Result<SecretBytes> FetchSealKey(const SealKeyFunction& seal_key, uint16_t key_isvsvn) {
  if (!seal_key) return InvalidArgument("no seal key function was given to the store");
  auto key = seal_key(key_isvsvn);
  if (!key.ok()) {
    return key.status().WithContext("cannot get the platform seal key for ISVSVN " +
                                    std::to_string(key_isvsvn));
  }
  if (key->size() != crypto::kAesGcmKeySize) {
    return Internal("the platform seal key for ISVSVN " + std::to_string(key_isvsvn) + " has " +
                    std::to_string(key->size()) + " bytes, not 32");
  }
  return key;
}

}  // namespace

Result<KeyStore> KeyStore::Parse(const std::filesystem::path& path, ByteView content) {
  if (content.size() != kKeyStoreSize) {
    return Damaged(path, "has " + std::to_string(content.size()) + " bytes, a key-store has " +
                             std::to_string(kKeyStoreSize) + " (truncated or not a key-store)");
  }
  ByteReader r("key-store", content);
  ByteView magic;
  uint16_t version = 0;
  uint16_t key_isvsvn = 0;
  SCONE_RETURN_IF_ERROR(r.Span("magic", kMagicSize, magic));
  SCONE_RETURN_IF_ERROR(r.U16("format version", version));
  SCONE_RETURN_IF_ERROR(r.U16("key ISVSVN", key_isvsvn));
  if (AsChars(magic) != std::string_view(kMagic, kMagicSize)) {
    return Damaged(path, "does not start with \"SCONE-KS\" (damaged, or not a key-store)");
  }
  if (version != kKeyStoreFormatVersion) {
    return Damaged(path, "has format version " + std::to_string(version) + "; this CAS reads " +
                             std::to_string(kKeyStoreFormatVersion) +
                             " (damaged, or written by a newer CAS)");
  }
  return KeyStore(path, Bytes(content.begin(), content.end()), key_isvsvn);
}

Result<KeyStore> KeyStore::Read(const std::filesystem::path& path) {
  // The content is sealed, so it is not secret; a bound keeps a wrong path harmless.
  auto content = ReadFile(path, 4096);
  if (!content.ok() && content.status().code() == Code::kInvalidArgument) {
    return Damaged(path, "is not a key-store (" + content.status().message() + ")");
  }
  if (!content.ok()) return content.status();
  return Parse(path, AsBytes(*content));
}

Result<SecretBytes> KeyStore::Unseal(const SecretBytes& seal_key) const {
  ByteView all(content_);
  auto key = crypto::AesGcmOpen(seal_key, all.subspan(kKeyStoreHeaderSize),
                                all.first(kKeyStoreHeaderSize));
  if (!key.ok() || key->size() != kDatabaseKeySize) {
    return DataLoss("cannot unseal the database key in key-store " + path_.string() +
                    " with this platform's seal key for ISVSVN " + std::to_string(key_isvsvn_) +
                    ": it was sealed on another platform or for another signer or product, or "
                    "the file was changed. Run the CAS on the platform that created it, or "
                    "restore the key-store together with its database from the last backup");
  }
  return key;
}

Result<SecretBytes> KeyStore::UnsealWith(const SealKeyFunction& seal_key,
                                         uint16_t own_isvsvn) const {
  if (key_isvsvn_ > own_isvsvn) {
    return FailedPrecondition(
        "key-store " + path_.string() + " was sealed by a CAS with ISVSVN " +
        std::to_string(key_isvsvn_) + ", newer than this CAS (ISVSVN " +
        std::to_string(own_isvsvn) +
        "): an older CAS cannot open a newer one's data. Run a CAS with ISVSVN " +
        std::to_string(key_isvsvn_) + " or higher (or, if the file was damaged, restore it)");
  }
  SCONE_ASSIGN_OR_RETURN(SecretBytes key, FetchSealKey(seal_key, key_isvsvn_));
  return Unseal(key);
}

Result<Bytes> EncodeKeyStore(const SecretBytes& seal_key, uint16_t key_isvsvn,
                             const SecretBytes& database_key) {
  if (database_key.size() != kDatabaseKeySize) {
    return InvalidArgument("a database key has 32 bytes, not " +
                           std::to_string(database_key.size()));
  }
  Bytes out = Header(kKeyStoreFormatVersion, key_isvsvn);
  SCONE_ASSIGN_OR_RETURN(Bytes sealed, crypto::AesGcmSeal(seal_key, database_key.Reveal(), out));
  PutBytes(out, sealed);
  return out;
}

Result<Bytes> SealKeyStore(const SealKeyFunction& seal_key, uint16_t own_isvsvn,
                           const SecretBytes& database_key) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes key, FetchSealKey(seal_key, own_isvsvn));
  return EncodeKeyStore(key, own_isvsvn, database_key);
}

}  // namespace scone::store
