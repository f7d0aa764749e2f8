// The writer high-water mark (docs/backup.md "One writer"): a file beside the database,
// DB.writer-mark, sealed to this platform, that remembers the highest generation of the
// database (writer_record.h) this machine's CAS has written. A database whose generation is
// lower than the mark is an older copy than one this CAS already served.
//
// File layout (80 bytes, integers little-endian):
//   offset  0  magic "SCONE-WM" (8 bytes)
//   offset  8  format version, u16 = 1
//   offset 10  key ISVSVN, u16: the ISVSVN of the seal key (MRSIGNER policy) it is sealed with
//   offset 12  platform tag (16 bytes): HKDF-SHA256(seal key, salt "scone-store",
//              info "scone-store writer-mark tag v1"), the first 16 bytes
//   offset 28  AES-256-GCM(mark key, key id (16) || generation (u64); associated data =
//              bytes 0..27): nonce 12 || ciphertext 24 || tag 16, where mark key =
//              HKDF-SHA256(seal key, salt "scone-store", info "scone-store writer-mark key v1")
//
// The platform tag tells "sealed on another machine" (the tag is not this platform's: the
// mark counts as absent, as a copy from another machine must) from "changed here" (the tag
// is this platform's but the rest does not open: kDataLoss). Neither key reveals the seal
// key; the tag only identifies the platform, which whoever reads the file already knows.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/bytes.h"
#include "common/status.h"
#include "store/key_store.h"
#include "store/records.h"

namespace scone::store {

inline constexpr size_t kWriterMarkSize = 80;

struct WriterMark {
  ByteArray<kKeyIdSize> key_id{};
  uint64_t generation = 0;

  bool operator==(const WriterMark&) const = default;
};

// What reading the mark found.
struct WriterMarkRead {
  enum class State {
    kAbsent,   // no file
    kForeign,  // sealed on another platform (or for another signer or product): not ours
    kPresent,  // ours: `mark` holds it
  };
  State state = State::kAbsent;
  WriterMark mark;
};

// DB.writer-mark for the database at `db_path`.
std::filesystem::path WriterMarkPath(const std::filesystem::path& db_path);

// The file content for `mark`, sealed with `seal_key` (the key of `key_isvsvn`).
Result<Bytes> EncodeWriterMark(const SecretBytes& seal_key, uint16_t key_isvsvn,
                               const WriterMark& mark);

// Reads the mark at `path` (used in messages). Refusals, nothing changed: kDataLoss naming
// the file for a wrong size, magic or version, or for a mark of this platform that does not
// open (changed); kFailedPrecondition for a mark sealed above `own_isvsvn` (a newer CAS
// wrote it); the errors of `seal_key`; kIoError if the file cannot be read.
Result<WriterMarkRead> ReadWriterMark(const std::filesystem::path& path,
                                      const SealKeyFunction& seal_key, uint16_t own_isvsvn);

// Replaces the mark at `path` atomically (mode 0600), sealed at `own_isvsvn`.
Status WriteWriterMark(const std::filesystem::path& path, const SealKeyFunction& seal_key,
                       uint16_t own_isvsvn, const WriterMark& mark);

}  // namespace scone::store
