// Internal to the store (store.cc, transaction.cc): the open store's state, the Txn that
// transaction bodies get, and the helpers both files use. Not part of the store's API.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/file_util.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "store/files.h"
#include "store/records.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace scone::store {
namespace internal {

// kDataLoss about the database file: `what` was found, and what to do about it.
Status Damaged(const std::filesystem::path& db, const std::string& what);
Status SimulatedCrash(std::string_view step);
// Whether the test hook asks to stop (crash) at `step`.
bool CrashAt(const StoreOptions& options, std::string_view step);
Status WriteMeta(SqliteDb& db, const char* name, ByteView value);
// Seals and writes the content digest (v2) `sum`.
Status WriteDigest(SqliteDb& db, const SecretBytes& key, const ContentSum& sum);
// "row (table, name)" for messages; names are public by contract (store.h).
std::string RowLabel(std::string_view table, std::string_view name);
// Table and row names within the limits of store.h.
Status ValidateNames(std::string_view table, std::string_view name);
// A row through the trusted index: nullopt if absent, kDataLoss if changed on disk.
Result<std::optional<SecretBytes>> ReadRow(SqliteDb& db, const std::filesystem::path& path,
                                           const SecretBytes& key, const RowDigests& rows,
                                           std::string_view table, std::string_view name);
std::vector<std::string> ListRows(const RowDigests& rows, std::string_view table);

}  // namespace internal

// A transaction waiting for its group (Transaction).
struct Store::Pending {
  const std::function<Status(Txn&)>* body;
  Status result;
  std::exception_ptr exception;
  bool done = false;
};

struct Store::State {
  StoreOptions options;
  FileLock lock;  // declared before `db`: released after the connection closes
  SqliteDb db;
  SecretBytes key;
  RowDigests rows;
  ContentSum content;  // the v2 content digest of `rows`, kept with them
  std::atomic<uint16_t> key_isvsvn{0};
  std::mutex mu;
  // The thread running a Transaction body, to refuse re-entrant calls instead of deadlocking.
  std::atomic<std::thread::id> body_thread{};
  // Not OK once the store must not be used any more (failed commit, simulated crash).
  Status broken;
  // Group commit (Transaction): transactions waiting to be written, and whether a caller
  // is writing a group now (the leader). Guarded by group_mu, which is never held while
  // waiting for `mu`.
  std::mutex group_mu;
  std::condition_variable group_cv;
  std::vector<Pending*> queue;
  bool leader = false;
  // Durability (docs/store.md "Durability"): commits are counted; a group's callers are
  // answered once the log is synced past its commit (`wal`, outside `mu`). Meanwhile the
  // rows it changed are in `unsynced` with its commit's number, and a read of such a row
  // (or a list of its table) waits until that commit is durable, so that nothing read from
  // the store can be lost by a crash. `committed` changes under `mu`; the rest is guarded
  // by `mu` (synced_cv waits on it).
  std::unique_ptr<WalSync> wal;
  std::atomic<uint64_t> committed{0};
  uint64_t synced = 0;
  std::map<std::string, uint64_t, std::less<>> unsynced;
  std::condition_variable synced_cv;

  State(StoreOptions o, FileLock l, SqliteDb d, SecretBytes k, RowDigests r, ContentSum c,
        uint16_t svn, std::unique_ptr<WalSync> w)
      : options(std::move(o)),
        lock(std::move(l)),
        db(std::move(d)),
        key(std::move(k)),
        rows(std::move(r)),
        content(std::move(c)),
        key_isvsvn(svn),
        wal(std::move(w)) {}

  // The newest commit not yet durable that changed row `row_key`, or of any row of `table`
  // (a RowKey prefix); 0 if none. The caller holds `mu`.
  uint64_t UnsyncedRow(std::string_view row_key) const;
  uint64_t UnsyncedInTable(std::string_view table) const;
  // Waits (releasing `held`, a lock of `mu`) until commit `seq` is durable; 0 returns at
  // once. The store's failure if it was retired meanwhile.
  Status WaitDurable(std::unique_lock<std::mutex>& held, uint64_t seq);
  // Counts a commit whose COMMIT returned and records the rows it changed; returns its
  // number. The caller holds `mu`.
  uint64_t CountCommit(const TxnImpl* txn);
  // Syncs the log past commit `seq` (no lock held), then marks what it covered durable and
  // wakes the readers waiting for it. A failure retires the store.
  Status AwaitDurable(uint64_t seq);
  // The same for a caller that holds `mu`.
  Status SyncLocked(uint64_t seq);

 private:
  Status MarkDurable(const Result<uint64_t>& upto);
};

class Store::TxnImpl final : public Txn {
 public:
  // A transaction on its own copy of the index (`rows`, whose content digest is `sum`), which
  // the caller installs after the commit (rows(), sum()).
  TxnImpl(SqliteDb& db, std::filesystem::path path, const SecretBytes& key, RowDigests rows,
          ContentSum sum)
      : db_(db),
        path_(std::move(path)),
        key_(key),
        own_(std::move(rows)),
        rows_(own_),
        own_sum_(std::move(sum)),
        sum_(*own_sum_),
        start_sum_(sum_),
        body_sum_(sum_) {}
  // A transaction that changes the store's index `live` and its digest `live_sum` in place
  // (no copy per transaction): the caller keeps them from being read meanwhile and calls
  // UndoAll() unless it commits.
  TxnImpl(SqliteDb& db, std::filesystem::path path, const SecretBytes& key, RowDigests* live,
          ContentSum* live_sum)
      : db_(db),
        path_(std::move(path)),
        key_(key),
        rows_(*live),
        sum_(*live_sum),
        start_sum_(sum_),
        body_sum_(sum_) {}

  Result<std::optional<SecretBytes>> Get(std::string_view table, std::string_view name) override {
    return internal::ReadRow(db_, path_, key_, rows_, table, name);
  }

  Status Put(std::string_view table, std::string_view name, ByteView value) override {
    SCONE_RETURN_IF_ERROR(internal::ValidateNames(table, name));
    if (value.size() > kMaxValueSize) {
      return InvalidArgument("store: a value of " + std::to_string(value.size()) +
                             " bytes is larger than " + std::to_string(kMaxValueSize));
    }
    SCONE_ASSIGN_OR_RETURN(
        Bytes sealed, crypto::AesGcmSeal(key_, value, RecordAad(RecordKind::kRow, table, name)));
    // The content digest's terms before anything changes (computing them is the only step
    // of the digest that can fail): a failure leaves the database, index and digest as they were.
    std::string key = RowKey(table, name);
    crypto::Sha256Digest digest = crypto::Sha256(sealed);
    SCONE_ASSIGN_OR_RETURN(ContentSum::Term added, sum_.TermOf(key, digest));
    std::optional<ContentSum::Term> removed;
    if (auto old = rows_.find(key); old != rows_.end()) {
      SCONE_ASSIGN_OR_RETURN(removed, sum_.TermOf(key, old->second));
    }
    // An existing row is updated in place: its index entry (the key) stays as it is, so the
    // commit writes fewer pages to the log than a delete and insert would.
    auto stmt = db_.PrepareCached(
        "INSERT INTO kv(tbl, name, value) VALUES(?, ?, ?) "
        "ON CONFLICT(name, tbl) DO UPDATE SET value = excluded.value");
    if (!stmt.ok()) return Fail(stmt.status());
    Status s = stmt->BindText(1, table);
    if (s.ok()) s = stmt->BindText(2, name);
    if (s.ok()) s = stmt->BindBlob(3, sealed);
    if (s.ok()) s = stmt->Run();
    if (!s.ok()) return Fail(s);
    Remember(key);
    dirty_ = true;
    if (removed.has_value()) sum_.Remove(*removed);
    sum_.Add(added);
    rows_[key] = digest;
    return Status::Ok();
  }

  Status Delete(std::string_view table, std::string_view name) override {
    SCONE_RETURN_IF_ERROR(internal::ValidateNames(table, name));
    auto it = rows_.find(RowKey(table, name));
    if (it == rows_.end()) return Status::Ok();
    SCONE_ASSIGN_OR_RETURN(ContentSum::Term removed, sum_.TermOf(it->first, it->second));
    auto stmt = db_.PrepareCached("DELETE FROM kv WHERE tbl = ? AND name = ?");
    if (!stmt.ok()) return Fail(stmt.status());
    Status s = stmt->BindText(1, table);
    if (s.ok()) s = stmt->BindText(2, name);
    if (s.ok()) s = stmt->Run();
    if (!s.ok()) return Fail(s);
    Remember(it->first);
    dirty_ = true;
    sum_.Remove(removed);
    rows_.erase(it);
    return Status::Ok();
  }

  Result<std::vector<std::string>> List(std::string_view table) override {
    SCONE_RETURN_IF_ERROR(internal::ValidateNames(table, ""));
    return internal::ListRows(rows_, table);
  }

  RowDigests& rows() { return rows_; }
  const ContentSum& sum() const { return sum_; }
  // The first failed write, if any: the transaction must not commit after one, even if the
  // body ignored the error.
  const Status& failure() const { return failure_; }
  // Whether any body wrote (a group of readers needs no commit).
  bool dirty() const { return dirty_; }
  // Calls `f(row_key)` for each change kept so far (a row may come more than once).
  template <typename F>
  void ForEachChange(F&& f) const {
    for (const auto& change : undo_) f(change.first);
  }

  // One body's share of a group transaction (in an SQLite savepoint): BeginBody starts
  // it; UndoBody takes its changes out of the index again (ROLLBACK TO undoes the rows);
  // UndoAll takes out every change (ROLLBACK undoes the rows).
  void BeginBody() {
    body_mark_ = undo_.size();
    body_sum_ = sum_;
    failure_ = Status::Ok();
  }
  void UndoBody() {
    UndoTo(body_mark_);
    sum_ = body_sum_;
    failure_ = Status::Ok();
  }
  void UndoAll() {
    UndoTo(0);
    sum_ = start_sum_;
  }

 private:
  Status Fail(Status s) {
    if (failure_.ok()) failure_ = s;
    return s;
  }
  void UndoTo(size_t mark) {
    while (undo_.size() > mark) {
      auto& [key, digest] = undo_.back();
      if (digest.has_value()) {
        rows_[key] = *digest;
      } else {
        rows_.erase(key);
      }
      undo_.pop_back();
    }
  }
  // Records the index entry of `key` before a change to it.
  void Remember(const std::string& key) {
    auto it = rows_.find(key);
    undo_.emplace_back(
        key, it == rows_.end() ? std::nullopt : std::optional<crypto::Sha256Digest>(it->second));
  }

  SqliteDb& db_;
  std::filesystem::path path_;
  const SecretBytes& key_;
  RowDigests own_;
  RowDigests& rows_;
  // The content digest of rows_, and its values to go back to (UndoAll, UndoBody).
  std::optional<ContentSum> own_sum_;
  ContentSum& sum_;
  ContentSum start_sum_;
  ContentSum body_sum_;
  Status failure_;
  size_t body_mark_ = 0;
  std::vector<std::pair<std::string, std::optional<crypto::Sha256Digest>>> undo_;
  bool dirty_ = false;
};

}  // namespace scone::store
