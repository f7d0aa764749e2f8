// The database's writer record (docs/backup.md "One writer"): which CAS instance opened the
// database last to serve it, and with which generation. Every CAS writes generation + 1 with
// its own instance id, durably, each time it opens the database to serve it, before it
// serves anything. It is an ordinary row (table kWriterTable, row kWriterRow), so it is
// encrypted, bound to its place and covered by the content digest like every other row.
//
// Row value (integers little-endian):
//   offset  0  magic "SCONE-WR" (8 bytes)
//   offset  8  format version, u16 = 1
//   offset 10  database key id (16 bytes, records.h KeyId)
//   offset 26  generation, u64 (1 for the first open)
//   offset 34  opened_at, i64 (Unix seconds, two's complement)
//   offset 42  u16 length of the instance id, then the instance id (1..kMaxInstanceSize
//              bytes of printable ASCII: the CAS software key hash)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "store/records.h"

namespace scone::store {

class Store;

inline constexpr char kWriterTable[] = "writer";
inline constexpr char kWriterRow[] = "record";
inline constexpr size_t kMaxInstanceSize = 128;

struct WriterRecord {
  ByteArray<kKeyIdSize> key_id{};
  uint64_t generation = 0;
  std::string instance;
  int64_t opened_at = 0;

  bool operator==(const WriterRecord&) const = default;
};

// The row value of `record`. kInvalidArgument for an instance id that is empty, too long or
// not printable ASCII.
Result<Bytes> EncodeWriterRecord(const WriterRecord& record);
// Strict: exactly the layout above. kInvalidArgument naming the field otherwise.
Result<WriterRecord> DecodeWriterRecord(ByteView value);

// The record of `store`: nullopt if it has none yet (a database written before generations
// existed, or a crash before the first record). kDataLoss if it does not decode or names
// another database key than the store's.
Result<std::optional<WriterRecord>> ReadWriterRecord(Store& store);
// Writes the record in its own transaction; durable when it returns OK.
Status WriteWriterRecord(Store& store, const WriterRecord& record);

}  // namespace scone::store
