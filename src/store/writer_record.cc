#include "store/writer_record.h"

#include "common/byte_io.h"
#include "common/hex.h"
#include "store/store.h"

namespace scone::store {
namespace {

constexpr char kMagic[] = "SCONE-WR";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
constexpr uint16_t kVersion = 1;

bool PrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Result<Bytes> EncodeWriterRecord(const WriterRecord& r) {
  if (r.instance.empty() || r.instance.size() > kMaxInstanceSize || !PrintableAscii(r.instance)) {
    return InvalidArgument("a writer record's instance id is 1 to " +
                           std::to_string(kMaxInstanceSize) + " printable ASCII characters");
  }
  Bytes out(kMagic, kMagic + kMagicSize);
  PutU16(out, kVersion);
  PutBytes(out, r.key_id);
  PutU64(out, r.generation);
  PutU64(out, static_cast<uint64_t>(r.opened_at));
  PutU16(out, static_cast<uint16_t>(r.instance.size()));
  PutBytes(out, AsBytes(r.instance));
  return out;
}

Result<WriterRecord> DecodeWriterRecord(ByteView value) {
  ByteReader in("writer record", value);
  ByteView magic;
  uint16_t version = 0;
  WriterRecord r;
  uint64_t opened_at = 0;
  uint16_t instance_size = 0;
  ByteView instance;
  SCONE_RETURN_IF_ERROR(in.Span("magic", kMagicSize, magic));
  if (AsChars(magic) != std::string_view(kMagic, kMagicSize)) {
    return InvalidArgument("writer record: the magic is not \"SCONE-WR\"");
  }
  SCONE_RETURN_IF_ERROR(in.U16("format version", version));
  if (version != kVersion) {
    return InvalidArgument("writer record: format version " + std::to_string(version) +
                           " (this CAS reads " + std::to_string(kVersion) + ")");
  }
  SCONE_RETURN_IF_ERROR(in.Array("key id", r.key_id));
  SCONE_RETURN_IF_ERROR(in.U64("generation", r.generation));
  SCONE_RETURN_IF_ERROR(in.U64("opened_at", opened_at));
  r.opened_at = static_cast<int64_t>(opened_at);
  SCONE_RETURN_IF_ERROR(in.U16("instance length", instance_size));
  SCONE_RETURN_IF_ERROR(in.Span("instance", instance_size, instance));
  SCONE_RETURN_IF_ERROR(in.End());
  r.instance = std::string(AsChars(instance));
  if (r.instance.empty() || r.instance.size() > kMaxInstanceSize || !PrintableAscii(r.instance)) {
    return InvalidArgument("writer record: the instance id is not 1 to " +
                           std::to_string(kMaxInstanceSize) + " printable ASCII characters");
  }
  return r;
}

Result<std::optional<WriterRecord>> ReadWriterRecord(Store& store) {
  SCONE_ASSIGN_OR_RETURN(std::optional<Bytes> value, PlainRow(store.Get(kWriterTable, kWriterRow)));
  if (!value.has_value()) return std::optional<WriterRecord>();
  auto record = DecodeWriterRecord(*value);
  if (!record.ok()) {
    return DataLoss("database " + store.db_path().string() + ": " + record.status().message());
  }
  SCONE_ASSIGN_OR_RETURN(auto key_id, store.key_id());
  if (record->key_id != key_id) {
    return DataLoss("database " + store.db_path().string() + ": its writer record names the key " +
                    HexEncode(record->key_id) + ", not the database's " + HexEncode(key_id));
  }
  return std::optional<WriterRecord>(std::move(*record));
}

Status WriteWriterRecord(Store& store, const WriterRecord& record) {
  SCONE_ASSIGN_OR_RETURN(Bytes value, EncodeWriterRecord(record));
  return store.Put(kWriterTable, kWriterRow, value);
}

}  // namespace scone::store
