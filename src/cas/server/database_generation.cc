#include "cas/server/database_generation.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <set>
#include <vector>

#include "attestation/timestamp.h"
#include "cas/protocol.h"
#include "common/hex.h"
#include "net/http_client.h"

namespace scone::cas {
namespace {

constexpr uint64_t kMaxGeneration = INT64_MAX;  // what the API carries

// What one registered backup answered.
struct PeerAnswer {
  std::string address;
  Result<api::DatabaseGenerationResponse> answer;
};

std::vector<PeerAnswer> AskBackups(CasState& state, const GenerationFetcher& fetch,
                                   const std::string& cas_key_hash) {
  std::vector<PeerAnswer> out;
  auto entries = state.Backups();
  if (!entries.ok()) {
    spdlog::warn(
        "cannot read the registered backups ({}): whether one of them has taken over "
        "this database is not checked",
        entries.status().message());
    return out;
  }
  std::set<std::string> addresses;
  for (const auto& e : *entries) {
    // A copy moved here lists this CAS's own entry: it is not asked (it does not listen yet).
    auto own = state.IsOwnBackupEntry(e);
    if (own.ok() && *own) {
      spdlog::info("backup entry {} ({}) is this CAS's own: not asked", e.id, e.address);
      continue;
    }
    addresses.insert(e.address);
  }
  std::vector<std::pair<std::string, std::future<Result<api::DatabaseGenerationResponse>>>> asks;
  asks.reserve(addresses.size());
  for (const std::string& address : addresses) {
    asks.emplace_back(address, std::async(std::launch::async, [&fetch, address, cas_key_hash] {
                        return fetch(address, cas_key_hash);
                      }));
  }
  out.reserve(asks.size());
  for (auto& [address, answer] : asks) out.push_back({address, answer.get()});
  return out;
}

std::string When(int64_t t) { return attestation::FormatRfc3339(t); }

}  // namespace

GenerationFetcher HttpsGenerationFetcher(std::chrono::milliseconds timeout) {
  return [timeout](const std::string& address,
                   const std::string& cas_key_hash) -> Result<api::DatabaseGenerationResponse> {
    SCONE_ASSIGN_OR_RETURN(net::Endpoint ep, net::ParseEndpoint(address, kDefaultApiPort));
    if (ep.is_unix()) return InvalidArgument("a backup CAS is named by HOST[:PORT]");
    net::TlsClientOptions tls;
    tls.base.timeout = timeout;
    tls.base.max_response_bytes = 64 << 10;
    tls.check_server = net::PinServerKeyHash(cas_key_hash);
    net::HttpRequest http("GET", api::RouteOf(api::Endpoint::kDatabaseGeneration).path.data(),
                          "application/json", "");
    SCONE_ASSIGN_OR_RETURN(net::HttpResponse answer, net::HttpsCall(ep, http, tls));
    if (answer.status != 200) {
      auto body = api::ParseBody<api::ErrorBody>(answer.body, "the refusal");
      std::string msg = body.ok() && !body->msg.empty() ? body->msg.front() : "no details";
      return FailedPrecondition("it answered HTTP " + std::to_string(answer.status) + ": " + msg);
    }
    return api::ParseBody<api::DatabaseGenerationResponse>(answer.body, "the answer");
  };
}

Status ClaimDatabase(CasState& state, const ClaimOptions& options) {
  const std::string db = state.db_path().string();
  const std::string mark_path = store::WriterMarkPath(state.db_path()).string();
  const std::string instance = state.Snapshot().keys->software_key_hash;
  const std::string cas_key_hash = state.Snapshot().keys->cas_key_hash;
  SCONE_ASSIGN_OR_RETURN(auto key_id, state.DatabaseKeyId());
  const std::string key_id_hex = HexEncode(key_id);
  SCONE_ASSIGN_OR_RETURN(std::optional<store::WriterRecord> record, state.LoadWriter());
  const uint64_t copy = record.has_value() ? record->generation : 0;
  uint64_t highest = copy;  // every generation seen, for an override
  std::vector<std::string> refusals;

  // This machine's mark. A damaged one is a refusal like the others: the override replaces it.
  std::optional<uint64_t> mark;
  auto read = state.ReadWriterMark();
  if (!read.ok()) {
    if (read.status().code() != Code::kDataLoss) return read.status();
    refusals.push_back(read.status().message());
  } else if (read->state == store::WriterMarkRead::State::kForeign) {
    spdlog::info(
        "writer mark {} was sealed on another machine: ignored (this machine has not "
        "served this database before)",
        mark_path);
  } else if (read->state == store::WriterMarkRead::State::kPresent && read->mark.key_id == key_id) {
    mark = read->mark.generation;
    highest = std::max(highest, *mark);
  }
  if (mark.has_value() && copy < *mark) {
    refusals.push_back("database " + db + " is generation " + std::to_string(copy) +
                       ", but this CAS already served generation " + std::to_string(*mark) +
                       " of it (writer mark " + mark_path +
                       "): these files are an older copy than one this CAS already served "
                       "(restored from a backup, or copied back). Serving them would lose "
                       "what was written since, or fork the database. Start CAS on the newest "
                       "copy");
  } else if (!mark.has_value() && record.has_value() && record->instance == instance) {
    refusals.push_back("database " + db + " (generation " + std::to_string(copy) +
                       ") was last opened by this CAS instance, but this machine's writer mark " +
                       mark_path +
                       " for it is missing: it was removed or replaced, or CAS stopped between "
                       "writing the database and the mark. Whether these files are the newest "
                       "copy cannot be told");
  }

  // The registered backups: does one of them serve this database now?
  if (options.fetch) {
    for (const PeerAnswer& p : AskBackups(state, options.fetch, cas_key_hash)) {
      if (!p.answer.ok()) {
        if (p.answer.status().code() == Code::kVerificationFailed) {
          spdlog::info("backup CAS {} serves another database (its TLS key is not this CAS key)",
                       p.address);
        } else {
          spdlog::warn(
              "cannot ask backup CAS {} which database generation it serves ({}): if it has "
              "taken over this database, that is not detected (docs/backup.md \"One writer\")",
              p.address, p.answer.status().message());
        }
        continue;
      }
      const api::DatabaseGenerationResponse& a = *p.answer;
      if (a.key_id != key_id_hex) {
        spdlog::info("backup CAS {} serves another database (key id {})", p.address, a.key_id);
        continue;
      }
      highest = std::max(highest, static_cast<uint64_t>(a.generation));
      const std::string theirs = "CAS " + p.address + " serves generation " +
                                 std::to_string(a.generation) +
                                 " of this database (opened there "
                                 "at " +
                                 When(a.opened_at) + " by instance " + a.instance + ")";
      if (static_cast<uint64_t>(a.generation) > copy) {
        refusals.push_back(theirs + "; this copy (" + db + ") is generation " +
                           std::to_string(copy) +
                           ": another instance has taken over. Serving this copy would make two "
                           "writers. Stop this CAS; to move back, stop that CAS and copy its "
                           "files here");
      } else {
        refusals.push_back(theirs + "; this copy (" + db + ") is generation " +
                           std::to_string(copy) +
                           ": it runs on the same or an older copy. Serving this one too would "
                           "make two writers. Stop one of them");
      }
    }
  }

  if (highest >= kMaxGeneration) {
    return FailedPrecondition("database " + db + ": generation overflow");
  }
  uint64_t next = copy + 1;
  if (!refusals.empty()) {
    if (!options.take_over) {
      std::string msg;
      for (const auto& r : refusals) msg += r + ". ";
      return FailedPrecondition(msg +
                                "Only if this copy is to be the database from now on "
                                "(whatever the other copies hold is then lost), start "
                                "it with: cas " +
                                kTakeOverOption);
    }
    next = highest + 1;
    for (const auto& r : refusals) spdlog::warn("{}", r);
    spdlog::warn(
        "{}: taking over database {} anyway, as generation {} (above every generation "
        "seen): other copies must not be served any more",
        kTakeOverOption, db, next);
  }
  SCONE_RETURN_IF_ERROR(state.ClaimWriter(next, instance, options.now));
  if (record.has_value()) {
    spdlog::info(
        "database {}: serving generation {} (it was generation {}, opened by instance "
        "{} at {})",
        db, next, copy, record->instance, When(record->opened_at));
  } else {
    spdlog::info("database {}: serving generation {}", db, next);
  }
  return Status::Ok();
}

Result<api::DatabaseGenerationResponse> GenerationHandler::Get() const {
  std::optional<store::WriterRecord> w = state_->writer();
  if (!w.has_value()) return Status(Code::kUnavailable, "this CAS has not opened its database yet");
  api::DatabaseGenerationResponse r;
  r.key_id = HexEncode(w->key_id);
  r.generation = static_cast<int64_t>(w->generation);
  r.instance = w->instance;
  r.opened_at = w->opened_at;
  return r;
}

}  // namespace scone::cas
