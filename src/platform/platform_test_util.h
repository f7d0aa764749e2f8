// Helpers shared by the platform tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "common/test_util.h"

namespace scone::platform::testing {

// A temporary folder (common/test_util.h).
class TempDir : public scone::testing::TempDir {
 public:
  TempDir() : scone::testing::TempDir("scone-platform") {}
};

// Writes `content` to dir/name and returns the path.
inline std::filesystem::path WriteProgram(const TempDir& dir, const std::string& name,
                                          const std::string& content) {
  auto p = dir.path() / name;
  (void)WriteFileAtomic(p, AsBytes(content), 0755);
  return p;
}

}  // namespace scone::platform::testing
