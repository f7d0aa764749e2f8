#include <algorithm>
#include <string>
#include <utility>

#include "sdl/sections.h"

namespace scone::sdl {

Status ParseImage(Reader& r, const YamlNode& n, Image* img) {
  img->position = n.position();
  bool has_name = false;
  SDL_TRY_OUTER(r.ForEachKey(
      n, "an image", {"name", "injection_files", "volumes"},
      [&](const std::string& k, const YamlNode&, const YamlNode& v) -> Status {
        if (k == "name") {
          has_name = true;
          return r.String(v, "image name", &img->name);
        }
        SCONE_RETURN_IF_ERROR(r.Visit(v));
        if (v.IsNull()) return Status::Ok();
        if (!v.IsSequence()) return r.Fail(ErrorKind::kWrongType, v, k + " must be a list");
        for (const YamlNode* item : v.items()) {
          const YamlNode& i = *item;
          if (k == "injection_files") {
            InjectionFile f;
            f.position = i.position();
            SCONE_RETURN_IF_ERROR(r.Visit(i));
            if (i.IsScalar()) {
              SCONE_RETURN_IF_ERROR(r.String(i, "injection file path", &f.path));
            } else {
              bool has_path = false;
              SDL_TRY_MID(r.ForEachKey(
                  i, "an injection file", {"path", "content", "permission"},
                  [&](const std::string& fk, const YamlNode&, const YamlNode& fv) -> Status {
                    if (fk == "path") {
                      has_path = true;
                      return r.String(fv, "injection file path", &f.path);
                    }
                    if (fk == "content") {
                      return r.OptString(fv, "injection file content", &f.content);
                    }
                    LString p;
                    SCONE_RETURN_IF_ERROR(r.String(fv, "permission", &p));
                    std::string digits = p.value;
                    if (digits.size() >= 2 && digits[0] == '0' &&
                        (digits[1] == 'o' || digits[1] == 'O')) {
                      digits = digits.substr(2);
                    }
                    bool ok = !digits.empty() && digits.size() <= 4 &&
                              std::all_of(digits.begin(), digits.end(),
                                          [](char c) { return c >= '0' && c <= '7'; });
                    if (!ok) {
                      return r.Fail(ErrorKind::kInvalidValue, p.position,
                                    "permission must be octal file mode digits such as \"0600\"");
                    }
                    p.value = std::string(4 - digits.size(), '0') + digits;
                    f.permission = std::move(p);
                    return Status::Ok();
                  }));
              if (!has_path) {
                return r.Fail(ErrorKind::kMissingKey, i, "an injection file needs `path`");
              }
            }
            if (f.path.value.empty()) {
              return r.Fail(ErrorKind::kInvalidValue, f.path.position,
                            "injection file path is empty");
            }
            img->injection_files.push_back(std::move(f));
          } else {
            ImageVolume iv;
            iv.position = i.position();
            bool has_name_v = false;
            bool has_path = false;
            SDL_TRY_MID(r.ForEachKey(
                i, "an image volume", {"name", "path"},
                [&](const std::string& vk, const YamlNode&, const YamlNode& vv) -> Status {
                  if (vk == "name") {
                    has_name_v = true;
                    return r.String(vv, "volume name", &iv.name);
                  }
                  has_path = true;
                  return r.String(vv, "volume path", &iv.path);
                }));
            if (!has_name_v || !has_path) {
              return r.Fail(ErrorKind::kMissingKey, i, "an image volume needs `name` and `path`");
            }
            img->volumes.push_back(std::move(iv));
          }
        }
        return Status::Ok();
      }));
  if (!has_name) return r.Fail(ErrorKind::kMissingKey, n, "an image needs a `name`");
  return Status::Ok();
}

Status ParseVolume(Reader& r, const YamlNode& n, Volume* vol) {
  vol->position = n.position();
  bool has_name = false;
  SDL_TRY_OUTER(
      r.ForEachKey(n, "a volume", {"name", "export", "import"},
                   [&](const std::string& k, const YamlNode&, const YamlNode& v) -> Status {
                     if (k == "name") {
                       has_name = true;
                       return r.String(v, "volume name", &vol->name);
                     }
                     if (k == "export") {
                       return ParseExports(r, v, RefKind::kVolumeExport, &vol->exports);
                     }
                     SessionRef ref;
                     SCONE_RETURN_IF_ERROR(
                         ParseSessionRef(r, v, "a volume import", RefKind::kVolumeImport, &ref));
                     vol->import = std::move(ref);
                     return Status::Ok();
                   }));
  if (!has_name) return r.Fail(ErrorKind::kMissingKey, n, "a volume needs a `name`");
  return Status::Ok();
}

}  // namespace scone::sdl
