// Store's backup entries (store.h, backup_keys.h): the database key wrapped for each
// registered backup CAS, in DB.backups, changed only by the Store that holds the database.
#include <algorithm>

#include "store/store.h"
#include "store/store_internal.h"

namespace scone::store {

Result<BackupEntry> Store::AddBackup(BackupEntry entry) {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  std::lock_guard<std::mutex> guard(state_->mu);
  if (!state_->broken.ok()) return state_->broken;
  const auto path = BackupsPath(db_path_);
  SCONE_ASSIGN_OR_RETURN(std::vector<BackupEntry> entries, ReadBackupEntries(path));
  SCONE_RETURN_IF_ERROR(WrapForBackup(state_->key, entry));
  auto same = std::find_if(entries.begin(), entries.end(),
                           [&](const BackupEntry& e) { return e.id == entry.id; });
  if (same != entries.end()) {
    *same = entry;
  } else {
    if (entries.size() >= kMaxBackupEntries) {
      return FailedPrecondition("at most " + std::to_string(kMaxBackupEntries) +
                                " backups can be registered; remove one first");
    }
    entries.push_back(entry);
  }
  SCONE_RETURN_IF_ERROR(WriteBackupEntries(path, entries));
  return entry;
}

Result<std::vector<BackupEntry>> Store::Backups() {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  std::lock_guard<std::mutex> guard(state_->mu);
  return ReadBackupEntries(BackupsPath(db_path_));
}

Result<bool> Store::IsOwnBackupEntry(const BackupEntry& entry) const {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  if (!state_->options.identity.has_value()) return false;
  return IsForThisCas(entry, state_->options.seal_key, *state_->options.identity);
}

Status Store::RemoveBackup(std::string_view id) {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  std::lock_guard<std::mutex> guard(state_->mu);
  if (!state_->broken.ok()) return state_->broken;
  const auto path = BackupsPath(db_path_);
  SCONE_ASSIGN_OR_RETURN(std::vector<BackupEntry> entries, ReadBackupEntries(path));
  auto it = std::find_if(entries.begin(), entries.end(),
                         [&](const BackupEntry& e) { return e.id == id; });
  if (it == entries.end()) return NotFound("no registered backup has the id " + std::string(id));
  entries.erase(it);
  return WriteBackupEntries(path, entries);
}

}  // namespace scone::store
