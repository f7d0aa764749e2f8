// Helpers shared by the platform tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"

namespace scone::platform::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "scone-platform-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes `content` to dir/name and returns the path.
inline std::filesystem::path WriteProgram(const TempDir& dir, const std::string& name,
                                          const std::string& content) {
  auto p = dir.path() / name;
  (void)WriteFileAtomic(p, AsBytes(content), 0755);
  return p;
}

}  // namespace scone::platform::testing
