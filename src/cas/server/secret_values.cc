#include "cas/server/secret_values.h"

#include <algorithm>
#include <utility>

#include "sdl/session.h"
#include "secrets/generate.h"
#include "secrets/render.h"

namespace scone::cas {
namespace {

Status Unresolved(const SecretImport& imp, std::string_view importer, const std::string& why) {
  return FailedPrecondition("secret " + imp.secret + " of session " + std::string(importer) +
                            " imports secret " + imp.exported_secret + " of session " +
                            imp.session + ", but " + why);
}

// Every placeholder of `session` renders with `values` (its own and its imports). The
// validator checked each format against the declared kind; a kind-less import's formats can
// only be checked here, against the kind the exporter gave it. Rendered bytes are dropped.
Status CheckPlaceholdersRender(const sdl::Session& session, const secrets::SecretValues& values) {
  auto check = [&](const sdl::LString& text, const std::string& where) -> Status {
    if (text.value.find("$$SCONE::") == std::string::npos) return Status::Ok();
    auto rendered = secrets::RenderText(text.value, values);
    if (rendered.ok()) return Status::Ok();
    return InvalidArgument("session:" + std::to_string(text.position.line) + ":" +
                           std::to_string(text.position.column) + ": " + where + ": " +
                           rendered.status().message());
  };
  for (const sdl::Service& svc : session.services) {
    std::string where = "service " + svc.name.value;
    if (svc.command.has_value()) {
      for (const sdl::LString& arg : *svc.command) {
        SCONE_RETURN_IF_ERROR(check(arg, where + " command"));
      }
    }
    for (const auto& [key, value] : svc.environment) {
      SCONE_RETURN_IF_ERROR(check(value, where + " environment " + key.value));
    }
    if (svc.pwd.has_value()) SCONE_RETURN_IF_ERROR(check(*svc.pwd, where + " pwd"));
  }
  for (const sdl::Image& image : session.images) {
    for (const sdl::InjectionFile& file : image.injection_files) {
      std::string where = "image " + image.name.value + " injection file";
      SCONE_RETURN_IF_ERROR(check(file.path, where + " path"));
      if (file.content.has_value()) SCONE_RETURN_IF_ERROR(check(*file.content, where));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<secrets::SecretValues> ParseStoredValues(const SecretBytes& stored, std::string_view name) {
  if (stored.size() == 0) return secrets::SecretValues();
  auto values = secrets::ParseValues(stored.Reveal());
  if (!values.ok()) {
    return DataLoss("the stored secret values of session " + std::string(name) +
                    " are malformed: " + values.status().message());
  }
  return values;
}

Result<secrets::SecretValues> ResolveImports(SessionReader& reader, std::string_view importer,
                                             std::string_view importer_hash,
                                             const std::vector<SecretImport>& imports) {
  secrets::SecretValues out;
  for (const SecretImport& imp : imports) {
    SCONE_ASSIGN_OR_RETURN(auto exporter, reader.LoadActive(imp.session));
    if (!exporter.has_value()) return Unresolved(imp, importer, "that session does not exist");
    const std::string& hash = exporter->version.hash;
    if (imp.session_hash.has_value() && *imp.session_hash != hash) {
      return Unresolved(imp, importer,
                        "its active version is " + hash + ", not the pinned " + *imp.session_hash);
    }
    const auto& exports = exporter->sharing.exports;
    auto e = std::find_if(exports.begin(), exports.end(), [&](const SecretExport& x) {
      return x.secret == imp.exported_secret &&
             std::any_of(x.to.begin(), x.to.end(), [&](const ExportTarget& t) {
               return ExportReaches(t, importer, importer_hash);
             });
    });
    if (e == exports.end()) {
      return Unresolved(
          imp, importer,
          "that session's active version does not export it to " + std::string(importer));
    }
    SCONE_ASSIGN_OR_RETURN(SecretBytes stored, reader.Values(imp.session, hash));
    SCONE_ASSIGN_OR_RETURN(secrets::SecretValues values, ParseStoredValues(stored, imp.session));
    auto v = values.find(imp.exported_secret);
    if (v == values.end()) {
      return Unresolved(imp, importer, "that session holds no value for it");
    }
    if (imp.kind.has_value() && *imp.kind != v->second.kind) {
      return Unresolved(imp, importer,
                        "it is a " + std::string(sdl::SecretKindName(v->second.kind)) +
                            " secret there, and this session declares it " +
                            std::string(sdl::SecretKindName(*imp.kind)));
    }
    out.emplace(imp.secret, std::move(v->second));
  }
  return out;
}

Result<std::optional<ActiveSecrets>> ActiveSecretValues(const SessionStore& sessions,
                                                        std::string_view name) {
  std::optional<ActiveSecrets> out;
  SCONE_RETURN_IF_ERROR(sessions.Read([&](SessionReader& reader) -> Status {
    out.reset();
    SCONE_ASSIGN_OR_RETURN(auto active, reader.LoadActive(name));
    if (!active.has_value()) return Status::Ok();
    SCONE_ASSIGN_OR_RETURN(SecretBytes stored, reader.Values(name, active->version.hash));
    SCONE_ASSIGN_OR_RETURN(secrets::SecretValues values, ParseStoredValues(stored, name));
    SCONE_ASSIGN_OR_RETURN(
        secrets::SecretValues imported,
        ResolveImports(reader, name, active->version.hash, active->sharing.imports));
    for (auto& [n, v] : imported) values.insert_or_assign(n, std::move(v));
    out = ActiveSecrets{std::move(*active), std::move(values)};
    return Status::Ok();
  }));
  return out;
}

Result<SecretBytes> ValuesForUpload(const SessionStore& sessions, const sdl::Session& next,
                                    std::string_view hash, const SecretSharing& sharing,
                                    const std::optional<std::string>& active_hash,
                                    const sdl::Session* active_model, int64_t now) {
  const std::string& name = next.name.value;
  secrets::SecretValues previous_values;
  secrets::SecretValues imported;
  // The previous values and the imports as of one moment; the commit checks afterwards that
  // the active version is still the one whose values were migrated.
  // A create without imports reads nothing, and an update without imports reads one row
  // directly: neither queues behind the store's writers as a read transaction does.
  auto take_previous = [&](Result<SecretBytes> stored) -> Status {
    if (!stored.ok()) return stored.status();
    SCONE_ASSIGN_OR_RETURN(previous_values, ParseStoredValues(*stored, name));
    return Status::Ok();
  };
  Status read = Status::Ok();
  if (active_hash.has_value() && sharing.imports.empty()) {
    read = take_previous(sessions.Values(name, *active_hash));
  } else if (active_hash.has_value() || !sharing.imports.empty()) {
    read = sessions.Read([&](SessionReader& reader) -> Status {
      if (active_hash.has_value()) {
        SCONE_RETURN_IF_ERROR(take_previous(reader.Values(name, *active_hash)));
      }
      SCONE_ASSIGN_OR_RETURN(imported, ResolveImports(reader, name, hash, sharing.imports));
      return Status::Ok();
    });
  }
  if (read.code() == Code::kFailedPrecondition) return InvalidArgument(read.message());
  SCONE_RETURN_IF_ERROR(read);

  secrets::GenerateOptions options;
  options.now = now;
  options.imported = &imported;
  if (active_hash.has_value()) {
    if (active_model == nullptr) return Internal("the active version's model is missing");
    options.previous = secrets::PreviousVersion{active_model, &previous_values};
  }
  auto values = secrets::GenerateSecrets(next, options);
  if (!values.ok()) {
    return Status(values.status().code() == Code::kFailedPrecondition ? Code::kInvalidArgument
                                                                      : values.status().code(),
                  values.status().message());
  }
  bool kindless = std::any_of(sharing.imports.begin(), sharing.imports.end(),
                              [](const SecretImport& i) { return !i.kind.has_value(); });
  if (kindless) {
    secrets::SecretValues all = *values;
    for (const auto& [n, v] : imported) all.insert_or_assign(n, v);
    SCONE_RETURN_IF_ERROR(CheckPlaceholdersRender(next, all));
  }
  return secrets::SerializeValues(*values);
}

}  // namespace scone::cas
