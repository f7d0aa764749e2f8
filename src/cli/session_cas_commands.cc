#include "cli/session_cas_commands.h"

#include <algorithm>
#include <cctype>
#include <ostream>

#include "attestation/timestamp.h"
#include "cli/session_cas.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "common/printable.h"
#include "sdl/session.h"

namespace scone::cli {
namespace {

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

// A local "not found" (the session file) is exit 1 in a session command (see the header).
Status LocalFailure(Status s) {
  if (s.code() != Code::kNotFound) return s;
  return FailedPrecondition(s.message());
}

Result<sdl::CheckedSession> LoadLocal(Context& ctx, const SessionCommandArgs& args) {
  auto checked = LoadSessionFile(args.file, ctx.err());
  if (!checked.ok()) return LocalFailure(checked.status());
  return checked;
}

// NAME arguments are checked as the session language checks names, before anything is
// sent: the name becomes part of a request path.
Status CheckName(const std::string& name, const std::string& what) {
  if (sdl::IsValidSessionName(name)) return Status::Ok();
  return InvalidArgument("invalid " + what + " " + Quoted(PrintableText(name)) +
                         ": use 1 to 128 characters A-Z a-z 0-9 _ - . ~, with '/' between "
                         "namespace parts");
}

// --hash: 64 hex digits, sent in lower case.
Result<std::string> CheckHash(const std::string& hash) {
  if (!HexDecode(hash, 32).ok()) {
    return InvalidArgument("--hash " + Quoted(PrintableText(hash)) +
                           ": a session hash is 64 hex digits");
  }
  std::string lower = hash;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// CAS answers for the session it was asked about, and its hash is the one this CLI computes
// for what it sent with the user's certificate as creator (the same value as `scone session
// calculate-hash FILE --creator CERT`): a later predecessor, export or verify relies on it.
Status CheckUploadAnswer(const SessionCas& cas, const sdl::Session& sent,
                         const cas::api::SessionUploadResponse& answer) {
  if (answer.name != sent.name.value) {
    return VerificationFailed("CAS " + cas.name() + " answered the upload of session " +
                              Quoted(sent.name.value) + " for another session, " +
                              Quoted(PrintableText(answer.name)));
  }
  SCONE_ASSIGN_OR_RETURN(std::string expected,
                         sdl::SessionHash(sent, cas.identity().certificate_pem));
  if (answer.hash != expected) {
    return VerificationFailed("CAS " + cas.name() + " stored session " + Quoted(sent.name.value) +
                              " under hash " + PrintableText(answer.hash) +
                              ", but with your certificate as creator it hashes to " + expected +
                              " (scone session calculate-hash --creator); do not rely on the "
                              "hash CAS gave");
  }
  return Status::Ok();
}

void PrintUpload(Context& ctx, const cas::api::SessionUploadResponse& answer) {
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(answer.ToJson());
  } else {
    ctx.out() << answer.hash << "\n";
  }
}

// Whether a session text from CAS may go to a terminal as it is: nothing that
// PrintableText would escape except tabs and line ends.
bool PrintableSessionText(std::string_view text) {
  std::string copy(text);
  std::replace_if(
      copy.begin(), copy.end(), [](char c) { return c == '\t' || c == '\r' || c == '\n'; }, ' ');
  return !NeedsEscaping(copy);
}

Result<sdl::Session> ParseActive(const SessionCas& cas, const cas::api::SessionReadResponse& r) {
  std::string what = "session " + Quoted(r.name) + " on CAS " + cas.name();
  auto parsed = sdl::LoadSession(r.session, what, sdl::Variables{});
  if (!parsed.ok()) {
    return VerificationFailed("CAS " + cas.name() +
                              " sent a session that does not parse: " + parsed.status().message());
  }
  return std::move(parsed->session);
}

}  // namespace

Status CreateSession(Context& ctx, const SessionCommandArgs& args) {
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked, LoadLocal(ctx, args));
  SCONE_ASSIGN_OR_RETURN(std::string text, UploadText(checked.session, args.file.file));
  SCONE_ASSIGN_OR_RETURN(SessionCas cas, SessionCas::Open(ctx, args.cas, args.retries));
  SCONE_ASSIGN_OR_RETURN(cas::api::SessionUploadResponse answer, cas.Create(std::move(text)));
  SCONE_RETURN_IF_ERROR(CheckUploadAnswer(cas, checked.session, answer));
  PrintUpload(ctx, answer);
  return Status::Ok();
}

Status UpdateSession(Context& ctx, const SessionCommandArgs& args) {
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked, LoadLocal(ctx, args));
  sdl::Session& session = checked.session;
  // Checked before anything is sent; the text with the predecessor is made below.
  SCONE_RETURN_IF_ERROR(UploadText(session, args.file.file).status());
  SCONE_ASSIGN_OR_RETURN(SessionCas cas, SessionCas::Open(ctx, args.cas, args.retries));
  const std::string& name = session.name.value;
  if (!session.predecessor.has_value()) {
    // The seed: "the CLI will first retrieve the currently active session from the CAS, and
    // fill in its hash as a predecessor". CAS checks it again, atomically with the update:
    // if another update came in between, CAS refuses this one (409, naming the new hash).
    auto active = cas.Read(name, std::nullopt);
    if (!active.ok()) {
      if (active.status().code() == Code::kNotFound) {
        return active.status().WithContext("session " + Quoted(name) + " does not exist on CAS " +
                                           cas.name() +
                                           "; create it with \"scone session create\"");
      }
      if (active.status().code() == Code::kPermissionDenied) {
        return active.status().WithContext(
            "update fills in the predecessor from the active version, which needs the read "
            "permission; without it, give the active hash as \"predecessor:\" in the file");
      }
      return active.status();
    }
    // The hash itself was checked by the answer's strict parser (cas/api.h).
    if (active->name != name) {
      return VerificationFailed("CAS " + cas.name() + " answered for another session, " +
                                Quoted(PrintableText(active->name)));
    }
    session.predecessor = sdl::LString{active->version.hash, {}};
  }
  SCONE_ASSIGN_OR_RETURN(std::string text, UploadText(session, args.file.file));
  SCONE_ASSIGN_OR_RETURN(cas::api::SessionUploadResponse answer, cas.Update(name, std::move(text)));
  SCONE_RETURN_IF_ERROR(CheckUploadAnswer(cas, session, answer));
  PrintUpload(ctx, answer);
  return Status::Ok();
}

Status ReadSession(Context& ctx, const SessionCommandArgs& args) {
  SCONE_RETURN_IF_ERROR(CheckName(args.name, "session name"));
  std::optional<std::string> hash;
  if (!args.hash.empty()) {
    SCONE_ASSIGN_OR_RETURN(hash, CheckHash(args.hash));
  }
  SCONE_ASSIGN_OR_RETURN(SessionCas cas, SessionCas::Open(ctx, args.cas, args.retries));
  SCONE_ASSIGN_OR_RETURN(cas::api::SessionReadResponse r, cas.Read(args.name, hash));
  if (r.name != args.name || (hash && r.version.hash != *hash)) {
    return VerificationFailed("CAS " + cas.name() + " answered for another session or version (" +
                              PrintableText(r.name) + " " + PrintableText(r.version.hash) + ")");
  }
  if (!args.output.empty()) {
    // The text may hold secret values: readable by the user only, written whole or not at all.
    Status s = WriteFileAtomic(args.output, AsBytes(r.session), 0600);
    if (!s.ok()) return LocalFailure(s.WithContext("cannot write " + args.output));
  }
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(r.ToJson());
    return Status::Ok();
  }
  if (!args.output.empty()) return Status::Ok();
  if (!PrintableSessionText(r.session)) {
    return VerificationFailed("session " + Quoted(args.name) + " on CAS " + cas.name() +
                              " holds control characters; save it with -o FILE instead of "
                              "printing it");
  }
  ctx.out() << r.session;
  if (!r.session.empty() && r.session.back() != '\n') ctx.out() << "\n";
  return Status::Ok();
}

Status VerifySession(Context& ctx, const SessionCommandArgs& args) {
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked, LoadLocal(ctx, args));
  const std::string& name = checked.session.name.value;
  SCONE_ASSIGN_OR_RETURN(SessionCas cas, SessionCas::Open(ctx, args.cas, args.retries));
  SCONE_ASSIGN_OR_RETURN(cas::api::SessionReadResponse r, cas.Read(name, std::nullopt));
  if (r.name != name) {
    return VerificationFailed("CAS " + cas.name() + " answered for another session, " +
                              Quoted(PrintableText(r.name)));
  }
  SCONE_ASSIGN_OR_RETURN(sdl::Session active, ParseActive(cas, r));
  if (auto path = VerifyDifference(checked.session, active)) {
    return VerificationFailed("session " + Quoted(name) + " on CAS " + cas.name() +
                              " (active version " + PrintableText(r.version.hash) +
                              ") does not match " + args.file.file +
                              ": the first difference is at " + *path);
  }
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"name", name}, {"hash", r.version.hash}, {"match", true}});
  } else {
    ctx.out() << r.version.hash << "\n";
  }
  return Status::Ok();
}

Status ListSessions(Context& ctx, const SessionCommandArgs& args) {
  std::optional<std::string> ns;
  if (!args.ns.empty()) {
    SCONE_RETURN_IF_ERROR(CheckName(args.ns, "namespace"));
    ns = args.ns;
  }
  SCONE_ASSIGN_OR_RETURN(SessionCas cas, SessionCas::Open(ctx, args.cas, args.retries));
  SCONE_ASSIGN_OR_RETURN(cas::api::SessionListResponse r, cas.List(ns));
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(r.ToJson());
    return Status::Ok();
  }
  for (const std::string& n : r.sessions) ctx.out() << PrintableText(n) << "\n";
  return Status::Ok();
}

Status SessionHistory(Context& ctx, const SessionCommandArgs& args) {
  SCONE_RETURN_IF_ERROR(CheckName(args.name, "session name"));
  SCONE_ASSIGN_OR_RETURN(SessionCas cas, SessionCas::Open(ctx, args.cas, args.retries));
  SCONE_ASSIGN_OR_RETURN(cas::api::SessionHistoryResponse r, cas.History(args.name));
  if (r.name != args.name) {
    return VerificationFailed("CAS " + cas.name() + " answered for another session, " +
                              Quoted(PrintableText(r.name)));
  }
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(r.ToJson());
    return Status::Ok();
  }
  for (const auto& v : r.versions) {
    ctx.out() << PrintableText(v.hash) << "  " << attestation::FormatRfc3339(v.created)
              << "  creator " << PrintableText(v.creator) << "\n";
  }
  return Status::Ok();
}

}  // namespace scone::cli
