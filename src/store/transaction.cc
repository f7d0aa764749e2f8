// Reads, writes and transactions of an open store, with group commit (store.h,
// docs/store.md "Transactions and threads").
#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "store/store_internal.h"

namespace scone::store {
namespace fs = std::filesystem;
namespace internal {

Status ValidateNames(std::string_view table, std::string_view name) {
  if (table.empty()) return InvalidArgument("store: a table name must not be empty");
  if (table.size() > kMaxTableNameSize) {
    return InvalidArgument("store: table name of " + std::to_string(table.size()) +
                           " bytes is longer than " + std::to_string(kMaxTableNameSize));
  }
  if (name.size() > kMaxRowNameSize) {
    return InvalidArgument("store: row name of " + std::to_string(name.size()) +
                           " bytes is longer than " + std::to_string(kMaxRowNameSize));
  }
  if (table.find('\0') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return InvalidArgument("store: table and row names must not contain NUL bytes");
  }
  return Status::Ok();
}

// "(table, name)" for messages; names are public by contract (store.h).
std::string RowLabel(std::string_view table, std::string_view name) {
  return "row (" + std::string(table) + ", " + std::string(name) + ")";
}

Result<std::optional<SecretBytes>> ReadRow(SqliteDb& db, const fs::path& path,
                                           const SecretBytes& key, const RowDigests& rows,
                                           std::string_view table, std::string_view name) {
  SCONE_RETURN_IF_ERROR(ValidateNames(table, name));
  auto it = rows.find(RowKey(table, name));
  if (it == rows.end()) return std::optional<SecretBytes>();
  SCONE_ASSIGN_OR_RETURN(SqliteStatement stmt,
                         db.PrepareCached("SELECT value FROM kv WHERE tbl = ? AND name = ?"));
  SCONE_RETURN_IF_ERROR(stmt.BindText(1, table));
  SCONE_RETURN_IF_ERROR(stmt.BindText(2, name));
  SCONE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Damaged(path, RowLabel(table, name) + " disappeared while the CAS was running");
  ByteView sealed = stmt.ColumnBlob(0);
  if (stmt.ColumnType(0) != SQLITE_BLOB || crypto::Sha256(sealed) != it->second) {
    return Damaged(path, RowLabel(table, name) + " was changed while the CAS was running");
  }
  auto value = crypto::AesGcmOpen(key, sealed, RecordAad(RecordKind::kRow, table, name));
  if (!value.ok()) return Damaged(path, RowLabel(table, name) + " does not authenticate");
  return std::optional<SecretBytes>(std::move(*value));
}

std::vector<std::string> ListRows(const RowDigests& rows, std::string_view table) {
  std::vector<std::string> names;
  std::string prefix = RowKey(table, "");
  for (auto it = rows.lower_bound(prefix); it != rows.end() && it->first.starts_with(prefix);
       ++it) {
    names.push_back(std::string(SplitRowKey(it->first).second));
  }
  return names;
}

}  // namespace internal

namespace {
// Rolls back the open transaction on every early return (and exception); a failed rollback
// retires the store (`broken`).
struct RollbackGuard {
  SqliteDb& db;
  Status& broken;
  ~RollbackGuard() {
    if (!db.InTransaction()) return;
    Status r = db.ExecCached("ROLLBACK");
    if (!r.ok() && broken.ok()) broken = r.WithContext("store: rolling back failed");
  }
};

}  // namespace
using namespace internal;  // NOLINT(google-build-using-namespace): this file's helpers

uint64_t Store::State::UnsyncedRow(std::string_view row_key) const {
  auto it = unsynced.find(row_key);
  return it == unsynced.end() ? 0 : it->second;
}

uint64_t Store::State::UnsyncedInTable(std::string_view table) const {
  std::string prefix = RowKey(table, "");
  uint64_t newest = 0;
  for (auto it = unsynced.lower_bound(prefix);
       it != unsynced.end() && it->first.starts_with(prefix); ++it) {
    newest = std::max(newest, it->second);
  }
  return newest;
}

Status Store::State::WaitDurable(std::unique_lock<std::mutex>& held, uint64_t seq) {
  if (seq == 0 || synced >= seq) return Status::Ok();
  // The leader of that commit's group is syncing it and wakes us either way.
  synced_cv.wait(held, [&] { return synced >= seq || !broken.ok(); });
  return broken;
}

uint64_t Store::State::CountCommit(const TxnImpl* txn) {
  uint64_t seq = committed.load(std::memory_order_relaxed) + 1;
  if (txn != nullptr) txn->ForEachChange([&](const std::string& row) { unsynced[row] = seq; });
  committed.store(seq, std::memory_order_release);
  return seq;
}

Status Store::State::MarkDurable(const Result<uint64_t>& upto) {
  if (!upto.ok()) {
    // Whether the log reached the disk is unknown: only a reopen can tell.
    Status failed = upto.status().WithContext(
        "store: a commit may not be on disk; restart to reopen the database");
    if (broken.ok()) broken = failed;
    synced_cv.notify_all();
    return failed;
  }
  if (*upto > synced) {
    synced = *upto;
    std::erase_if(unsynced, [&](const auto& row) { return row.second <= synced; });
  }
  synced_cv.notify_all();
  return Status::Ok();
}

Status Store::State::AwaitDurable(uint64_t seq) {
  Result<uint64_t> upto = CrashAt(options, "group:sync")
                              ? Result<uint64_t>(SimulatedCrash("group:sync"))
                              : wal->SyncAtLeast(seq, committed);
  std::lock_guard<std::mutex> guard(mu);
  return MarkDurable(upto);
}

Status Store::State::SyncLocked(uint64_t seq) {
  return MarkDurable(wal->SyncAtLeast(seq, committed));
}

Status Store::CheckUsable() const {
  if (state_->body_thread.load() == std::this_thread::get_id()) {
    return FailedPrecondition(
        "store: called from inside a Transaction body; use the Txn passed to the body");
  }
  return Status::Ok();
}

// Reads answer only what is durable: a row changed by a commit whose log is still being
// synced is returned once that sync is done (State::WaitDurable).
Result<std::optional<SecretBytes>> Store::Get(std::string_view table, std::string_view name) {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (!s.broken.ok()) return s.broken;
  SCONE_ASSIGN_OR_RETURN(auto row, ReadRow(s.db, db_path_, s.key, s.rows, table, name));
  SCONE_RETURN_IF_ERROR(s.WaitDurable(lock, s.UnsyncedRow(RowKey(table, name))));
  return row;
}

Result<std::vector<std::string>> Store::List(std::string_view table) {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  SCONE_RETURN_IF_ERROR(ValidateNames(table, ""));
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (!s.broken.ok()) return s.broken;
  std::vector<std::string> names = ListRows(s.rows, table);
  SCONE_RETURN_IF_ERROR(s.WaitDurable(lock, s.UnsyncedInTable(table)));
  return names;
}

size_t Store::RowCount() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  size_t count = s.rows.size();
  (void)s.WaitDurable(lock, s.committed.load(std::memory_order_relaxed));
  return count;
}

Status Store::Put(std::string_view table, std::string_view name, ByteView value) {
  return Transaction([&](Txn& txn) { return txn.Put(table, name, value); });
}

Status Store::Delete(std::string_view table, std::string_view name) {
  return Transaction([&](Txn& txn) { return txn.Delete(table, name); });
}

Status Store::Transaction(const std::function<Status(Txn&)>& body) {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  State& s = *state_;
  Pending mine{&body, Status::Ok(), nullptr, false};
  std::unique_lock<std::mutex> group(s.group_mu);
  s.queue.push_back(&mine);
  bool waited = false;
  while (!mine.done) {
    // Another caller is writing a group, or ours was written and is being synced.
    if (s.leader || s.queue.empty()) {
      if (!waited) (void)CrashAt(s.options, "group:wait");  // tests count the waiters
      waited = true;
      s.group_cv.wait(group);
      continue;
    }
    // Nobody is writing: this caller writes everything queued so far, its own included.
    s.leader = true;
    std::vector<Pending*> batch;
    batch.swap(s.queue);
    group.unlock();
    uint64_t seq = 0;
    {
      std::lock_guard<std::mutex> guard(s.mu);
      seq = RunGroupLocked(batch);
    }
    // The next group is written while this one's log is synced (outside both locks); its
    // callers are answered only once it is on disk.
    group.lock();
    s.leader = false;
    s.group_cv.notify_all();
    group.unlock();
    if (seq != 0) {
      // Every answer of the group, a refusal or a read included, may rest on what it saw.
      Status durable = s.AwaitDurable(seq);
      for (Pending* p : batch) {
        if (!durable.ok() && !p->exception) p->result = durable;
      }
    }
    group.lock();
    for (Pending* p : batch) p->done = true;
    s.group_cv.notify_all();
  }
  group.unlock();
  if (mine.exception) std::rethrow_exception(mine.exception);
  return mine.result;
}

uint64_t Store::RunGroupLocked(const std::vector<Pending*>& batch) {
  State& s = *state_;
  auto fail_committed = [&](const Status& why) -> uint64_t {
    for (Pending* p : batch) {
      if (p->result.ok() && !p->exception) p->result = why;
    }
    return 0;
  };
  fail_committed(s.broken);
  if (!s.broken.ok()) return 0;
  Status begun = s.db.ExecCached("BEGIN IMMEDIATE");
  if (!begun.ok()) return fail_committed(begun);
  RollbackGuard rollback{s.db, s.broken};

  // The index is changed in place (s.mu keeps readers out) and restored unless committed.
  TxnImpl txn(s.db, db_path_, s.key, &s.rows, &s.content);
  struct UndoUnlessCommitted {
    TxnImpl& txn;
    bool committed = false;
    ~UndoUnlessCommitted() {
      if (!committed) txn.UndoAll();
    }
  } undo{txn};
  size_t written = 0;
  // Each body of a group in a savepoint of its own: one that fails takes back only its own
  // writes. A body alone needs none: if it fails, nothing is written and the transaction
  // is rolled back.
  const bool savepoints = batch.size() > 1;
  for (Pending* p : batch) {
    p->result = savepoints ? s.db.ExecCached("SAVEPOINT body") : Status::Ok();
    if (!p->result.ok()) continue;
    txn.BeginBody();
    {
      struct BodyThread {
        State& s;
        explicit BodyThread(State& st) : s(st) { s.body_thread = std::this_thread::get_id(); }
        BodyThread(const BodyThread&) = delete;
        BodyThread& operator=(const BodyThread&) = delete;
        ~BodyThread() { s.body_thread = std::thread::id(); }
      } body_thread(s);
      try {
        p->result = (*p->body)(txn);
      } catch (...) {
        p->exception = std::current_exception();
        p->result = Internal("store: a transaction body threw");
      }
    }
    if (p->result.ok()) p->result = txn.failure();
    if (p->result.ok() && savepoints) p->result = s.db.ExecCached("RELEASE body");
    if (p->result.ok()) {
      ++written;
      continue;
    }
    if (!savepoints) {
      txn.UndoBody();
      break;  // written is 0: the rollback below takes back what the body wrote
    }
    Status undone = s.db.ExecCached("ROLLBACK TO body");
    if (undone.ok()) undone = s.db.ExecCached("RELEASE body");
    txn.UndoBody();
    if (!undone.ok()) {
      // The transaction's state is unknown: write nothing of this group.
      for (Pending* q : batch) {
        if (q->result.ok()) q->result = undone;
      }
      return 0;
    }
  }
  // Nothing to write: the rollback ends the transaction. The bodies may have read rows of a
  // commit still being synced: their answers wait for it.
  auto newest_seen = [&]() -> uint64_t {
    uint64_t newest = s.committed.load(std::memory_order_relaxed);
    return newest > s.synced ? newest : 0;
  };
  if (written == 0 || !txn.dirty()) return newest_seen();
  Status digest = WriteDigest(s.db, s.key, txn.sum());
  if (!digest.ok()) return fail_committed(digest);
  if (CrashAt(s.options, "group:commit")) {
    s.broken = SimulatedCrash("group:commit");
    return fail_committed(s.broken);
  }
  Status commit = s.db.ExecCached("COMMIT");
  if (!commit.ok()) {
    // Whether the commit reached the disk is unknown: only a reopen can tell.
    s.broken = commit.WithContext("store: commit failed; restart to reopen the database");
    return fail_committed(s.broken);
  }
  undo.committed = true;
  return s.CountCommit(&txn);
}

Status Store::RunLocked(const SecretBytes& key, bool replace_contents,
                        const std::function<Status(Txn&)>& body, bool& commit_attempted) {
  State& s = *state_;
  commit_attempted = false;
  if (!s.broken.ok()) return s.broken;
  SCONE_RETURN_IF_ERROR(s.db.ExecCached("BEGIN IMMEDIATE"));
  RollbackGuard rollback{s.db, s.broken};

  RowDigests rows = replace_contents ? RowDigests() : s.rows;
  SCONE_ASSIGN_OR_RETURN(ContentSum sum, ContentSum::Of(key, rows));
  TxnImpl txn(s.db, db_path_, key, std::move(rows), std::move(sum));
  if (replace_contents) {
    SCONE_RETURN_IF_ERROR(s.db.Exec("DELETE FROM kv; DELETE FROM meta"));
    SCONE_ASSIGN_OR_RETURN(Bytes key_check, MakeKeyCheck(key));
    SCONE_RETURN_IF_ERROR(WriteMeta(s.db, kKeyCheckName, key_check));
  }
  {
    struct BodyThread {
      State& s;
      explicit BodyThread(State& st) : s(st) { s.body_thread = std::this_thread::get_id(); }
      BodyThread(const BodyThread&) = delete;
      BodyThread& operator=(const BodyThread&) = delete;
      ~BodyThread() { s.body_thread = std::thread::id(); }
    } body_thread(s);
    SCONE_RETURN_IF_ERROR(body(txn));
  }
  SCONE_RETURN_IF_ERROR(txn.failure());
  SCONE_RETURN_IF_ERROR(WriteDigest(s.db, key, txn.sum()));
  commit_attempted = true;
  Status commit = s.db.ExecCached("COMMIT");
  if (!commit.ok()) {
    // Whether the commit reached the disk is unknown: only a reopen can tell.
    s.broken = commit.WithContext("store: commit failed; restart to reopen the database");
    return s.broken;
  }
  s.rows = std::move(txn.rows());
  s.content = txn.sum();
  // Synced before anything else happens (the key replacement renames files next); the
  // sync covers every earlier commit too.
  return s.SyncLocked(s.CountCommit(nullptr));
}

}  // namespace scone::store
