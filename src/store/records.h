// How the store encrypts its rows, recognises its key and authenticates its whole content.
//
// Row values: AES-256-GCM under the database key, with associated data
//   "scone-store v1" || kind (1 byte) || u32 len(table) || table || u32 len(name) || name
// (lengths little-endian), kind 1 for the caller's rows (table `kv`) and 2 for the store's
// own records (table `meta`, table part empty). A value copied to another row, another
// table or between kv and meta does not open.
//
// Key-check (meta "key-check"): key id (16 bytes, HKDF-SHA256 of the key, salt "scone-store",
// info "scone-store key id v1") || AES-256-GCM(key, "scone-store key-check v1"). The clear key
// id tells "this is another database's key" from "the record was changed".
//
// Content digest (meta "content-digest"): AES-256-GCM(key, SHA-256 over
//   "scone-store content v1" || u64 row count || for every row in byte order of
//   (table, name): u32 len(table) || table || u32 len(name) || name || SHA-256(sealed value)).
// It binds the set of rows: a row deleted, added, or replaced by an older version of
// itself changes the digest, which per-row AEAD alone would not notice.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "crypto/hash.h"

namespace scone::store {

inline constexpr size_t kKeyIdSize = 16;
inline constexpr char kKeyCheckName[] = "key-check";
inline constexpr char kContentDigestName[] = "content-digest";

enum class RecordKind : uint8_t { kRow = 1, kMeta = 2 };

// The associated data of a value stored under (table, name).
Bytes RecordAad(RecordKind kind, std::string_view table, std::string_view name);

// A row's place in a RowDigests map: table || '\0' || name. Table and names never contain
// NUL, so the map's byte order is the order of (table, name) pairs.
std::string RowKey(std::string_view table, std::string_view name);
// The (table, name) of a RowKey.
std::pair<std::string_view, std::string_view> SplitRowKey(std::string_view row_key);

// SHA-256 of each row's sealed value, by RowKey: the store's trusted index of its content.
using RowDigests = std::map<std::string, crypto::Sha256Digest, std::less<>>;

// The content digest of `rows` (not sealed).
crypto::Sha256Digest ContentDigest(const RowDigests& rows);

// The public identifier of a database key.
Result<ByteArray<kKeyIdSize>> KeyId(const SecretBytes& key);

// The key-check record for `key`.
Result<Bytes> MakeKeyCheck(const SecretBytes& key);

enum class KeyCheck {
  kMatches,   // the record was made with this key
  kOtherKey,  // the record belongs to another key
  kDamaged,   // the key id matches but the record does not authenticate, or it is malformed
};
KeyCheck CheckKeyCheck(const SecretBytes& key, ByteView record);

}  // namespace scone::store
