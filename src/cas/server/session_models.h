// The parsed models (sdl::Session) of stored session versions, shared by the handlers that
// need them: the access policy of a read or an update, the previous version of an update
// (secret migration), the services of an enclave configuration (docs/cas.md "Throughput").
//
// A version never changes: its row NAME@HASH holds the file whose hash (with its creator) is
// HASH, and is never rewritten. An entry is keyed by NAME@HASH and is found only by a caller
// that has just read that version's row from the store (through the active pointer or the
// hash it asked for), so it never stands for a version the store no longer has active.
// Bounded: kMaxEntries models, and only of files up to kMaxCachedYaml bytes (a larger file is
// parsed on every use), so the cache holds at most about kMaxEntries * kMaxCachedYaml bytes of
// YAML's worth of models. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cas/server/session_store.h"
#include "common/bounded_cache.h"
#include "common/status.h"
#include "sdl/model.h"

namespace scone::cas {

// What an update needs of the version it replaces, without its YAML or values.
struct KnownVersion {
  std::shared_ptr<const sdl::Session> model;
  std::string creator;  // key hash of the uploader
};

class SessionModels {
 public:
  static constexpr size_t kMaxEntries = 1024;
  static constexpr size_t kMaxCachedYaml = 64 << 10;

  // The model of `stored`, parsed from its YAML at most once while it stays cached.
  // kInternal if the stored text no longer loads (the store or the parser changed).
  Result<std::shared_ptr<const sdl::Session>> Of(const StoredSession& stored) const;
  // Remembers the model of a version just committed (parsed from the same `stored.yaml`).
  void Remember(const StoredSession& stored, std::shared_ptr<const sdl::Session> model) const;
  // The model and creator of version `hash` of `name` if cached; nullopt otherwise (then
  // read the version and call Of). The creator is as immutable as the model: the hash is
  // computed with the uploader's certificate, so NAME@HASH has one creator.
  std::optional<KnownVersion> Find(std::string_view name, std::string_view hash) const;
  size_t size() const { return cache_.size(); }

 private:
  mutable BoundedCache<KnownVersion> cache_{kMaxEntries};
};

}  // namespace scone::cas
