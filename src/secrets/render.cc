#include "secrets/render.h"

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "crypto/pkcs12.h"
#include "crypto/x509.h"
#include "sdl/placeholders.h"
#include "secrets/encoding.h"

namespace scone::secrets {
namespace {

using sdl::SecretKind;

Status UnknownFormat(const SecretValue& v, std::string_view format) {
  return InvalidArgument("format \"" + std::string(format.substr(0, 40)) +
                         "\" is not valid for a secret of kind " +
                         std::string(sdl::SecretKindName(v.kind)));
}

Result<SecretBytes> RenderBytes(const SecretValue& v, std::string_view f) {
  ByteView b = v.material.Reveal();
  if (f.empty() || f == "bin") return v.material;
  if (f == "hex") return HexLower(b);
  if (f == "base64") return Base64(b, false);
  if (f == "base64url") return Base64(b, true);
  if (f == "base32") return Base32(b, true);
  if (f == "base32nopad") return Base32(b, false);
  return UnknownFormat(v, f);
}

Result<SecretBytes> RenderPrivateKey(const SecretValue& v, std::string_view f) {
  if (v.material.empty()) {
    return InvalidArgument("the certificate was given without its private key");
  }
  if (f.empty() || f == "pem" || f == "pkcs8:pem") return Pem("PRIVATE KEY", v.material.Reveal());
  if (f == "der" || f == "pkcs8:der") return v.material;
  return UnknownFormat(v, f);
}

Result<SecretBytes> RenderPublicKey(const SecretValue& v, std::string_view f) {
  if (f.empty() || f == "pem" || f == "spki:pem") return Pem("PUBLIC KEY", v.material.Reveal());
  if (f == "der" || f == "spki:der") return v.material;
  return UnknownFormat(v, f);
}

Result<SecretBytes> RenderCertificate(const SecretValue& v, std::string_view f) {
  if (v.chain.empty()) return InvalidArgument("the certificate secret holds no certificate");
  if (f.empty() || f == "pem" || f == "crt" || f == "crt:pem") {
    return Pem("CERTIFICATE", v.chain.front());
  }
  if (f == "der" || f == "crt:der") return SecretBytes::CopyFrom(v.chain.front());
  if (f == "chain") {
    SecretBytes out;
    for (const Bytes& der : v.chain) out.Append(Pem("CERTIFICATE", der).Reveal());
    return out;
  }
  if (f.starts_with("privatekey")) {
    std::string_view rest = f.substr(std::string_view("privatekey").size());
    if (!rest.empty() && rest.front() != ':') return UnknownFormat(v, f);
    if (!rest.empty()) rest.remove_prefix(1);
    if (!rest.empty() && rest != "pem" && rest != "der" && rest != "pkcs8:pem" &&
        rest != "pkcs8:der") {
      return UnknownFormat(v, f);
    }
    return RenderPrivateKey(v, rest);
  }
  if (f == "pkcs12-with-private-key") {
    if (v.material.empty()) {
      return InvalidArgument("the certificate was given without its private key");
    }
    SCONE_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key,
                           crypto::ParsePkcs8PrivateKeyDer(v.material.Reveal()));
    std::vector<crypto::X509Ptr> certs;
    for (const Bytes& der : v.chain) {
      SCONE_ASSIGN_OR_RETURN(crypto::X509Ptr c, crypto::ParseCertificateDer(der));
      certs.push_back(std::move(c));
    }
    std::vector<X509*> issuers;
    for (size_t i = 1; i < certs.size(); ++i) issuers.push_back(certs[i].get());
    return crypto::CreatePkcs12(key.get(), certs.front().get(), issuers);
  }
  return UnknownFormat(v, f);
}

}  // namespace

Result<SecretBytes> RenderValue(const SecretValue& value, std::string_view format) {
  // One list of formats: what the validator accepted is exactly what is rendered.
  auto formats = sdl::FormatsFor(value.kind);
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    return UnknownFormat(value, format);
  }
  switch (value.kind) {
    case SecretKind::kAscii:
    case SecretKind::kBinary:
      return RenderBytes(value, format);
    case SecretKind::kPrivateKey:
      return RenderPrivateKey(value, format);
    case SecretKind::kPublicKey:
      return RenderPublicKey(value, format);
    case SecretKind::kX509:
    case SecretKind::kX509Ca:
      return RenderCertificate(value, format);
  }
  return UnknownFormat(value, format);
}

Result<SecretBytes> RenderText(std::string_view text, const SecretValues& values) {
  std::vector<sdl::Placeholder> found;
  SCONE_RETURN_IF_ERROR(sdl::FindPlaceholders(text, &found));
  SecretBytes out;
  size_t pos = 0;
  for (const sdl::Placeholder& p : found) {
    out.Append(AsBytes(text.substr(pos, p.offset - pos)));
    pos = p.offset + p.length;
    std::string name = p.name;
    std::string format = p.format;
    auto it = values.find(name);
    if (it == values.end() && format.empty()) {
      if (auto legacy = sdl::SplitLegacy(name)) {
        auto stem = values.find(legacy->name);
        if (stem != values.end()) {
          if (auto reading = sdl::LegacyReading(name, stem->second.kind)) {
            it = stem;
            name = reading->name;
            format = std::string(reading->format);
          }
        }
      }
    }
    if (it == values.end()) {
      return FailedPrecondition("placeholder names secret \"" + name.substr(0, 128) +
                                "\", which has no value");
    }
    auto rendered = RenderValue(it->second, format);
    if (!rendered.ok()) return rendered.status().WithContext("secret \"" + name + "\"");
    if (p.pipe.empty()) {
      out.Append(rendered->Reveal());
    } else if (p.pipe == sdl::kEscapeJsonPipe) {
      out.Append(EscapeJson(rendered->Reveal()).Reveal());
    } else {
      return InvalidArgument("placeholder for secret \"" + name +
                             "\" ends in an unknown pipe; the only pipe is |escape(json)");
    }
  }
  out.Append(AsBytes(text.substr(pos)));
  return out;
}

Result<std::string> RenderPublic(const SecretValue& value) {
  std::string_view format;
  switch (value.kind) {
    case SecretKind::kAscii:
      format = "";
      break;
    case SecretKind::kBinary:
      format = "hex";
      break;
    case SecretKind::kPrivateKey: {
      SCONE_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key,
                             crypto::ParsePkcs8PrivateKeyDer(value.material.Reveal()));
      SCONE_ASSIGN_OR_RETURN(Bytes spki, crypto::PublicKeySpkiDer(key.get()));
      SecretBytes pem = Pem("PUBLIC KEY", spki);
      ByteView b = pem.Reveal();
      return std::string(b.begin(), b.end());
    }
    case SecretKind::kPublicKey:
      format = "pem";
      break;
    case SecretKind::kX509:
    case SecretKind::kX509Ca:
      format = "crt";
      break;
  }
  SCONE_ASSIGN_OR_RETURN(SecretBytes rendered, RenderValue(value, format));
  ByteView b = rendered.Reveal();
  return std::string(b.begin(), b.end());
}

}  // namespace scone::secrets
