// The registry of an HttpServer's connections (server_internal.h): the caps on open
// connections, all and per user id, and which connection makes room when one is reached.
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "net/server_internal.h"

namespace scone::net::server_internal {

// Puts `c` at the end of the waiting list, or takes it off.
void SetWaiting(HttpServer::Impl& server, const std::shared_ptr<Connection>& c, bool waiting) {
  std::lock_guard lock(server.mu);
  if (c->waiting == waiting) return;
  if (waiting) {
    c->position = server.waiting.insert(server.waiting.end(), {c, c->uid});
  } else {
    server.waiting.erase(c->position);
  }
  c->waiting = waiting;
}

std::shared_ptr<Connection> TakeLongestWaiting(HttpServer::Impl& server, std::optional<uid_t> uid) {
  for (auto it = server.waiting.begin(); it != server.waiting.end(); ++it) {
    if (uid && it->uid != uid) continue;
    auto c = it->connection.lock();
    if (!c) continue;  // being destroyed; its destructor removes it
    server.waiting.erase(it);
    c->waiting = false;
    return c;
  }
  return nullptr;
}

bool Admit(HttpServer::Impl& server, std::optional<uid_t> uid) {
  std::shared_ptr<Connection> victim;  // released after the lock, see TakeLongestWaiting
  enum { kNone, kUidEvicted, kUidRefused, kEvicted, kRefused } event = kNone;
  size_t count = 0;
  {
    std::lock_guard lock(server.mu);
    if (uid) {
      count = server.per_uid[*uid];
      if (count >= server.options.max_connections_per_uid) {
        victim = TakeLongestWaiting(server, uid);
        event = victim ? kUidEvicted : kUidRefused;
      }
    }
    if (event == kNone && server.connections >= server.options.max_connections) {
      count = server.connections;
      victim = TakeLongestWaiting(server, std::nullopt);
      event = victim ? kEvicted : kRefused;
    }
    if (event != kUidRefused && event != kRefused) {
      ++server.connections;
      if (uid) ++server.per_uid[*uid];
    }
  }
  if (victim) victim->Evict();
  const ServerMetrics& m = server.options.metrics;
  m.Accepted();
  if (event != kUidRefused && event != kRefused) m.Opened();
  if (event == kUidEvicted) m.Refused(Refusal::kUidLimitClosedWaiting);
  if (event == kUidRefused) m.Refused(Refusal::kUidLimitRefused);
  if (event == kEvicted) m.Refused(Refusal::kConnectionLimitClosedWaiting);
  if (event == kRefused) m.Refused(Refusal::kConnectionLimitRefused);
  uint64_t suppressed = 0;
  switch (event) {
    case kNone:
      break;
    case kUidEvicted:
    case kUidRefused:
      if (server.uid_cap_log.Allow(&suppressed)) {
        spdlog::warn(
            "user id {} has {} connections, the limit per user: {} ({} more such events not "
            "logged)",
            *uid, count,
            event == kUidEvicted ? "closed its longest-waiting one"
                                 : "refused a new one (all busy)",
            suppressed);
      }
      break;
    case kEvicted:
    case kRefused:
      if (server.connection_cap_log.Allow(&suppressed)) {
        spdlog::warn(
            "{} connections open, the limit: {} ({} more such events not logged)", count,
            event == kEvicted ? "closed the longest-waiting one" : "refused a new one (all busy)",
            suppressed);
      }
      break;
  }
  return event != kUidRefused && event != kRefused;
}

void Unregister(HttpServer::Impl& server, Connection& c) {
  std::lock_guard lock(server.mu);
  if (c.waiting) server.waiting.erase(c.position);
  c.waiting = false;
  --server.connections;
  server.options.metrics.Closed();
  if (c.uid) {
    auto it = server.per_uid.find(*c.uid);
    if (it != server.per_uid.end() && --it->second == 0) server.per_uid.erase(it);
  }
}

size_t EvictLongestWaiting(HttpServer::Impl& server, size_t n) {
  std::vector<std::shared_ptr<Connection>> victims;  // released after the lock
  {
    std::lock_guard lock(server.mu);
    while (victims.size() < n) {
      auto c = TakeLongestWaiting(server, std::nullopt);
      if (!c) break;
      victims.push_back(std::move(c));
    }
  }
  for (auto& c : victims) c->Evict();
  return victims.size();
}

}  // namespace scone::net::server_internal
