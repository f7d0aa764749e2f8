#include "cli/session_cas.h"

#include "cli/cas_db.h"
#include "common/secret.h"

namespace scone::cli {
namespace {

// What the CLI uploads (cli/session_file.h UploadText); CAS takes any content type.
constexpr char kSessionContentType[] = "application/yaml";

// A local "not found" (a CAS entry, an identity file) must not read as "the session does
// not exist", which is what exit code 2 of a session command means (docs/cli.md).
Status NotASessionNotFound(Status s) {
  if (s.code() != Code::kNotFound) return s;
  return FailedPrecondition(s.message());
}

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

Result<SessionCas> SessionCas::Open(const Context& ctx, const std::string& cas, int retries) {
  SCONE_ASSIGN_OR_RETURN(ConfigStore store, ctx.Store());
  SCONE_ASSIGN_OR_RETURN(CliConfig config, store.LoadOrCreate(ctx.Now()));
  auto entry = FindCas(config, cas);
  if (!entry.ok()) {
    if (entry.status().code() == Code::kInvalidArgument) {
      return entry.status().WithContext("the CLI state " + store.path().string() +
                                        " is damaged; attest the CAS again");
    }
    return NotASessionNotFound(entry.status().WithContext(
        "a session command needs a CAS attested with \"scone cas attest\""));
  }
  auto address = ParseCasAddress(entry->address);
  if (!address.ok()) return address.status().WithContext("the CLI state's CAS entry");
  auto identity = ctx.LoadIdentity();
  if (!identity.ok()) return NotASessionNotFound(identity.status());
  CasLink link{std::move(*address), ctx.https, ctx.sleep, retries};
  return SessionCas(std::move(link), entry->evidence.cas_key_hash, std::move(*identity));
}

template <typename Response>
Result<Response> SessionCas::Call(net::HttpRequest request, const std::string& what) {
  auto answer = CallPinnedRaw(link_, key_hash_, PinSource::kAttested, request, &identity_, what);
  // An uploaded session holds its secret values in clear.
  WipeMemory(request.body.data(), request.body.size());
  if (!answer.ok()) return WithIdentityHint(answer.status());
  auto parsed = cas::api::ParseBody<Response>(*answer, "the answer");
  if (!parsed.ok()) {
    return VerificationFailed("CAS " + name() + " sent a malformed answer to " + what + ": " +
                              parsed.status().message());
  }
  return parsed;
}

Result<cas::api::SessionUploadResponse> SessionCas::Create(std::string session_text) {
  const auto& route = cas::api::RouteOf(cas::api::Endpoint::kCreateSession);
  return Call<cas::api::SessionUploadResponse>({std::string(route.method), std::string(route.path),
                                                kSessionContentType, std::move(session_text)},
                                               "the session upload");
}

Result<cas::api::SessionUploadResponse> SessionCas::Update(const std::string& name,
                                                           std::string session_text) {
  const auto& route = cas::api::RouteOf(cas::api::Endpoint::kUpdateSession);
  return Call<cas::api::SessionUploadResponse>(
      {std::string(route.method), cas::api::SessionPath(name), kSessionContentType,
       std::move(session_text)},
      "the update of session " + Quoted(name));
}

Result<cas::api::SessionReadResponse> SessionCas::Read(const std::string& name,
                                                       const std::optional<std::string>& hash) {
  const auto& route = cas::api::RouteOf(cas::api::Endpoint::kReadSession);
  std::string target = cas::api::SessionPath(name, hash);
  std::string what = "reading session " + Quoted(name);
  if (hash) what += " version " + *hash;
  return Call<cas::api::SessionReadResponse>({std::string(route.method), target, "", ""}, what);
}

Result<cas::api::SessionHistoryResponse> SessionCas::History(const std::string& name) {
  const auto& route = cas::api::RouteOf(cas::api::Endpoint::kSessionHistory);
  return Call<cas::api::SessionHistoryResponse>(
      {std::string(route.method), cas::api::SessionHistoryPath(name), "", ""},
      "the history of session " + Quoted(name));
}

Result<cas::api::SessionListResponse> SessionCas::List(const std::optional<std::string>& ns) {
  const auto& route = cas::api::RouteOf(cas::api::Endpoint::kListSessions);
  return Call<cas::api::SessionListResponse>(
      {std::string(route.method), cas::api::SessionListPath(ns), "", ""}, "the session list");
}

}  // namespace scone::cli
