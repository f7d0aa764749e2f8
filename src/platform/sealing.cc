#include "platform/sealing.h"

#include <algorithm>

#include "common/byte_io.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"

namespace scone::platform {
namespace {

constexpr std::string_view kMagic = "SCSEAL2";
constexpr size_t kHeaderSize = 10;
constexpr std::string_view kKdfSalt = "scone simulated SGX seal key v1";

Bytes PolicyIdentity(SealPolicy policy, const EnclaveIdentity& id) {
  Bytes out;
  out.push_back(static_cast<uint8_t>(policy));
  // Like EGETKEY, always bind INIT and DEBUG: a debuggable build of the same program or
  // signer must not get the production build's keys.
  PutU64(out, id.attributes_flags & (kAttrInit | kAttrDebug));
  if (policy == SealPolicy::kMrEnclave) {
    PutBytes(out, id.mrenclave);
  } else {
    PutBytes(out, id.mrsigner);
    PutU16(out, id.isvprodid);
  }
  return out;
}

Bytes Header(SealPolicy policy, uint16_t key_isvsvn) {
  Bytes h;
  PutBytes(h, AsBytes(kMagic));
  h.push_back(static_cast<uint8_t>(policy));
  PutU16(h, key_isvsvn);
  return h;
}

Status CheckSecret(const SecretBytes& secret) {
  if (secret.size() != kPlatformSealingSecretSize) {
    return InvalidArgument("the platform sealing secret must have 32 bytes");
  }
  return Status::Ok();
}

}  // namespace

Result<SecretBytes> DeriveSealKey(const SecretBytes& platform_secret, SealPolicy policy,
                                  const EnclaveIdentity& identity, uint16_t key_isvsvn) {
  SCONE_RETURN_IF_ERROR(CheckSecret(platform_secret));
  if (policy != SealPolicy::kMrEnclave && policy != SealPolicy::kMrSigner) {
    return InvalidArgument("unknown sealing policy");
  }
  if (key_isvsvn > identity.isvsvn) {
    return PermissionDenied("a seal key for ISVSVN " + std::to_string(key_isvsvn) +
                            " was requested by an enclave with ISVSVN " +
                            std::to_string(identity.isvsvn) +
                            "; only the same or lower versions are allowed");
  }
  Bytes info = PolicyIdentity(policy, identity);
  PutU16(info, key_isvsvn);
  return crypto::HkdfSha256(platform_secret, AsBytes(kKdfSalt), info, crypto::kAesGcmKeySize);
}

Result<Bytes> Seal(const SecretBytes& platform_secret, SealPolicy policy,
                   const EnclaveIdentity& identity, ByteView plaintext) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes key,
                         DeriveSealKey(platform_secret, policy, identity, identity.isvsvn));
  Bytes header = Header(policy, identity.isvsvn);
  Bytes aad = header;
  PutBytes(aad, PolicyIdentity(policy, identity));
  SCONE_ASSIGN_OR_RETURN(Bytes body, crypto::AesGcmSeal(key, plaintext, aad));
  PutBytes(header, body);
  return header;
}

Result<SecretBytes> Unseal(const SecretBytes& platform_secret, const EnclaveIdentity& identity,
                           ByteView sealed) {
  ByteReader r("sealed data", sealed);
  ByteArray<7> magic{};
  SCONE_RETURN_IF_ERROR(r.Array("magic", magic));
  if (!std::equal(magic.begin(), magic.end(), AsBytes(kMagic).begin())) {
    return r.Error("not sealed data (bad magic)", 0);
  }
  ByteView policy_byte;
  SCONE_RETURN_IF_ERROR(r.Span("policy", 1, policy_byte));
  auto policy = static_cast<SealPolicy>(policy_byte[0]);
  if (policy != SealPolicy::kMrEnclave && policy != SealPolicy::kMrSigner) {
    return r.Error("unknown sealing policy " + std::to_string(policy_byte[0]), 7);
  }
  uint16_t key_isvsvn = 0;
  SCONE_RETURN_IF_ERROR(r.U16("key ISVSVN", key_isvsvn));
  SCONE_ASSIGN_OR_RETURN(SecretBytes key,
                         DeriveSealKey(platform_secret, policy, identity, key_isvsvn));
  Bytes aad(sealed.begin(), sealed.begin() + kHeaderSize);
  PutBytes(aad, PolicyIdentity(policy, identity));
  auto opened = crypto::AesGcmOpen(key, sealed.subspan(kHeaderSize), aad);
  if (!opened.ok()) {
    return DataLoss(
        "sealed data cannot be opened: it was changed, or sealed on another platform or for "
        "another enclave identity");
  }
  return opened;
}

}  // namespace scone::platform
