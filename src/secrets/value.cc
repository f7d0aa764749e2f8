#include "secrets/value.h"

#include <optional>
#include <string_view>

#include "common/byte_io.h"
#include "sdl/validator.h"

namespace scone::secrets {
namespace {

constexpr std::string_view kMagic = "SCONE-SECRETS";
constexpr uint16_t kVersion = 1;
// Bounds a parse can rely on (far above what the session language allows).
constexpr uint32_t kMaxEntries = 1u << 16;
constexpr uint32_t kMaxChain = 64;

std::optional<sdl::SecretKind> KindOfCode(uint8_t code) {
  switch (code) {
    case 1:
      return sdl::SecretKind::kAscii;
    case 2:
      return sdl::SecretKind::kBinary;
    case 3:
      return sdl::SecretKind::kPrivateKey;
    case 4:
      return sdl::SecretKind::kPublicKey;
    case 5:
      return sdl::SecretKind::kX509;
    case 6:
      return sdl::SecretKind::kX509Ca;
    default:
      return std::nullopt;
  }
}

bool IsCertificate(sdl::SecretKind k) {
  return k == sdl::SecretKind::kX509 || k == sdl::SecretKind::kX509Ca;
}

// Little-endian fields appended to a secret buffer.
void Put32(SecretBytes& out, uint32_t v) {
  uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                  static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
  out.Append(ByteView(b, 4));
}
void PutField(SecretBytes& out, ByteView v) {
  Put32(out, static_cast<uint32_t>(v.size()));
  out.Append(v);
}

Status ReadField(ByteReader& r, std::string_view field, ByteView& out) {
  uint32_t len = 0;
  SCONE_RETURN_IF_ERROR(r.U32(field, len));
  return r.Span(field, len, out);
}

}  // namespace

uint8_t KindCode(sdl::SecretKind kind) {
  switch (kind) {
    case sdl::SecretKind::kAscii:
      return 1;
    case sdl::SecretKind::kBinary:
      return 2;
    case sdl::SecretKind::kPrivateKey:
      return 3;
    case sdl::SecretKind::kPublicKey:
      return 4;
    case sdl::SecretKind::kX509:
      return 5;
    case sdl::SecretKind::kX509Ca:
      return 6;
  }
  return 0;
}

Result<SecretBytes> SerializeValues(const SecretValues& values) {
  if (values.size() > kMaxEntries) return InvalidArgument("too many secret values");
  SecretBytes out;
  out.Append(AsBytes(kMagic));
  const uint8_t version[2] = {static_cast<uint8_t>(kVersion & 0xff),
                              static_cast<uint8_t>(kVersion >> 8)};
  out.Append(ByteView(version, 2));
  Put32(out, static_cast<uint32_t>(values.size()));
  for (const auto& [name, v] : values) {  // std::map: names in byte order
    if (!IsCertificate(v.kind) && !v.chain.empty()) {
      return Internal("secret \"" + name + "\" is no certificate but has a chain");
    }
    if (v.chain.size() > kMaxChain) return InvalidArgument("certificate chain too long");
    PutField(out, AsBytes(name));
    const uint8_t kind = KindCode(v.kind);
    out.Append(ByteView(&kind, 1));
    PutField(out, v.material.Reveal());
    Put32(out, static_cast<uint32_t>(v.chain.size()));
    for (const Bytes& der : v.chain) PutField(out, der);
  }
  return out;
}

Result<SecretValues> ParseValues(ByteView stored) {
  ByteReader r("secret values", stored);
  ByteView magic;
  SCONE_RETURN_IF_ERROR(r.Span("magic", kMagic.size(), magic));
  if (AsChars(magic) != kMagic) return r.Error("not a secret values record", 0);
  uint16_t version = 0;
  SCONE_RETURN_IF_ERROR(r.U16("version", version));
  if (version != kVersion) {
    return r.Error("unsupported version " + std::to_string(version) + " (this CAS reads 1)",
                   kMagic.size());
  }
  uint32_t count = 0;
  SCONE_RETURN_IF_ERROR(r.U32("entry count", count));
  if (count > kMaxEntries) return r.Error("too many entries", r.offset() - 4);
  SecretValues values;
  std::string previous;
  for (uint32_t i = 0; i < count; ++i) {
    const size_t at = r.offset();
    ByteView name;
    SCONE_RETURN_IF_ERROR(ReadField(r, "name", name));
    std::string n(AsChars(name));
    if (!sdl::IsValidEntityName(n)) return r.Error("invalid secret name", at);
    if (i > 0 && n <= previous) return r.Error("secret names out of order", at);
    ByteView kind_byte;
    SCONE_RETURN_IF_ERROR(r.Span("kind", 1, kind_byte));
    auto kind = KindOfCode(kind_byte[0]);
    if (!kind) return r.Error("unknown secret kind", r.offset() - 1);
    SecretValue v;
    v.kind = *kind;
    ByteView material;
    SCONE_RETURN_IF_ERROR(ReadField(r, "material", material));
    v.material = SecretBytes::CopyFrom(material);
    uint32_t chain = 0;
    SCONE_RETURN_IF_ERROR(r.U32("chain length", chain));
    if (chain > kMaxChain || (chain != 0) != IsCertificate(*kind)) {
      return r.Error("wrong certificate count for the secret's kind", r.offset() - 4);
    }
    for (uint32_t c = 0; c < chain; ++c) {
      ByteView der;
      SCONE_RETURN_IF_ERROR(ReadField(r, "certificate", der));
      v.chain.emplace_back(der.begin(), der.end());
    }
    previous = n;
    values.emplace(std::move(n), std::move(v));
  }
  SCONE_RETURN_IF_ERROR(r.End());
  return values;
}

}  // namespace scone::secrets
