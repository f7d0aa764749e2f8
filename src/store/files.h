// File operations the store needs beyond common/file_util.h: renames and removals that are
// durable (the folder is synced afterwards).
#pragma once

#include <filesystem>

#include "common/status.h"

namespace scone::store {

// Whether a directory entry exists at `path` (a dangling symbolic link counts: it is not
// ours to replace). kIoError if that cannot be determined.
Result<bool> EntryExists(const std::filesystem::path& path);

// rename(2) followed by an fsync of the folder, so the rename survives a crash.
Status RenameDurably(const std::filesystem::path& from, const std::filesystem::path& to);

// Removes `path` if it exists, then syncs the folder.
Status RemoveDurably(const std::filesystem::path& path);

}  // namespace scone::store
