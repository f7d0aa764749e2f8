#include "common/base58.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <string>

namespace scone {
namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::array<uint8_t, 4> Checksum(ByteView data) {
  std::array<uint8_t, SHA256_DIGEST_LENGTH> first{};
  std::array<uint8_t, SHA256_DIGEST_LENGTH> second{};
  SHA256(data.data(), data.size(), first.data());
  SHA256(first.data(), first.size(), second.data());
  return {second[0], second[1], second[2], second[3]};
}

}  // namespace

// Both directions are the schoolbook base conversion; inputs are short (key hashes are
// 37 bytes), so the quadratic cost does not matter.
std::string Base58Encode(ByteView data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // log(256)/log(58) < 1.37
  std::vector<uint8_t> digits((data.size() - zeros) * 137 / 100 + 1, 0);
  size_t length = 0;
  for (size_t i = zeros; i < data.size(); ++i) {
    unsigned carry = data[i];
    size_t j = 0;
    for (auto it = digits.rbegin(); (carry != 0 || j < length) && it != digits.rend(); ++it, ++j) {
      carry += 256U * *it;
      *it = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    length = j;
  }
  auto it = digits.begin() + static_cast<std::ptrdiff_t>(digits.size() - length);
  while (it != digits.end() && *it == 0) ++it;
  std::string out(zeros, '1');
  for (; it != digits.end(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

Result<Bytes> Base58Decode(std::string_view text) {
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  // log(58)/log(256) < 0.733
  std::vector<uint8_t> bytes((text.size() - zeros) * 733 / 1000 + 1, 0);
  size_t length = 0;
  for (size_t i = zeros; i < text.size(); ++i) {
    size_t pos = kAlphabet.find(text[i]);
    if (pos == std::string_view::npos) {
      return InvalidArgument("character " + std::to_string(i + 1) +
                             " is not in the Base58 alphabet");
    }
    unsigned carry = static_cast<unsigned>(pos);
    size_t j = 0;
    for (auto it = bytes.rbegin(); (carry != 0 || j < length) && it != bytes.rend(); ++it, ++j) {
      carry += 58U * *it;
      *it = static_cast<uint8_t>(carry % 256);
      carry /= 256;
    }
    length = j;
  }
  auto it = bytes.end() - static_cast<std::ptrdiff_t>(length);
  while (it != bytes.end() && *it == 0) ++it;
  Bytes out(zeros, 0);
  out.insert(out.end(), it, bytes.end());
  return out;
}

std::string Base58CheckEncode(uint8_t version, ByteView payload) {
  Bytes data;
  data.reserve(payload.size() + 5);
  data.push_back(version);
  data.insert(data.end(), payload.begin(), payload.end());
  auto sum = Checksum(data);
  data.insert(data.end(), sum.begin(), sum.end());
  return Base58Encode(data);
}

Result<Base58CheckValue> Base58CheckDecode(std::string_view text) {
  SCONE_ASSIGN_OR_RETURN(Bytes raw, Base58Decode(text));
  if (raw.size() < 5) {
    return InvalidArgument("Base58Check value is too short (" + std::to_string(raw.size()) +
                           " bytes decoded, at least 5 needed)");
  }
  ByteView body(raw.data(), raw.size() - 4);
  auto sum = Checksum(body);
  if (!std::equal(sum.begin(), sum.end(), raw.end() - 4)) {
    return InvalidArgument("Base58Check checksum does not match (a character is wrong)");
  }
  Base58CheckValue v;
  v.version = raw[0];
  v.payload.assign(raw.begin() + 1, raw.end() - 4);
  return v;
}

}  // namespace scone
