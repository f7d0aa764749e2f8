#include "cas/server/session_models.h"

#include <string>
#include <utility>

#include "sdl/session.h"

namespace scone::cas {
namespace {

std::string KeyOf(std::string_view name, std::string_view hash) {
  std::string key(name);
  key += '@';
  key += hash;
  return key;
}

std::string KeyOf(const StoredSession& stored) { return KeyOf(stored.name, stored.version.hash); }

}  // namespace

Result<std::shared_ptr<const sdl::Session>> SessionModels::Of(const StoredSession& stored) const {
  std::string key = KeyOf(stored);
  if (auto cached = cache_.Find(key)) return cached->model;
  auto checked = sdl::LoadSession(stored.yaml, stored.name, sdl::Variables{});
  if (!checked.ok()) {
    return Internal("the stored version " + stored.version.hash + " of session " + stored.name +
                    " does not load any more: " + checked.status().message());
  }
  auto model = std::make_shared<const sdl::Session>(std::move(checked->session));
  if (stored.yaml.size() <= kMaxCachedYaml) {
    cache_.Insert(std::move(key), KnownVersion{model, stored.version.creator});
  }
  return model;
}

void SessionModels::Remember(const StoredSession& stored,
                             std::shared_ptr<const sdl::Session> model) const {
  if (stored.yaml.size() <= kMaxCachedYaml) {
    cache_.Insert(KeyOf(stored), KnownVersion{std::move(model), stored.version.creator});
  }
}

std::optional<KnownVersion> SessionModels::Find(std::string_view name,
                                                std::string_view hash) const {
  return cache_.Find(KeyOf(name, hash));
}

}  // namespace scone::cas
