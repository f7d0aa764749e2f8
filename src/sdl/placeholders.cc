#include "sdl/placeholders.h"

#include <algorithm>

namespace scone::sdl {
namespace {

constexpr std::string_view kPlaceholderStart = "$$SCONE::";

bool IsPrivateKeyFormat(std::string_view f) {
  return f.starts_with("privatekey") || f == "pkcs12-with-private-key";
}

}  // namespace

std::vector<std::string_view> FormatsFor(SecretKind kind) {
  switch (kind) {
    case SecretKind::kAscii:
    case SecretKind::kBinary:
      return {"", "hex", "bin", "base64", "base64url", "base32", "base32nopad"};
    case SecretKind::kPrivateKey:
      return {"", "pem", "der", "pkcs8:pem", "pkcs8:der"};
    case SecretKind::kPublicKey:
      return {"", "pem", "der", "spki:pem", "spki:der"};
    case SecretKind::kX509:
    case SecretKind::kX509Ca:
      return {"",
              "pem",
              "der",
              "crt",
              "crt:pem",
              "crt:der",
              "chain",
              "privatekey",
              "privatekey:pem",
              "privatekey:der",
              "privatekey:pkcs8:pem",
              "privatekey:pkcs8:der",
              "pkcs12-with-private-key"};
  }
  return {};
}

std::vector<std::string_view> AllFormats() {
  std::vector<std::string_view> all;
  for (SecretKind k : {SecretKind::kAscii, SecretKind::kBinary, SecretKind::kPrivateKey,
                       SecretKind::kPublicKey, SecretKind::kX509, SecretKind::kX509Ca}) {
    for (std::string_view f : FormatsFor(k)) {
      if (std::find(all.begin(), all.end(), f) == all.end()) all.push_back(f);
    }
  }
  return all;
}

std::vector<std::string_view> FormatsForSecret(const Secret& secret) {
  if (!secret.kind) return AllFormats();
  std::vector<std::string_view> formats = FormatsFor(secret.kind->value);
  bool certificate =
      secret.kind->value == SecretKind::kX509 || secret.kind->value == SecretKind::kX509Ca;
  if (certificate && secret.value && !secret.private_key) {
    std::erase_if(formats, IsPrivateKeyFormat);
  }
  return formats;
}

Status FindPlaceholders(std::string_view text, std::vector<Placeholder>* out, size_t* bad_offset) {
  size_t i = 0;
  while ((i = text.find(kPlaceholderStart, i)) != std::string_view::npos) {
    size_t body = i + kPlaceholderStart.size();
    size_t close = text.find("$$", body);
    std::string_view token =
        close == std::string_view::npos ? std::string_view() : text.substr(body, close - body);
    size_t bar = token.find('|');
    std::string_view selector = token.substr(0, bar);
    size_t colon = selector.find(':');
    std::string_view name = selector.substr(0, colon);
    const bool empty_pipe = bar != std::string_view::npos && bar + 1 == token.size();
    if (close == std::string_view::npos || name.empty() || empty_pipe) {
      if (bad_offset != nullptr) *bad_offset = i;
      return InvalidArgument("malformed $$SCONE:: placeholder");
    }
    Placeholder p;
    p.name = std::string(name);
    if (colon != std::string_view::npos) p.format = std::string(selector.substr(colon + 1));
    if (bar != std::string_view::npos) p.pipe = std::string(token.substr(bar + 1));
    p.offset = i;
    p.length = close + 2 - i;
    out->push_back(std::move(p));
    i = close + 2;
  }
  return Status::Ok();
}

std::optional<LegacyPlaceholder> SplitLegacy(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view ext = name.substr(dot + 1);
  std::string_view format;
  if (ext == "crt") {
    format = "crt";
  } else if (ext == "key") {
    format = "privatekey";
  } else if (ext == "chain") {
    format = "chain";
  } else if (ext == "hex") {
    format = "hex";
  } else {
    return std::nullopt;
  }
  return LegacyPlaceholder{std::string(name.substr(0, dot)), format};
}

std::optional<LegacyPlaceholder> LegacyReading(std::string_view name,
                                               std::optional<SecretKind> kind) {
  auto legacy = SplitLegacy(name);
  if (!legacy || !kind) return legacy;
  bool certificate = *kind == SecretKind::kX509 || *kind == SecretKind::kX509Ca;
  bool applies = legacy->format == "hex" ? *kind == SecretKind::kBinary : certificate;
  if (!applies) return std::nullopt;
  return legacy;
}

}  // namespace scone::sdl
