#include "cli/session_file.h"

#include <algorithm>
#include <ostream>
#include <set>

#include "common/file_util.h"

namespace scone::cli {
namespace {
using nlohmann::json;

// The SDL parser's own limit is checked again after reading (sdl::ParseSession); this only
// bounds what is read into memory.
constexpr size_t kMaxSessionFileSize = 4 << 20;

// Whether `list` is a list of objects that each have a string "name".
bool IsNamedList(const json& list) {
  return list.is_array() && std::all_of(list.begin(), list.end(), [](const json& e) {
           auto it = e.find("name");
           return e.is_object() && it != e.end() && it->is_string();
         });
}

const json* FindByName(const json& list, const std::string& name) {
  for (const json& e : list) {
    if (e.at("name").get_ref<const std::string&>() == name) return &e;
  }
  return nullptr;
}

std::optional<std::string> Diff(const json& a, const json& b, const std::string& path);

std::optional<std::string> DiffObjects(const json& a, const json& b, const std::string& path) {
  std::set<std::string> keys;
  for (const auto& item : a.items()) keys.insert(item.key());
  for (const auto& item : b.items()) keys.insert(item.key());
  for (const std::string& key : keys) {
    std::string sub = path.empty() ? key : path + "." + key;
    auto ia = a.find(key);
    auto ib = b.find(key);
    if (ia == a.end() || ib == b.end()) return sub;
    if (auto d = Diff(*ia, *ib, sub)) return d;
  }
  return std::nullopt;
}

std::optional<std::string> DiffLists(const json& a, const json& b, const std::string& path) {
  if (IsNamedList(a) && IsNamedList(b) && !(a.empty() && b.empty())) {
    std::set<std::string> names;
    for (const json& e : a) names.insert(e.at("name").get<std::string>());
    for (const json& e : b) names.insert(e.at("name").get<std::string>());
    for (const std::string& name : names) {
      std::string sub = path + "[" + name + "]";
      const json* ea = FindByName(a, name);
      const json* eb = FindByName(b, name);
      if (ea == nullptr || eb == nullptr) return sub;
      if (auto d = Diff(*ea, *eb, sub)) return d;
    }
    // Names are unique in a validated session; equal names with another count are not.
    if (a.size() != b.size()) return path;
    return std::nullopt;
  }
  size_t common = std::min(a.size(), b.size());
  for (size_t i = 0; i < common; ++i) {
    if (auto d = Diff(a[i], b[i], path + "[" + std::to_string(i) + "]")) return d;
  }
  if (a.size() != b.size()) return path + "[" + std::to_string(common) + "]";
  return std::nullopt;
}

std::optional<std::string> Diff(const json& a, const json& b, const std::string& path) {
  std::string here = path.empty() ? "(the whole session)" : path;
  if (a.type() != b.type()) {
    // 1 and 1u are the same number to a reader of the file.
    if (a.is_number_integer() && b.is_number_integer() && a == b) return std::nullopt;
    return here;
  }
  if (a.is_object()) return DiffObjects(a, b, path);
  if (a.is_array()) return DiffLists(a, b, path);
  if (a != b) return here;
  return std::nullopt;
}

}  // namespace

Result<sdl::CheckedSession> LoadSessionFile(const SessionFileArgs& args, std::ostream& warnings) {
  auto text = ReadFile(args.file, kMaxSessionFileSize);
  if (!text.ok()) return text.status().WithContext("cannot read the session file");
  sdl::Variables vars;
  for (const auto& assignment : args.env) {
    Status s = vars.AddAssignment(assignment);
    if (!s.ok()) return s.WithContext("-e " + assignment);
  }
  if (args.use_env) vars.UseEnvironment();
  std::optional<std::string> rename;
  if (!args.name.empty()) rename = args.name;
  SCONE_ASSIGN_OR_RETURN(sdl::CheckedSession checked,
                         sdl::LoadSession(*text, args.file, vars, rename));
  for (const auto& w : checked.warnings) warnings << w << "\n";
  return checked;
}

Result<std::string> UploadText(const sdl::Session& session, const std::string& what) {
  std::string text = sdl::SessionToYaml(session, {.reveal_secret_values = true});
  // What CAS will make of the text: no variables (they were substituted here).
  sdl::Diagnostic diagnostic;
  auto reread = sdl::LoadSession(text, "the upload", sdl::Variables{}, std::nullopt, &diagnostic);
  if (!reread.ok() && (diagnostic.kind == sdl::ErrorKind::kUndefinedVariable ||
                       diagnostic.kind == sdl::ErrorKind::kMalformedVariable)) {
    return InvalidArgument(
        "cannot upload " + what +
        ": after substitution a value contains \"$NAME\" or \"${\", which CAS would read as a "
        "variable; values given with -e or --use-env must not contain variable references");
  }
  // The printer promises a text that reads back to the same hash (sdl/printer.h); if it
  // ever did not, uploading would store another session than the one the user checked.
  if (!reread.ok()) {
    return Internal("the normalized form of " + what + " does not read back as a session (" +
                    std::string(sdl::ErrorKindName(diagnostic.kind)) + ")");
  }
  SCONE_ASSIGN_OR_RETURN(std::string expected, sdl::SessionHash(session, std::nullopt));
  SCONE_ASSIGN_OR_RETURN(std::string got, sdl::SessionHash(reread->session, std::nullopt));
  if (expected != got) {
    return Internal("the normalized form of " + what + " reads back as another session");
  }
  return text;
}

std::optional<std::string> FirstDifference(const json& a, const json& b) { return Diff(a, b, ""); }

std::optional<std::string> VerifyDifference(const sdl::Session& local, const sdl::Session& active) {
  json want = sdl::NormalizeSession(local);
  json have = sdl::NormalizeSession(active);
  if (!local.predecessor.has_value()) want["predecessor"] = have["predecessor"];
  return FirstDifference(want, have);
}

}  // namespace scone::cli
