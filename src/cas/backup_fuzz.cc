// libFuzzer target: the backup wire types of the CAS API (cas/api.h "backups", docs/backup.md)
// and the files a backup reads before it knows any key: DB.backups (store/backup_keys.h) and
// the writer record (store/writer_record.h). The first byte of an input (modulo 9) chooses the
// parser, the rest is the body or file as it would arrive (seed corpus:
// fuzz/corpus/backup_fuzz/, first byte then the text).
//
// Properties beyond "no crash, no sanitizer report, no uncaught exception":
//  - a body a type accepts, written again with its ToJson and parsed, gives the same JSON;
//  - DB.backups text that parses, written with BackupEntriesText and parsed again, gives the
//    same entries (the same text once more), and every entry's associated data is the same
//    for the re-parsed entry (the wrapping binds what the file says, nothing else);
//  - a writer record that decodes encodes to exactly the input bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cas/api.h"
#include "store/backup_keys.h"
#include "store/writer_record.h"

namespace {
using nlohmann::json;
using namespace scone::cas::api;  // NOLINT(google-build-using-namespace): a test driver

template <typename T>
void RoundTrip(std::string_view body) {
  auto parsed = ParseBody<T>(body, "fuzz");
  if (!parsed.ok()) {
    (void)parsed.status().ToString();
    return;
  }
  json first = parsed->ToJson();
  auto again = ParseBody<T>(Serialize(first), "again");
  if (!again.ok() || again->ToJson() != first) std::abort();
}

void BackupsFile(std::string_view text) {
  auto entries = scone::store::ParseBackupEntries(text, "DB.backups");
  if (!entries.ok()) {
    (void)entries.status().ToString();
    return;
  }
  std::string written = scone::store::BackupEntriesText(*entries);
  auto again = scone::store::ParseBackupEntries(written, "DB.backups");
  if (!again.ok() || again->size() != entries->size()) std::abort();
  if (scone::store::BackupEntriesText(*again) != written) std::abort();
  const scone::Bytes key_id(16, 0x5a);
  for (size_t i = 0; i < entries->size(); ++i) {
    if (scone::store::EntryAad((*entries)[i], key_id) !=
        scone::store::EntryAad((*again)[i], key_id)) {
      std::abort();
    }
  }
}

void WriterRecord(std::string_view bytes) {
  scone::ByteView view = scone::AsBytes(bytes);
  auto record = scone::store::DecodeWriterRecord(view);
  if (!record.ok()) {
    (void)record.status().ToString();
    return;
  }
  auto encoded = scone::store::EncodeWriterRecord(*record);
  if (!encoded.ok() || scone::Bytes(view.begin(), view.end()) != *encoded) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);  // NOLINT
  switch (data[0] % 9) {
    case 0:
      RoundTrip<BackupKeyRequest>(body);
      break;
    case 1:
      RoundTrip<BackupKeyResponse>(body);
      break;
    case 2:
      RoundTrip<RegisterBackupRequest>(body);
      break;
    case 3:
      RoundTrip<BackupInfo>(body);
      break;
    case 4:
      RoundTrip<BackupListResponse>(body);
      break;
    case 5:
      RoundTrip<RemoveBackupResponse>(body);
      break;
    case 6:
      RoundTrip<DatabaseGenerationResponse>(body);
      break;
    case 7:
      BackupsFile(body);
      break;
    default:
      WriterRecord(body);
      break;
  }
  return 0;
}
