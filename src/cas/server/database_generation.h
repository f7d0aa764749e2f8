// One writer across machines (docs/backup.md "One writer"): the check a CAS makes when it
// opens its database to serve it, and GET /v1/database-generation, which lets other CASes
// make that check against this one.
//
// At every start, before anything is served, ClaimDatabase:
//   1. reads the database's writer record (store/writer_record.h: key id, generation G,
//      instance, opened_at) and this machine's writer mark (store/writer_mark.h: the
//      highest generation M this machine's CAS wrote of this database);
//   2. asks every backup registered in DB.backups which database and generation it serves
//      (GET /v1/database-generation over TLS pinned to this CAS's own key: a CAS that
//      serves this database has this database's CAS key, so no one else can answer for it);
//   3. refuses (kFailedPrecondition, naming the files, the generations and the override) if
//      a backup serves this database, if G < M (this copy is older than one this machine
//      already served), or if the record names this instance but this machine has no mark
//      for this database (the mark was removed, or a crash came between the two writes);
//   4. writes generation G + 1 for this instance, durably, then the mark.
// With `take_over` (cas --take-over-database) a refusal becomes a warning in the log and the
// generation written is above every generation seen (record, mark, backups).
//
// A backup that cannot be asked (not reachable in time, a refusal) gives a warning naming
// what is then not detected, and the start goes on: availability over a check that can
// only ever see registered backups.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "cas/api.h"
#include "cas/server/cas_state.h"
#include "common/status.h"

namespace scone::cas {

// The option that overrides a refusal of ClaimDatabase (named in its messages).
inline constexpr char kTakeOverOption[] = "--take-over-database";

// Asks the CAS at `address` (HOST[:PORT], default port 8081) which database it serves,
// accepting only a server whose TLS key has the key hash `cas_key_hash`. Errors: that of
// the pin (kVerificationFailed: the server has another CAS key, so it serves another
// database), kUnavailable (not reachable), others for a refusal or a malformed answer.
using GenerationFetcher = std::function<Result<api::DatabaseGenerationResponse>(
    const std::string& address, const std::string& cas_key_hash)>;

// The fetcher `cas` uses: HTTPS, each call bounded by `timeout` (connect, handshake and
// exchange together).
GenerationFetcher HttpsGenerationFetcher(std::chrono::milliseconds timeout);

struct ClaimOptions {
  bool take_over = false;
  GenerationFetcher fetch;  // asked in parallel, once per registered backup address
  int64_t now = 0;
};

// The check and the claim above. On success state.writer() is the new record.
Status ClaimDatabase(CasState& state, const ClaimOptions& options);

// GET /v1/database-generation: the record this CAS serves with. Reveals the database key's
// public id, the generation, the instance (the software key hash, which attestation gives
// anyone too) and when it was opened; docs/backup.md says what that tells a stranger.
class GenerationHandler {
 public:
  explicit GenerationHandler(CasState* state) : state_(state) {}
  Result<api::DatabaseGenerationResponse> Get() const;

 private:
  CasState* state_;
};

}  // namespace scone::cas
