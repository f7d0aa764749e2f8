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
// Content digest (meta "content-digest"), AES-256-GCM under the key of one of two plaintexts:
//   v2 (written since): 0x02 || u64 row count || S, where S is the sum modulo 2^256 (both
//     little-endian) of one term per row, HMAC-SHA256(T, u32 len(table) || table ||
//     u32 len(name) || name || SHA-256(sealed value)), with the term key
//     T = HKDF-SHA256(key, salt "scone-store", info "scone-store content key v2", 32 bytes).
//     A write changes S by the terms of the rows it touches, so a commit costs O(rows
//     written), not O(rows stored) (ContentSum).
//   v1 (32 bytes; in schema version 1 databases, verified and upgraded to v2 at open): SHA-256 over
//     "scone-store content v1" || u64 row count || for every row in byte order of
//     (table, name): u32 len(table) || table || u32 len(name) || name || SHA-256(sealed value).
// Either binds the set of rows: a row deleted, added, or replaced by an older version of
// itself changes it, which per-row AEAD alone would not notice. v2 is a keyed multiset hash
// (MSet-Add-Hash, Clarke et al., ASIACRYPT 2003): the terms are PRF outputs under a key that
// never leaves CAS, and each (table, name) is in the set at most once, so another set of rows
// has the same sum with probability 2^-256 per try; the sum itself is sealed, never seen.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/mac.h"

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

// The v1 content digest of `rows` (not sealed); only to check databases written before v2.
crypto::Sha256Digest ContentDigest(const RowDigests& rows);

// The v2 content digest, kept up to date row by row. Copies are cheap (40 bytes and a shared
// key), which is how a transaction takes a snapshot to roll back to.
class ContentSum {
 public:
  static constexpr size_t kEncodedSize = 1 + 8 + 32;
  static constexpr uint8_t kVersion = 2;

  // The sum of no rows, for the database key `key`.
  static Result<ContentSum> ForKey(const SecretBytes& key);
  // The sum of `rows` under `key`.
  static Result<ContentSum> Of(const SecretBytes& key, const RowDigests& rows);

  // A row's term: 256 bits, little-endian limbs.
  using Term = std::array<uint64_t, 4>;
  // The term of a row (its RowKey and the SHA-256 of its sealed value). The only step that
  // can fail, so a writer computes its terms before it changes anything.
  Result<Term> TermOf(std::string_view row_key, const crypto::Sha256Digest& value_digest) const;
  // A row enters or leaves the set (modulo 2^256).
  void Add(const Term& term);
  void Remove(const Term& term);
  // TermOf and Add or Remove in one step.
  Status Add(std::string_view row_key, const crypto::Sha256Digest& value_digest);
  Status Remove(std::string_view row_key, const crypto::Sha256Digest& value_digest);

  uint64_t count() const { return count_; }
  // The plaintext of the content-digest record: 0x02 || u64 count || sum.
  Bytes Encode() const;

 private:
  ContentSum() = default;

  std::shared_ptr<const crypto::HmacSha256Key> term_key_;  // HMAC key T (docs/store.md)
  uint64_t count_ = 0;
  std::array<uint64_t, 4> sum_{};  // little-endian limbs
};

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
