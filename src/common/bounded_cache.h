// A thread-safe memo for results that never go stale because they are a function of their
// key alone (the key hash of a certificate's bytes, the access policy of an immutable
// session version). Bounded: when it holds `max_entries`, the next insertion empties it
// first, so a client that sends ever new keys costs memory for at most that many entries
// and only evicts entries others would have found.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace scone {

template <typename V>
class BoundedCache {
 public:
  explicit BoundedCache(size_t max_entries) : max_entries_(max_entries) {}

  std::optional<V> Find(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  void Insert(std::string key, V value) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(std::move(key), std::move(value));
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

 private:
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, V> entries_;
};

}  // namespace scone
