// Helpers for the secrets layer's tests: sessions from YAML text, values by name.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sdl/session.h"
#include "secrets/generate.h"

namespace scone::secrets::testing {

// Unix time the tests generate at (2026-01-01T00:00:00Z).
inline constexpr int64_t kNow = 1767225600;

// A validated session from `body` (the text after name and version).
inline sdl::Session Load(std::string_view body, std::string_view name = "s") {
  std::string text = "name: " + std::string(name) + "\nversion: \"0.3\"\n" + std::string(body);
  auto checked = sdl::LoadSession(text, "test.yaml", sdl::Variables());
  EXPECT_TRUE(checked.ok()) << checked.status().message();
  return checked.ok() ? checked->session : sdl::Session{};
}

inline SecretValues Generate(const sdl::Session& s, std::optional<PreviousVersion> previous = {}) {
  GenerateOptions o;
  o.now = kNow;
  o.previous = previous;
  auto v = GenerateSecrets(s, o);
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? std::move(v).value() : SecretValues{};
}

}  // namespace scone::secrets::testing
