#include "cas/server/session_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

namespace scone::cas {
namespace {
using nlohmann::json;

constexpr char kPointers[] = "sessions";
constexpr char kVersions[] = "session-versions";
constexpr char kValues[] = "session-values";

std::string VersionRow(std::string_view name, std::string_view hash) {
  return std::string(name) + "@" + std::string(hash);
}

Status Malformed(std::string_view what, std::string_view name) {
  return DataLoss("the stored " + std::string(what) + " of session " + std::string(name) +
                  " is malformed");
}

Result<json> ParseRecord(const SecretBytes& value, std::string_view what, std::string_view name) {
  ByteView b = value.Reveal();
  json j = json::parse(b.begin(), b.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Malformed(what, name);
  return j;
}

struct Pointer {
  std::string active;
  int64_t versions = 0;
};

Result<std::optional<Pointer>> ParsePointer(const std::optional<SecretBytes>& value,
                                            std::string_view name) {
  if (!value.has_value()) return std::optional<Pointer>();
  SCONE_ASSIGN_OR_RETURN(json j, ParseRecord(*value, "active pointer", name));
  if (!j.value("active", json()).is_string() || !j.value("versions", json()).is_number_integer()) {
    return Malformed("active pointer", name);
  }
  return std::optional<Pointer>(
      Pointer{j["active"].get<std::string>(), j["versions"].get<int64_t>()});
}

std::string PointerRecord(const Pointer& p) {
  return json{{"active", p.active}, {"versions", p.versions}}.dump();
}

std::string VersionRecord(const StoredSession& s) {
  return json{{"session", s.yaml},
              {"creator", s.version.creator},
              {"certificate", s.certificate_pem},
              {"predecessor",
               s.version.predecessor.has_value() ? json(*s.version.predecessor) : json(nullptr)},
              {"created", s.version.created},
              {"sharing", SharingToJson(s.sharing)}}
      .dump(-1, ' ', false, json::error_handler_t::strict);
}

Result<StoredSession> ParseVersion(const SecretBytes& value, std::string_view name,
                                   std::string_view hash) {
  SCONE_ASSIGN_OR_RETURN(json j, ParseRecord(value, "version", name));
  const json& predecessor = j.value("predecessor", json(0));
  if (!j.value("session", json()).is_string() || !j.value("creator", json()).is_string() ||
      !j.value("certificate", json()).is_string() ||
      !j.value("created", json()).is_number_integer() ||
      !(predecessor.is_null() || predecessor.is_string())) {
    return Malformed("version", name);
  }
  StoredSession s;
  s.name = std::string(name);
  s.yaml = j["session"].get<std::string>();
  s.certificate_pem = j["certificate"].get<std::string>();
  s.version.hash = std::string(hash);
  s.version.creator = j["creator"].get<std::string>();
  if (predecessor.is_string()) s.version.predecessor = predecessor.get<std::string>();
  s.version.created = j["created"].get<int64_t>();
  // Versions stored before secrets were shared have no entry: they share nothing.
  if (j.contains("sharing")) {
    auto sharing = SharingFromJson(j["sharing"]);
    if (!sharing.ok()) return Malformed("version", name);
    s.sharing = std::move(*sharing);
  }
  return s;
}

// Reads through `source` (the store, or a transaction: both have Get(table, row)).
template <typename Source>
Result<std::optional<StoredSession>> LoadVersionFrom(Source& source, std::string_view name,
                                                     std::string_view hash) {
  SCONE_ASSIGN_OR_RETURN(auto value, source.Get(kVersions, VersionRow(name, hash)));
  if (!value.has_value()) return std::optional<StoredSession>();
  SCONE_ASSIGN_OR_RETURN(StoredSession s, ParseVersion(*value, name, hash));
  return std::optional<StoredSession>(std::move(s));
}

template <typename Source>
Result<std::optional<StoredSession>> LoadActiveFrom(Source& source, std::string_view name) {
  SCONE_ASSIGN_OR_RETURN(auto value, source.Get(kPointers, name));
  SCONE_ASSIGN_OR_RETURN(auto pointer, ParsePointer(value, name));
  if (!pointer.has_value()) return std::optional<StoredSession>();
  SCONE_ASSIGN_OR_RETURN(auto s, LoadVersionFrom(source, name, pointer->active));
  if (!s.has_value()) {
    return DataLoss("the active version " + pointer->active + " of session " + std::string(name) +
                    " is missing from the store");
  }
  return s;
}

template <typename Source>
Result<SecretBytes> ValuesFrom(Source& source, std::string_view name, std::string_view hash) {
  SCONE_ASSIGN_OR_RETURN(auto value, source.Get(kValues, VersionRow(name, hash)));
  if (!value.has_value()) return SecretBytes();
  return std::move(*value);
}

class TxnReader : public SessionReader {
 public:
  explicit TxnReader(store::Txn& txn) : txn_(txn) {}
  Result<std::optional<StoredSession>> LoadActive(std::string_view name) override {
    return LoadActiveFrom(txn_, name);
  }
  Result<SecretBytes> Values(std::string_view name, std::string_view hash) override {
    return ValuesFrom(txn_, name, hash);
  }

 private:
  store::Txn& txn_;
};

}  // namespace

Result<SecretBytes> SessionStore::Values(std::string_view name, std::string_view hash) const {
  return ValuesFrom(*store_, name, hash);
}

Status SessionStore::Read(const std::function<Status(SessionReader&)>& body) const {
  return store_->Transaction([&](store::Txn& txn) -> Status {
    TxnReader reader(txn);
    return body(reader);
  });
}

Result<std::optional<std::string>> SessionStore::ActiveHash(std::string_view name) const {
  SCONE_ASSIGN_OR_RETURN(auto value, store_->Get(kPointers, name));
  SCONE_ASSIGN_OR_RETURN(auto pointer, ParsePointer(value, name));
  if (!pointer.has_value()) return std::optional<std::string>();
  return std::optional<std::string>(pointer->active);
}

Result<std::optional<StoredSession>> SessionStore::Load(std::string_view name,
                                                        std::string_view hash) const {
  return LoadVersionFrom(*store_, name, hash);
}

Result<std::optional<StoredSession>> SessionStore::LoadActive(std::string_view name) const {
  return LoadActiveFrom(*store_, name);
}

Result<std::vector<api::SessionVersion>> SessionStore::History(std::string_view name) const {
  // One transaction, so that the chain is read as of one moment.
  std::vector<api::SessionVersion> chain;
  Status read = store_->Transaction([&](store::Txn& txn) -> Status {
    chain.clear();
    SCONE_ASSIGN_OR_RETURN(auto value, txn.Get(kPointers, name));
    SCONE_ASSIGN_OR_RETURN(auto pointer, ParsePointer(value, name));
    if (!pointer.has_value()) return Status::Ok();
    std::optional<std::string> next = pointer->active;
    while (next.has_value()) {
      if (static_cast<int64_t>(chain.size()) >= pointer->versions) {
        return DataLoss("the chain of session " + std::string(name) + " is longer than its " +
                        std::to_string(pointer->versions) + " versions");
      }
      SCONE_ASSIGN_OR_RETURN(auto raw, txn.Get(kVersions, VersionRow(name, *next)));
      if (!raw.has_value()) {
        return DataLoss("version " + *next + " of session " + std::string(name) +
                        " is missing from the store (its chain is broken)");
      }
      SCONE_ASSIGN_OR_RETURN(StoredSession s, ParseVersion(*raw, name, *next));
      next = s.version.predecessor;
      chain.push_back(std::move(s.version));
    }
    return Status::Ok();
  });
  SCONE_RETURN_IF_ERROR(read);
  std::reverse(chain.begin(), chain.end());
  return chain;
}

Result<std::vector<std::string>> SessionStore::Names() const { return store_->List(kPointers); }

Status SessionStore::Commit(const StoredSession& session, const SecretBytes& values,
                            const CommitExpectation& expect) {
  const std::string& name = session.name;
  const std::string& hash = session.version.hash;
  std::string record = VersionRecord(session);
  return store_->Transaction([&](store::Txn& txn) -> Status {
    if (expect.parent.has_value()) {
      const auto& [parent, parent_hash] = *expect.parent;
      SCONE_ASSIGN_OR_RETURN(auto value, txn.Get(kPointers, parent));
      SCONE_ASSIGN_OR_RETURN(auto pointer, ParsePointer(value, parent));
      if (!pointer.has_value()) {
        return NotFound("the namespace session " + parent + " no longer exists");
      }
      if (pointer->active != parent_hash) {
        return Conflict("the namespace session " + parent + " was updated meanwhile; try again");
      }
    }
    SCONE_ASSIGN_OR_RETURN(auto value, txn.Get(kPointers, name));
    SCONE_ASSIGN_OR_RETURN(auto pointer, ParsePointer(value, name));
    if (!expect.active.has_value() && pointer.has_value()) {
      return Conflict("session " + name + " already exists (active hash " + pointer->active +
                      "); use update, or name that hash as the file's predecessor");
    }
    if (expect.active.has_value()) {
      if (!pointer.has_value()) return NotFound("session " + name + " does not exist");
      if (pointer->active != *expect.active) {
        return Conflict("the predecessor " + *expect.active + " is not the active version of " +
                        "session " + name + ": its active hash is " + pointer->active +
                        " (the session was updated after that version); fetch it and update "
                        "again");
      }
    }
    SCONE_ASSIGN_OR_RETURN(auto existing, txn.Get(kVersions, VersionRow(name, hash)));
    if (existing.has_value()) {
      return Conflict("session " + name + " already has a version " + hash);
    }
    Pointer next{hash, pointer.has_value() ? pointer->versions + 1 : 1};
    SCONE_RETURN_IF_ERROR(txn.Put(kVersions, VersionRow(name, hash), AsBytes(record)));
    SCONE_RETURN_IF_ERROR(txn.Put(kValues, VersionRow(name, hash), values.Reveal()));
    std::string pointer_record = PointerRecord(next);
    return txn.Put(kPointers, name, AsBytes(pointer_record));
  });
}

}  // namespace scone::cas
