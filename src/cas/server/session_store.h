// The sessions in CAS's encrypted store (docs/cas.md "Sessions: storage"): every version
// immutable and kept by hash, one active pointer per name, the pointer checked and moved
// in the same transaction as the new version is written.
//
// Rows (store.h: table and row names are in clear, values encrypted):
//   table "sessions",         row NAME:       {"active": HASH, "versions": N}
//   table "session-versions", row NAME@HASH:  {"session": YAML as uploaded,
//                                              "creator": key hash, "certificate": PEM,
//                                              "predecessor": HASH | null, "created": secs,
//                                              "sharing": secret_sharing.h's entries}
//   table "session-values",   row NAME@HASH:  the version's secret values, the stored form
//                                              of secrets::SerializeValues
// A version and its values are written in one transaction: no version without its values
// (a version stored before values existed reads as having none), no values without it.
// Names and hashes are public identifiers ('@' never occurs in a session name); the YAML
// (which may hold secret values) is only ever in a value.
//
// Durability: Commit returns OK only once the store's transaction is on disk
// (store::Store::Transaction syncs the log before it answers, docs/store.md "Durability");
// concurrent commits share one fsync (group commit).
//
// Thread safety: every method may be called from many threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cas/api.h"
#include "cas/server/secret_sharing.h"
#include "common/secret.h"
#include "common/status.h"
#include "store/store.h"

namespace scone::cas {

// One version as stored.
struct StoredSession {
  std::string name;
  std::string yaml;             // the session file exactly as uploaded
  std::string certificate_pem;  // the uploader's client certificate
  api::SessionVersion version;  // hash, creator key hash, predecessor, created
  SecretSharing sharing;        // exports and imports of its secrets (no values)
};

// Reads of the sessions, either one at a time (SessionStore) or as of one moment
// (SessionStore::Read).
class SessionReader {
 public:
  virtual ~SessionReader() = default;
  // The active version of `name`; nullopt if there is no such session.
  virtual Result<std::optional<StoredSession>> LoadActive(std::string_view name) = 0;
  // The secret values (secrets::SerializeValues form) of the version `hash` of `name`;
  // empty if that version has none stored.
  virtual Result<SecretBytes> Values(std::string_view name, std::string_view hash) = 0;
};

// What Commit checks in its transaction besides the active pointer.
struct CommitExpectation {
  // The active hash of the session; nullopt: the name must be free.
  std::optional<std::string> active;
  // For a session in a namespace: the parent's name and the active hash whose policy
  // allowed the creation; the commit fails if the parent changed meanwhile.
  std::optional<std::pair<std::string, std::string>> parent;
};

// kAlreadyExists (409): a session conflict (name taken, predecessor not the active hash).
inline Status Conflict(std::string message) {
  return Status(Code::kAlreadyExists, std::move(message));
}

class SessionStore {
 public:
  // `store` must outlive this object.
  explicit SessionStore(store::Store* store) : store_(store) {}

  // The active hash of `name`; nullopt if there is no such session.
  Result<std::optional<std::string>> ActiveHash(std::string_view name) const;
  // The version `hash` of `name`; nullopt if there is none.
  Result<std::optional<StoredSession>> Load(std::string_view name, std::string_view hash) const;
  // The active version of `name`; nullopt if there is no such session.
  Result<std::optional<StoredSession>> LoadActive(std::string_view name) const;
  // The chain of versions from the first to the active one; empty for an unknown name.
  // kDataLoss if a link of the chain is missing.
  Result<std::vector<api::SessionVersion>> History(std::string_view name) const;
  // Every session name, in byte order.
  Result<std::vector<std::string>> Names() const;

  // Writes `session` and makes it the active version of its name, in one durable
  // transaction, if the active hash (and the parent's) is still what `expect` says.
  // Otherwise nothing is written and: kAlreadyExists when the name exists and `expect`
  // wanted it free ("... use update") or when the active hash moved on (naming the
  // current hash); kNotFound when the session (or the parent) does not exist (any more).
  // `values` (secrets::SerializeValues) are written with the version, in the same
  // transaction.
  Status Commit(const StoredSession& session, const SecretBytes& values,
                const CommitExpectation& expect);

  // The stored values of one version (see SessionReader::Values).
  Result<SecretBytes> Values(std::string_view name, std::string_view hash) const;

  // Runs `body` with a reader that sees the sessions as of one moment (one store
  // transaction; `body` must not call this store otherwise).
  Status Read(const std::function<Status(SessionReader&)>& body) const;

 private:
  store::Store* store_;
};

}  // namespace scone::cas
