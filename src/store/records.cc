#include "store/records.h"

#include "common/byte_io.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "crypto/mac.h"

namespace scone::store {
namespace {

constexpr std::string_view kAadTag = "scone-store v1";
constexpr std::string_view kKeyIdSalt = "scone-store";
constexpr std::string_view kKeyIdInfo = "scone-store key id v1";
constexpr std::string_view kKeyCheckPlaintext = "scone-store key-check v1";
constexpr std::string_view kContentTag = "scone-store content v1";
constexpr std::string_view kContentKeyInfo = "scone-store content key v2";

void PutString(Bytes& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  PutBytes(out, AsBytes(s));
}

}  // namespace

Bytes RecordAad(RecordKind kind, std::string_view table, std::string_view name) {
  Bytes aad = ToBytes(kAadTag);
  aad.push_back(static_cast<uint8_t>(kind));
  PutString(aad, table);
  PutString(aad, name);
  return aad;
}

std::string RowKey(std::string_view table, std::string_view name) {
  std::string key;
  key.reserve(table.size() + 1 + name.size());
  key.append(table);
  key.push_back('\0');
  key.append(name);
  return key;
}

std::pair<std::string_view, std::string_view> SplitRowKey(std::string_view row_key) {
  size_t nul = row_key.find('\0');
  return {row_key.substr(0, nul), row_key.substr(nul + 1)};
}

crypto::Sha256Digest ContentDigest(const RowDigests& rows) {
  crypto::Sha256Hasher h;
  h.Update(AsBytes(kContentTag));
  Bytes field;
  PutU64(field, rows.size());
  h.Update(field);
  for (const auto& [row_key, digest] : rows) {
    auto [table, name] = SplitRowKey(row_key);
    field.clear();
    PutString(field, table);
    PutString(field, name);
    h.Update(field);
    h.Update(digest);
  }
  return h.Finish();
}

Result<ContentSum> ContentSum::ForKey(const SecretBytes& key) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes term_key, crypto::HkdfSha256(key, AsBytes(kKeyIdSalt),
                                                                  AsBytes(kContentKeyInfo), 32));
  SCONE_ASSIGN_OR_RETURN(crypto::HmacSha256Key keyed, crypto::HmacSha256Key::Create(term_key));
  ContentSum sum;
  sum.term_key_ = std::make_shared<const crypto::HmacSha256Key>(std::move(keyed));
  return sum;
}

Result<ContentSum> ContentSum::Of(const SecretBytes& key, const RowDigests& rows) {
  SCONE_ASSIGN_OR_RETURN(ContentSum sum, ForKey(key));
  for (const auto& [row_key, digest] : rows) SCONE_RETURN_IF_ERROR(sum.Add(row_key, digest));
  return sum;
}

Result<ContentSum::Term> ContentSum::TermOf(std::string_view row_key,
                                            const crypto::Sha256Digest& value_digest) const {
  auto [table, name] = SplitRowKey(row_key);
  Bytes input;
  input.reserve(8 + row_key.size() + value_digest.size());
  PutString(input, table);
  PutString(input, name);
  PutBytes(input, value_digest);
  SCONE_ASSIGN_OR_RETURN(crypto::Sha256Digest mac, term_key_->Mac(input));
  Term term{};
  for (size_t i = 0; i < mac.size(); ++i) {
    term[i / 8] |= static_cast<uint64_t>(mac[i]) << (8 * (i % 8));
  }
  return term;
}

void ContentSum::Add(const Term& term) {
  uint64_t carry = 0;
  for (size_t i = 0; i < sum_.size(); ++i) {
    uint64_t a = sum_[i] + term[i];
    uint64_t c1 = a < term[i] ? 1 : 0;
    sum_[i] = a + carry;
    carry = c1 + (sum_[i] < carry ? 1 : 0);  // at most one of the two carries is 1
  }
  ++count_;
}

void ContentSum::Remove(const Term& term) {
  uint64_t borrow = 0;
  for (size_t i = 0; i < sum_.size(); ++i) {
    uint64_t a = sum_[i] - term[i];
    uint64_t b1 = sum_[i] < term[i] ? 1 : 0;
    uint64_t b2 = a < borrow ? 1 : 0;
    sum_[i] = a - borrow;
    borrow = b1 + b2;  // at most one of the two borrows is 1
  }
  --count_;
}

Status ContentSum::Add(std::string_view row_key, const crypto::Sha256Digest& value_digest) {
  SCONE_ASSIGN_OR_RETURN(Term term, TermOf(row_key, value_digest));
  Add(term);
  return Status::Ok();
}

Status ContentSum::Remove(std::string_view row_key, const crypto::Sha256Digest& value_digest) {
  SCONE_ASSIGN_OR_RETURN(Term term, TermOf(row_key, value_digest));
  Remove(term);
  return Status::Ok();
}

Bytes ContentSum::Encode() const {
  Bytes out;
  out.reserve(kEncodedSize);
  out.push_back(kVersion);
  PutU64(out, count_);
  for (uint64_t limb : sum_) PutU64(out, limb);
  return out;
}

Result<ByteArray<kKeyIdSize>> KeyId(const SecretBytes& key) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes id, crypto::HkdfSha256(key, AsBytes(kKeyIdSalt),
                                                            AsBytes(kKeyIdInfo), kKeyIdSize));
  ByteArray<kKeyIdSize> out{};
  for (size_t i = 0; i < kKeyIdSize; ++i) out[i] = id.Reveal()[i];
  return out;
}

Result<Bytes> MakeKeyCheck(const SecretBytes& key) {
  SCONE_ASSIGN_OR_RETURN(auto id, KeyId(key));
  SCONE_ASSIGN_OR_RETURN(Bytes sealed,
                         crypto::AesGcmSeal(key, AsBytes(kKeyCheckPlaintext),
                                            RecordAad(RecordKind::kMeta, "", kKeyCheckName)));
  Bytes out(id.begin(), id.end());
  PutBytes(out, sealed);
  return out;
}

KeyCheck CheckKeyCheck(const SecretBytes& key, ByteView record) {
  auto id = KeyId(key);
  if (!id.ok() || record.size() < kKeyIdSize) return KeyCheck::kDamaged;
  if (!ConstantTimeEquals(record.first(kKeyIdSize), *id)) return KeyCheck::kOtherKey;
  auto opened = crypto::AesGcmOpen(key, record.subspan(kKeyIdSize),
                                   RecordAad(RecordKind::kMeta, "", kKeyCheckName));
  if (!opened.ok() || AsChars(opened->Reveal()) != kKeyCheckPlaintext) return KeyCheck::kDamaged;
  return KeyCheck::kMatches;
}

}  // namespace scone::store
