#include "store/backup_keys.h"

#include <nlohmann/json.hpp>

#include "common/byte_io.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/aead.h"
#include "crypto/ecdh.h"
#include "crypto/hash.h"
#include "crypto/kdf.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "store/records.h"

namespace scone::store {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kKeyLabel[] = "scone-cas-backup-key v1";
constexpr char kWrapSalt[] = "scone-cas-backup-wrap v1";
constexpr char kAadLabel[] = "scone-cas-backup-entry v1";
constexpr int kFileVersion = 1;
constexpr size_t kMaxFileSize = 1 << 20;

Result<crypto::EvpPkeyPtr> DeriveBackupKey(const SecretBytes& seal_key, ByteView salt) {
  Bytes info(std::begin(kKeyLabel), std::end(kKeyLabel) - 1);
  info.insert(info.end(), salt.begin(), salt.end());
  return crypto::DeriveEcP256Key(seal_key, info);
}

void PutField(Bytes& out, ByteView v) {
  PutU32(out, static_cast<uint32_t>(v.size()));
  PutBytes(out, v);
}

Result<SecretBytes> Kek(EVP_PKEY* own, EVP_PKEY* peer, ByteView aad) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes shared, crypto::EcdhP256(own, peer));
  return crypto::HkdfSha256(shared, AsBytes(std::string_view(kWrapSalt)), aad, 32);
}

std::string EntryId(ByteView public_key) {
  auto h = crypto::Sha256(public_key);
  return HexEncode(ByteView(h).first(16));
}

json EntryToJson(const BackupEntry& e) {
  return {{"id", e.id},
          {"address", e.address},
          {"mrsigner", HexEncode(e.identity.mrsigner)},
          {"isvprodid", e.identity.isvprodid},
          {"isvsvn", e.identity.isvsvn},
          {"debug", e.identity.debug},
          {"tcb_status", e.tcb_status},
          {"key_isvsvn", e.offer.key_isvsvn},
          {"salt", HexEncode(e.offer.salt)},
          {"backup_key", HexEncode(e.offer.public_key)},
          {"one_time_key", HexEncode(e.one_time_key)},
          {"wrapped_key", HexEncode(e.wrapped_key)},
          {"registered", e.registered}};
}

// Strict: exactly the members above, each of its type.
Result<BackupEntry> EntryFromJson(const json& j) {
  static constexpr const char* kMembers[] = {
      "id",           "address",     "mrsigner",   "isvprodid", "isvsvn",
      "debug",        "tcb_status",  "key_isvsvn", "salt",      "backup_key",
      "one_time_key", "wrapped_key", "registered"};
  if (!j.is_object() || j.size() != std::size(kMembers)) {
    return InvalidArgument("an entry is not an object of " + std::to_string(std::size(kMembers)) +
                           " members");
  }
  for (const char* m : kMembers) {
    if (!j.contains(m)) return InvalidArgument(std::string("an entry lacks \"") + m + "\"");
  }
  auto str = [&](const char* m) -> Result<std::string> {
    if (!j[m].is_string()) return InvalidArgument(std::string("\"") + m + "\" is not a string");
    return j[m].get<std::string>();
  };
  auto hex = [&](const char* m, size_t max) -> Result<Bytes> {
    SCONE_ASSIGN_OR_RETURN(std::string s, str(m));
    if (s.size() > 2 * max) return InvalidArgument(std::string("\"") + m + "\" is too long");
    auto b = HexDecode(s);
    if (!b.ok()) return b.status().WithContext(std::string("\"") + m + "\"");
    return b;
  };
  auto u16 = [&](const char* m) -> Result<uint16_t> {
    if (!j[m].is_number_unsigned() || j[m].get<uint64_t>() > 0xffff) {
      return InvalidArgument(std::string("\"") + m + "\" is not a 16-bit number");
    }
    return static_cast<uint16_t>(j[m].get<uint64_t>());
  };
  BackupEntry e;
  SCONE_ASSIGN_OR_RETURN(e.id, str("id"));
  SCONE_ASSIGN_OR_RETURN(e.address, str("address"));
  SCONE_ASSIGN_OR_RETURN(Bytes signer, hex("mrsigner", 32));
  if (signer.size() != 32) return InvalidArgument("\"mrsigner\" is not 32 bytes");
  std::copy(signer.begin(), signer.end(), e.identity.mrsigner.begin());
  SCONE_ASSIGN_OR_RETURN(e.identity.isvprodid, u16("isvprodid"));
  SCONE_ASSIGN_OR_RETURN(e.identity.isvsvn, u16("isvsvn"));
  if (!j["debug"].is_boolean()) return InvalidArgument("\"debug\" is not a boolean");
  e.identity.debug = j["debug"].get<bool>();
  SCONE_ASSIGN_OR_RETURN(e.tcb_status, str("tcb_status"));
  SCONE_ASSIGN_OR_RETURN(e.offer.key_isvsvn, u16("key_isvsvn"));
  SCONE_ASSIGN_OR_RETURN(e.offer.salt, hex("salt", kBackupSaltSize));
  if (e.offer.salt.size() != kBackupSaltSize) return InvalidArgument("\"salt\" is not 32 bytes");
  SCONE_ASSIGN_OR_RETURN(e.offer.public_key, hex("backup_key", 256));
  SCONE_ASSIGN_OR_RETURN(e.one_time_key, hex("one_time_key", 256));
  SCONE_ASSIGN_OR_RETURN(e.wrapped_key, hex("wrapped_key", 256));
  if (!j["registered"].is_number_integer()) {
    return InvalidArgument("\"registered\" is not a number");
  }
  e.registered = j["registered"].get<int64_t>();
  if (e.id != EntryId(e.offer.public_key)) {
    return InvalidArgument("\"id\" is not the backup key's id");
  }
  return e;
}

}  // namespace

fs::path BackupsPath(const fs::path& db_path) { return fs::path(db_path.string() + ".backups"); }

Result<BackupKeyOffer> MakeBackupKeyOffer(const SealKeyFunction& seal_key, uint16_t own_isvsvn) {
  BackupKeyOffer offer;
  SCONE_ASSIGN_OR_RETURN(offer.salt, crypto::RandomBytes(kBackupSaltSize));
  offer.key_isvsvn = own_isvsvn;
  SCONE_ASSIGN_OR_RETURN(SecretBytes seal, seal_key(own_isvsvn));
  SCONE_ASSIGN_OR_RETURN(auto key, DeriveBackupKey(seal, offer.salt));
  SCONE_ASSIGN_OR_RETURN(offer.public_key, crypto::PublicKeySpkiDer(key.get()));
  return offer;
}

Bytes EntryAad(const BackupEntry& e, ByteView key_id) {
  Bytes out(std::begin(kAadLabel), std::end(kAadLabel));  // with the NUL
  PutField(out, key_id);
  PutField(out, AsBytes(e.address));
  PutField(out, e.identity.mrsigner);
  PutU16(out, e.identity.isvprodid);
  PutU16(out, e.identity.isvsvn);
  out.push_back(e.identity.debug ? 1 : 0);
  PutField(out, AsBytes(e.tcb_status));
  PutU16(out, e.offer.key_isvsvn);
  PutField(out, e.offer.salt);
  PutField(out, e.offer.public_key);
  PutField(out, e.one_time_key);
  PutU64(out, static_cast<uint64_t>(e.registered));
  return out;
}

Status WrapForBackup(const SecretBytes& database_key, BackupEntry& e) {
  if (database_key.size() != kDatabaseKeySize) return InvalidArgument("not a database key");
  if (e.offer.salt.size() != kBackupSaltSize) return InvalidArgument("the backup's salt");
  SCONE_ASSIGN_OR_RETURN(auto backup_key, crypto::ParsePublicKeySpkiDer(e.offer.public_key));
  SCONE_ASSIGN_OR_RETURN(auto one_time, crypto::GenerateEcP256Key());
  SCONE_ASSIGN_OR_RETURN(e.one_time_key, crypto::PublicKeySpkiDer(one_time.get()));
  e.id = EntryId(e.offer.public_key);
  SCONE_ASSIGN_OR_RETURN(auto key_id, KeyId(database_key));
  Bytes aad = EntryAad(e, key_id);
  SCONE_ASSIGN_OR_RETURN(SecretBytes kek, Kek(one_time.get(), backup_key.get(), aad));
  SCONE_ASSIGN_OR_RETURN(e.wrapped_key, crypto::AesGcmSeal(kek, database_key.Reveal(), aad));
  return Status::Ok();
}

namespace {

// This enclave's key for entry `e` (`own`, deriving through `seal_key`), or
// kFailedPrecondition naming why the entry is for another signer, product, ISVSVN, mode or
// machine.
Result<crypto::EvpPkeyPtr> OwnKeyForEntry(const BackupEntry& e, const SealKeyFunction& seal_key,
                                          const BackupIdentity& own) {
  if (e.identity.mrsigner != own.mrsigner) {
    return FailedPrecondition("it is for the signer (MRSIGNER) " + HexEncode(e.identity.mrsigner) +
                              ", not this CAS's " + HexEncode(own.mrsigner));
  }
  if (e.identity.isvprodid != own.isvprodid) {
    return FailedPrecondition("it is for the product (ISVPRODID) " +
                              std::to_string(e.identity.isvprodid) + ", not this CAS's " +
                              std::to_string(own.isvprodid));
  }
  if (own.isvsvn < e.offer.key_isvsvn) {
    return FailedPrecondition("it needs ISVSVN " + std::to_string(e.offer.key_isvsvn) +
                              " or higher; this CAS has " + std::to_string(own.isvsvn));
  }
  if (e.identity.debug != own.debug) {
    return FailedPrecondition(std::string("it is for a ") +
                              (e.identity.debug ? "debug" : "production") + " CAS; this one is " +
                              (own.debug ? "debug" : "production"));
  }
  SCONE_ASSIGN_OR_RETURN(SecretBytes seal, seal_key(e.offer.key_isvsvn));
  SCONE_ASSIGN_OR_RETURN(auto own_key, DeriveBackupKey(seal, e.offer.salt));
  SCONE_ASSIGN_OR_RETURN(Bytes own_public, crypto::PublicKeySpkiDer(own_key.get()));
  if (own_public != e.offer.public_key) {
    return FailedPrecondition("it is for a CAS on another machine (platform)");
  }
  return own_key;
}

}  // namespace

Result<bool> IsForThisCas(const BackupEntry& e, const SealKeyFunction& seal_key,
                          const BackupIdentity& own) {
  auto key = OwnKeyForEntry(e, seal_key, own);
  if (key.ok()) return true;
  if (key.status().code() == Code::kFailedPrecondition) return false;
  return key.status();
}

Result<SecretBytes> UnwrapForThisCas(const BackupEntry& e, const SealKeyFunction& seal_key,
                                     const BackupIdentity& own, ByteView key_id) {
  SCONE_ASSIGN_OR_RETURN(auto own_key, OwnKeyForEntry(e, seal_key, own));
  auto one_time = crypto::ParsePublicKeySpkiDer(e.one_time_key);
  if (!one_time.ok()) return DataLoss("its one-time key does not parse (the entry was changed)");
  Bytes aad = EntryAad(e, key_id);
  SCONE_ASSIGN_OR_RETURN(SecretBytes kek, Kek(own_key.get(), one_time->get(), aad));
  auto key = crypto::AesGcmOpen(kek, e.wrapped_key, aad);
  if (!key.ok() || key->size() != kDatabaseKeySize) {
    return DataLoss(
        "it is for this CAS but does not open: the entry was changed, or it wraps the key of "
        "another database");
  }
  return key;
}

Result<std::vector<BackupEntry>> ReadBackupEntries(const fs::path& path) {
  auto text = ReadFile(path, kMaxFileSize);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return std::vector<BackupEntry>{};
    return text.status();
  }
  return ParseBackupEntries(*text, path);
}

Result<std::vector<BackupEntry>> ParseBackupEntries(std::string_view text, const fs::path& path) {
  auto damaged = [&](const std::string& what) {
    return DataLoss("backup entries " + path.string() + ": " + what +
                    "; restore the file together with the database");
  };
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.size() != 2 || !j.contains("version") || !j.contains("entries") ||
      !j["entries"].is_array()) {
    return damaged("not {\"version\": 1, \"entries\": [...]}");
  }
  if (!j["version"].is_number_unsigned() || j["version"].get<uint64_t>() != kFileVersion) {
    return damaged("unknown format version");
  }
  if (j["entries"].size() > kMaxBackupEntries) return damaged("too many entries");
  std::vector<BackupEntry> out;
  for (size_t i = 0; i < j["entries"].size(); ++i) {
    auto e = EntryFromJson(j["entries"][i]);
    if (!e.ok()) return damaged("entry " + std::to_string(i + 1) + ": " + e.status().message());
    out.push_back(std::move(*e));
  }
  return out;
}

std::string BackupEntriesText(const std::vector<BackupEntry>& entries) {
  json list = json::array();
  for (const auto& e : entries) list.push_back(EntryToJson(e));
  json j = {{"version", kFileVersion}, {"entries", list}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Status WriteBackupEntries(const fs::path& path, const std::vector<BackupEntry>& entries) {
  return WriteFileAtomic(path, AsBytes(BackupEntriesText(entries)), 0600);
}

}  // namespace scone::store
