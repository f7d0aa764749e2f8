// The key-store: the database key, sealed to the platform, in a file beside the database.
//
// File layout (72 bytes, integers little-endian):
//   offset  0  magic "SCONE-KS" (8 bytes)
//   offset  8  format version, u16 = 1
//   offset 10  key ISVSVN, u16: the security version whose seal key sealed the database key
//   offset 12  AES-256-GCM(seal key, database key, associated data = bytes 0..11):
//              nonce (12) || encrypted database key (32) || tag (16)
// The header is authenticated, so changing the recorded ISVSVN, the version or the magic
// makes the unsealing fail just like changing the ciphertext.
//
// Sealing follows SGX: an enclave may derive the seal keys of its own and of lower ISVSVNs,
// never of higher ones. A key-store records the ISVSVN it was sealed at; a reader asks the
// platform for exactly that key, so a CAS update (higher ISVSVN) still opens key-stores of
// older versions, while an older CAS refuses a key-store written by a newer one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"

namespace scone::store {

inline constexpr size_t kDatabaseKeySize = 32;
inline constexpr size_t kKeyStoreHeaderSize = 12;
inline constexpr size_t kKeyStoreSize = 72;
inline constexpr uint16_t kKeyStoreFormatVersion = 1;

// Returns the 32-byte platform seal key for security version `key_isvsvn`. The CAS asks its
// LAS (POST /v1/seal-key, MRSIGNER policy); tests derive keys locally. It fails, with any
// code, for example when `key_isvsvn` is above the caller's own ISVSVN.
using SealKeyFunction = std::function<Result<SecretBytes>(uint16_t key_isvsvn)>;

// A key-store file that was read and parsed, but not yet unsealed.
class KeyStore {
 public:
  // Checks the size, magic and format version of the file content. kDataLoss otherwise,
  // with a message that names `path` (used only for messages).
  static Result<KeyStore> Parse(const std::filesystem::path& path, ByteView content);

  // Reads and parses `path`: kNotFound if it is missing, kDataLoss if it is not a key-store.
  static Result<KeyStore> Read(const std::filesystem::path& path);

  // The security version this key-store was sealed at.
  uint16_t key_isvsvn() const { return key_isvsvn_; }

  // Unseals the database key with the seal key for key_isvsvn(). kDataLoss if the seal key
  // is another one (another platform, signer or product) or the file was changed.
  Result<SecretBytes> Unseal(const SecretBytes& seal_key) const;

  // Does the whole opening: refuses (kFailedPrecondition) a key ISVSVN above `own_isvsvn`
  // before asking anything, asks `seal_key` for the recorded ISVSVN and unseals.
  Result<SecretBytes> UnsealWith(const SealKeyFunction& seal_key, uint16_t own_isvsvn) const;

 private:
  KeyStore(std::filesystem::path path, Bytes content, uint16_t key_isvsvn)
      : path_(std::move(path)), content_(std::move(content)), key_isvsvn_(key_isvsvn) {}

  std::filesystem::path path_;
  Bytes content_;
  uint16_t key_isvsvn_;
};

// The content of a key-store holding `database_key` (32 bytes) sealed under `seal_key`
// (32 bytes), recording `key_isvsvn`.
Result<Bytes> EncodeKeyStore(const SecretBytes& seal_key, uint16_t key_isvsvn,
                             const SecretBytes& database_key);

// Asks `seal_key` for the key of `own_isvsvn` and returns the content of a key-store that
// holds `database_key` sealed with it. The caller writes it (WriteFileAtomic, mode 0600).
Result<Bytes> SealKeyStore(const SealKeyFunction& seal_key, uint16_t own_isvsvn,
                           const SecretBytes& database_key);

}  // namespace scone::store
