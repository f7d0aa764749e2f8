#include "secrets/generate.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "crypto/keygen.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "secrets/certificates.h"
#include "secrets/migration.h"

namespace scone::secrets {
namespace {

using sdl::Secret;
using sdl::SecretKind;

constexpr uint64_t kDefaultSize = 20;
constexpr size_t kMaxCommonName = 64;   // ub-common-name (RFC 5280)
constexpr char kFirstVisible = 0x21;    // '!'
constexpr unsigned kVisibleCount = 94;  // '!' .. '~'

std::string Named(const Secret& s) { return "secret \"" + s.name.value + "\""; }

Status Wrong(const Secret& s, std::string_view what) {
  return InvalidArgument("the value of " + Named(s) + " " + std::string(what));
}

uint64_t SizeOf(const Secret& s) { return s.size ? s.size->value : kDefaultSize; }

// `n` characters uniform over the visible ASCII characters (rejection sampling: bytes
// >= 188 = 2 * 94 are drawn again, so every character has the same chance).
Result<SecretBytes> RandomAscii(uint64_t n) {
  SecretBytes out(n);
  uint8_t* p = out.RevealMutable();
  size_t filled = 0;
  while (filled < n) {
    SCONE_ASSIGN_OR_RETURN(SecretBytes pool, crypto::RandomSecret(n - filled + 16));
    for (uint8_t b : pool.Reveal()) {
      if (b >= 2 * kVisibleCount) continue;
      p[filled++] = static_cast<uint8_t>(kFirstVisible + b % kVisibleCount);
      if (filled == n) break;
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Hex digits, two per byte, into secret memory (HexDecode would leave a plain copy).
Result<SecretBytes> SecretFromHex(const Secret& s, std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0) return Wrong(s, "must be hex digits, two per byte");
  SecretBytes out(hex.size() / 2);
  uint8_t* p = out.RevealMutable();
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexDigit(hex[2 * i]);
    int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Wrong(s, "must be hex digits, two per byte");
    p[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return out;
}

class Generator {
 public:
  Generator(const sdl::Session& session, const GenerateOptions& options)
      : session_(session), options_(options) {
    for (const Secret& s : session.secrets) by_name_.emplace(s.name.value, &s);
    plan_ = options.previous && options.previous->session != nullptr &&
                    options.previous->values != nullptr
                ? PlanMigration(*options.previous->session, *options.previous->values, session)
                : PlanCreation(session);
  }

  Result<SecretValues> Run() {
    for (const Secret& s : session_.secrets) {
      if (s.import) continue;
      SCONE_RETURN_IF_ERROR(ValueOf(s.name.value));
    }
    return std::move(out_);
  }

 private:
  // The value of the secret `name` of this session: made on first use (a certificate
  // needs its key and issuer first), or the resolved import.
  Result<const SecretValue*> ValueOf(std::string_view name) {
    if (auto it = out_.find(name); it != out_.end()) return &it->second;
    auto sec = by_name_.find(name);
    if (sec == by_name_.end()) return InvalidArgument("no secret \"" + std::string(name) + "\"");
    const Secret& s = *sec->second;
    if (s.import) {
      if (options_.imported != nullptr) {
        if (auto it = options_.imported->find(name); it != options_.imported->end()) {
          return &it->second;
        }
      }
      return FailedPrecondition(Named(s) + " is imported and its value was not resolved");
    }
    if (!in_progress_.insert(s.name.value).second) {
      return InvalidArgument("the references of " + Named(s) + " loop");
    }
    SCONE_ASSIGN_OR_RETURN(SecretValue v, Make(s));
    in_progress_.erase(s.name.value);
    return &out_.emplace(s.name.value, std::move(v)).first->second;
  }

  // The private key held by the secret `name` (a private-key secret, or the key of a
  // certificate secret), parsed.
  Result<crypto::EvpPkeyPtr> KeyOf(const Secret& user, std::string_view name) {
    SCONE_ASSIGN_OR_RETURN(const SecretValue* v, ValueOf(name));
    if (v->material.empty()) {
      return InvalidArgument(Named(user) + " needs the private key of secret \"" +
                             std::string(name) +
                             "\", which has none (its certificate was given "
                             "without `private_key`)");
    }
    return crypto::ParsePkcs8PrivateKeyDer(v->material.Reveal());
  }

  const SecretValue* Previous(const Secret& s) const {
    if (!options_.previous || options_.previous->values == nullptr) return nullptr;
    auto it = options_.previous->values->find(s.name.value);
    return it == options_.previous->values->end() ? nullptr : &it->second;
  }

  Result<SecretValue> Make(const Secret& s) {
    const MigrationStep& step = plan_.at(s.name.value);
    if (step.action == MigrationAction::kKeep) {
      const SecretValue* prev = Previous(s);
      if (prev == nullptr) return Internal("kept secret without a previous value");
      return *prev;
    }
    SecretValue v;
    v.kind = s.kind->value;
    if (step.action == MigrationAction::kGiven) {
      SCONE_RETURN_IF_ERROR(FromExplicit(s, &v));
    } else {
      SCONE_RETURN_IF_ERROR(Generate(s, step.action, &v));
    }
    return v;
  }

  Status Generate(const Secret& s, MigrationAction action, SecretValue* v) {
    switch (v->kind) {
      case SecretKind::kAscii: {
        SCONE_ASSIGN_OR_RETURN(v->material, RandomAscii(SizeOf(s)));
        return Status::Ok();
      }
      case SecretKind::kBinary: {
        SCONE_ASSIGN_OR_RETURN(v->material, crypto::RandomSecret(SizeOf(s)));
        return Status::Ok();
      }
      case SecretKind::kPrivateKey: {
        std::string_view type_name = "P-256";
        if (s.key_type) type_name = s.key_type->value;
        auto type = crypto::ParseKeyType(type_name);
        if (!type) return InvalidArgument("unknown key_type of " + Named(s));
        SCONE_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, crypto::GenerateKey(*type));
        SCONE_ASSIGN_OR_RETURN(v->material, crypto::PrivateKeyToPkcs8Der(key.get()));
        return Status::Ok();
      }
      case SecretKind::kPublicKey: {
        if (!s.private_key) return InvalidArgument(Named(s) + " has no private_key");
        SCONE_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, KeyOf(s, s.private_key->value));
        SCONE_ASSIGN_OR_RETURN(Bytes spki, crypto::PublicKeySpkiDer(key.get()));
        v->material = SecretBytes::CopyFrom(spki);
        return Status::Ok();
      }
      case SecretKind::kX509:
      case SecretKind::kX509Ca:
        return Issue(s, action, v);
    }
    return Internal("unknown secret kind");
  }

  Status Issue(const Secret& s, MigrationAction action, SecretValue* v) {
    crypto::EvpPkeyPtr key;
    if (s.private_key) {
      SCONE_ASSIGN_OR_RETURN(key, KeyOf(s, s.private_key->value));
    } else if (action == MigrationAction::kReissueOverKeptKey && Previous(s) != nullptr) {
      SCONE_ASSIGN_OR_RETURN(key, crypto::ParsePkcs8PrivateKeyDer(Previous(s)->material.Reveal()));
    } else {
      SCONE_ASSIGN_OR_RETURN(key, crypto::GenerateEcP256Key());
    }
    crypto::CertificateOptions o;
    o.common_name = s.common_name ? s.common_name->value : s.name.value;
    if (o.common_name.empty() || o.common_name.size() > kMaxCommonName) {
      return InvalidArgument("the common_name of " + Named(s) +
                             " must be 1 to 64 characters (X.520's upper bound)");
    }
    int64_t valid_for = kDefaultValidFor;
    if (s.valid_for) {
      auto parsed = ParseValidFor(s.valid_for->value);
      if (!parsed.ok()) return parsed.status().WithContext(Named(s));
      valid_for = *parsed;
    }
    o.not_before = options_.now;
    o.not_after = options_.now + valid_for;
    o.is_ca = v->kind == SecretKind::kX509Ca;
    SCONE_ASSIGN_OR_RETURN(o.subject_alt_names, SubjectAltNames(s));
    o.extended_key_usage = ExtendedKeyUsage(s);

    crypto::X509Ptr cert;
    std::vector<Bytes> issuer_chain;
    if (s.issuer) {
      SCONE_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr issuer_key, KeyOf(s, s.issuer->value));
      SCONE_ASSIGN_OR_RETURN(const SecretValue* issuer, ValueOf(s.issuer->value));
      if (issuer->chain.empty()) {
        return InvalidArgument("the issuer of " + Named(s) + " has no certificate");
      }
      SCONE_ASSIGN_OR_RETURN(crypto::X509Ptr issuer_cert,
                             crypto::ParseCertificateDer(issuer->chain.front()));
      auto made = crypto::CreateCertificate(key.get(), issuer_key.get(), issuer_cert.get(), o);
      if (!made.ok()) return made.status().WithContext("issuing the certificate of " + Named(s));
      cert = std::move(made).value();
      issuer_chain = issuer->chain;
    } else {
      auto made = crypto::CreateCertificate(key.get(), key.get(), nullptr, o);
      if (!made.ok()) return made.status().WithContext("issuing the certificate of " + Named(s));
      cert = std::move(made).value();
    }
    SCONE_ASSIGN_OR_RETURN(Bytes der, crypto::CertificateToDer(cert.get()));
    v->chain.push_back(std::move(der));
    for (Bytes& b : issuer_chain) v->chain.push_back(std::move(b));
    SCONE_ASSIGN_OR_RETURN(v->material, crypto::PrivateKeyToPkcs8Der(key.get()));
    return Status::Ok();
  }

  Status FromExplicit(const Secret& s, SecretValue* v) {
    std::string_view text = AsChars(s.value->value.Reveal());
    switch (v->kind) {
      case SecretKind::kAscii:
        v->material = s.value->value;
        return Status::Ok();
      case SecretKind::kBinary: {
        SCONE_ASSIGN_OR_RETURN(v->material, SecretFromHex(s, text));
        return Status::Ok();
      }
      case SecretKind::kPrivateKey: {
        auto key = crypto::ParseAnyPrivateKeyPem(text);
        if (!key.ok()) return Wrong(s, "is not one unencrypted PEM private key");
        auto type = crypto::KeyTypeOf(key->get());
        if (!type) {
          return Wrong(s,
                       "is a key of a type the session language does not name (use P-256, "
                       "P-384, P-521, Ed25519 or RSA-2048/3072/4096)");
        }
        std::string_view stated;
        if (s.key_type) stated = s.key_type->value;
        if (!stated.empty() && crypto::ParseKeyType(stated) != type) {
          return Wrong(s, "is a " + std::string(crypto::KeyTypeName(*type)) +
                              " key, not the stated key_type " + std::string(stated));
        }
        SCONE_ASSIGN_OR_RETURN(v->material, crypto::PrivateKeyToPkcs8Der(key->get()));
        return Status::Ok();
      }
      case SecretKind::kPublicKey: {
        auto key = crypto::ParsePublicKeyPem(text);
        if (!key.ok()) return Wrong(s, "is not one PEM public key");
        if (s.private_key) {
          SCONE_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr priv, KeyOf(s, s.private_key->value));
          if (!crypto::SamePublicKey(key->get(), priv.get())) {
            return Wrong(s, "is not the public key of its private_key");
          }
        }
        SCONE_ASSIGN_OR_RETURN(Bytes spki, crypto::PublicKeySpkiDer(key->get()));
        v->material = SecretBytes::CopyFrom(spki);
        return Status::Ok();
      }
      case SecretKind::kX509:
      case SecretKind::kX509Ca: {
        auto certs = crypto::ParseCertificatesPem(text);
        if (!certs.ok()) return Wrong(s, "is not a PEM certificate (chain)");
        if (s.private_key) {
          SCONE_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, KeyOf(s, s.private_key->value));
          if (!crypto::PrivateKeyMatchesCertificate(key.get(), certs->front().get())) {
            return Wrong(s, "is a certificate that does not match the key of its private_key");
          }
          SCONE_ASSIGN_OR_RETURN(v->material, crypto::PrivateKeyToPkcs8Der(key.get()));
        }
        for (const auto& c : *certs) {
          SCONE_ASSIGN_OR_RETURN(Bytes der, crypto::CertificateToDer(c.get()));
          v->chain.push_back(std::move(der));
        }
        return Status::Ok();
      }
    }
    return Internal("unknown secret kind");
  }

  const sdl::Session& session_;
  const GenerateOptions& options_;
  std::map<std::string_view, const Secret*> by_name_;
  std::map<std::string, MigrationStep, std::less<>> plan_;
  SecretValues out_;
  std::set<std::string, std::less<>> in_progress_;
};

}  // namespace

Result<SecretValues> GenerateSecrets(const sdl::Session& session, const GenerateOptions& options) {
  Generator g(session, options);
  return g.Run();
}

}  // namespace scone::secrets
