// The secret values of sessions on CAS (docs/cas.md "Secrets"): a version's own values,
// stored with it (session_store.h), and its imports, resolved from the exporters' ACTIVE
// versions each time they are asked for, so that removing an export stops it at once.
//
// Values stay in secret types (secrets::SecretValue, SecretBytes) from the store to the
// renderer; errors name sessions and secrets, never a value.
//
// Thread safety: the functions may be called from many threads at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cas/server/session_store.h"
#include "common/status.h"
#include "sdl/model.h"
#include "secrets/value.h"

namespace scone::cas {

// The active version of a session and every value its placeholders can use.
struct ActiveSecrets {
  StoredSession session;  // the active version (its YAML, hash, ...)
  // Its own values and its resolved imports, by the names this session gives them: the
  // input of secrets::RenderText.
  secrets::SecretValues values;
};

// The active version of session `name` and the values of every secret it can use (its own
// and its imports resolved now), read in one store transaction. nullopt: no such session.
// kFailedPrecondition, naming the secret and the exporter, when an import does not resolve
// (the exporter is gone, no longer exports it to this session, or exports another kind).
Result<std::optional<ActiveSecrets>> ActiveSecretValues(const SessionStore& sessions,
                                                        std::string_view name);

// The values of `imports` for the session `importer` (whose version is `importer_hash`),
// by the importer's names, each from its exporter's active version. Errors as above.
Result<secrets::SecretValues> ResolveImports(SessionReader& reader, std::string_view importer,
                                             std::string_view importer_hash,
                                             const std::vector<SecretImport>& imports);

// The values CAS stores with a new version `next` of a session (hash `hash`, sharing
// `sharing` = SharingOf(next)), in the stored form: generated, given, or kept from the
// active version (hash `active_hash`) by the migration rules (secrets/migration.h). Its
// imports must resolve now (kInvalidArgument naming the secret and the exporter otherwise),
// and an x509 secret issued by an imported CA uses the imported value. `now` is notBefore
// of new certificates. `active_model` is the parsed active version (SessionModels::Of),
// required when `active_hash` is set (kInternal without). Generation runs outside any store
// transaction.
Result<SecretBytes> ValuesForUpload(const SessionStore& sessions, const sdl::Session& next,
                                    std::string_view hash, const SecretSharing& sharing,
                                    const std::optional<std::string>& active_hash,
                                    const sdl::Session* active_model, int64_t now);

// The stored values of a version (empty when it has none).
Result<secrets::SecretValues> ParseStoredValues(const SecretBytes& stored, std::string_view name);

}  // namespace scone::cas
