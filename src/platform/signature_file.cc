#include "platform/signature_file.h"

#include <algorithm>

#include "common/byte_io.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/keys.h"

namespace scone::platform {
namespace {

constexpr std::string_view kMagic = "SCONESIG";
constexpr uint16_t kFormatVersion = 1;
constexpr size_t kMaxSpki = 2048;
constexpr size_t kMaxSignature = 1024;

Bytes SignedPart(const SignatureFile& f) {
  Bytes out;
  PutBytes(out, AsBytes(kMagic));
  PutU16(out, kFormatVersion);
  PutU16(out, 0);
  PutU32(out, f.miscselect);
  PutU64(out, f.attributes_flags);
  PutU64(out, f.attributes_xfrm);
  PutBytes(out, f.mrenclave);
  PutU16(out, f.isvprodid);
  PutU16(out, f.isvsvn);
  PutU16(out, static_cast<uint16_t>(f.signer_spki.size()));
  PutBytes(out, f.signer_spki);
  return out;
}

Status CheckSignerKey(EVP_PKEY* key) {
  int bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_is_a(key, "RSA") == 1) {
    if (bits < 2048) {
      return InvalidArgument("the RSA signer key has " + std::to_string(bits) +
                             " bits; use at least 2048 (SGX uses 3072)");
    }
    return Status::Ok();
  }
  if (EVP_PKEY_is_a(key, "EC") == 1) return Status::Ok();
  return InvalidArgument("the signer key must be an RSA or EC key");
}

}  // namespace

Result<SignatureFile> SignEnclave(EVP_PKEY* signer_key, const ByteArray<32>& mrenclave,
                                  const SignOptions& options) {
  SCONE_RETURN_IF_ERROR(CheckSignerKey(signer_key));
  SignatureFile f;
  f.miscselect = 0;
  f.attributes_flags = kAttrInit | kAttrMode64Bit | (options.production ? 0 : kAttrDebug);
  f.attributes_xfrm = kDefaultXfrm;
  f.mrenclave = mrenclave;
  f.isvprodid = options.isvprodid;
  f.isvsvn = options.isvsvn;
  SCONE_ASSIGN_OR_RETURN(f.signer_spki, crypto::PublicKeySpkiDer(signer_key));
  Bytes msg = SignedPart(f);
  crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, signer_key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, msg.data(), msg.size()) != 1) {
    return crypto::OpenSslError("signing the enclave");
  }
  f.signature.resize(len);
  if (EVP_DigestSign(ctx.get(), f.signature.data(), &len, msg.data(), msg.size()) != 1) {
    return crypto::OpenSslError("signing the enclave");
  }
  f.signature.resize(len);
  if (f.signer_spki.size() > kMaxSpki || f.signature.size() > kMaxSignature) {
    return InvalidArgument(
        "the signer key is too large for a signature file (RSA up to 8192 "
        "bits; SGX uses 3072)");
  }
  return f;
}

Bytes SerializeSignatureFile(const SignatureFile& file) {
  Bytes out = SignedPart(file);
  PutU16(out, static_cast<uint16_t>(file.signature.size()));
  PutBytes(out, file.signature);
  return out;
}

Result<SignatureFile> ParseSignatureFile(ByteView data) {
  ByteReader r("signature file", data);
  ByteArray<8> magic{};
  SCONE_RETURN_IF_ERROR(r.Array("magic", magic));
  if (!std::equal(magic.begin(), magic.end(), AsBytes(kMagic).begin())) {
    return r.Error("not a SCONE signature file (bad magic)", 0);
  }
  uint16_t version = 0;
  uint16_t reserved = 0;
  SCONE_RETURN_IF_ERROR(r.U16("format version", version));
  if (version != kFormatVersion) {
    return r.Error("format version " + std::to_string(version) + " is not supported", 8);
  }
  SCONE_RETURN_IF_ERROR(r.U16("reserved", reserved));
  if (reserved != 0) return r.Error("reserved field is not zero", 10);
  SignatureFile f;
  SCONE_RETURN_IF_ERROR(r.U32("MISCSELECT", f.miscselect));
  SCONE_RETURN_IF_ERROR(r.U64("ATTRIBUTES.FLAGS", f.attributes_flags));
  SCONE_RETURN_IF_ERROR(r.U64("ATTRIBUTES.XFRM", f.attributes_xfrm));
  SCONE_RETURN_IF_ERROR(r.Array("MRENCLAVE", f.mrenclave));
  SCONE_RETURN_IF_ERROR(r.U16("ISVPRODID", f.isvprodid));
  SCONE_RETURN_IF_ERROR(r.U16("ISVSVN", f.isvsvn));
  uint16_t spki_len = 0;
  SCONE_RETURN_IF_ERROR(r.U16("signer key length", spki_len));
  if (spki_len == 0 || spki_len > kMaxSpki) {
    return r.Error("signer key length " + std::to_string(spki_len) + " is out of range", 68);
  }
  ByteView spki;
  SCONE_RETURN_IF_ERROR(r.Span("signer key", spki_len, spki));
  f.signer_spki.assign(spki.begin(), spki.end());
  uint16_t sig_len = 0;
  size_t sig_len_at = r.offset();
  SCONE_RETURN_IF_ERROR(r.U16("signature length", sig_len));
  if (sig_len == 0 || sig_len > kMaxSignature) {
    return r.Error("signature length " + std::to_string(sig_len) + " is out of range", sig_len_at);
  }
  ByteView sig;
  SCONE_RETURN_IF_ERROR(r.Span("signature", sig_len, sig));
  f.signature.assign(sig.begin(), sig.end());
  SCONE_RETURN_IF_ERROR(r.End());
  if ((f.attributes_flags & kAttrInit) == 0 || (f.attributes_flags & kAttrMode64Bit) == 0) {
    return InvalidArgument("signature file: ATTRIBUTES must have INIT and MODE64BIT set");
  }
  return f;
}

Status VerifySignatureFile(const SignatureFile& file) {
  auto key = crypto::ParsePublicKeySpkiDer(file.signer_spki);
  if (!key.ok()) return VerificationFailed("signature file: " + key.status().message());
  Status s = crypto::VerifySignatureDer(key->get(), SignedPart(file), file.signature);
  if (!s.ok()) return VerificationFailed("signature file: the signature does not verify");
  return Status::Ok();
}

EnclaveIdentity IdentityFromSignatureFile(const SignatureFile& file) {
  EnclaveIdentity id;
  id.mrenclave = file.mrenclave;
  id.mrsigner = crypto::Sha256(file.signer_spki);
  id.isvprodid = file.isvprodid;
  id.isvsvn = file.isvsvn;
  id.attributes_flags = file.attributes_flags;
  id.attributes_xfrm = file.attributes_xfrm;
  id.miscselect = file.miscselect;
  return id;
}

}  // namespace scone::platform
