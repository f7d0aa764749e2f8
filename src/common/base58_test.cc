#include "common/base58.h"

#include <gtest/gtest.h>

#include "common/hex.h"

namespace scone {
namespace {

// Known answers from the Bitcoin reference test vectors (base58_encode_decode.json).
TEST(Base58, KnownAnswers) {
  struct Case {
    const char* hex;
    const char* b58;
  };
  const Case cases[] = {
      {"", ""},
      {"61", "2g"},
      {"626262", "a3gV"},
      {"636363", "aPEr"},
      {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
      {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
      {"516b6fcd0f", "ABnLTmg"},
      {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
      {"572e4794", "3EFU7m"},
      {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
      {"10c8511e", "Rt5zm"},
      {"00000000000000000000", "1111111111"},
  };
  for (const auto& c : cases) {
    auto bytes = HexDecode(c.hex);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(Base58Encode(*bytes), c.b58) << c.hex;
    auto back = Base58Decode(c.b58);
    ASSERT_TRUE(back.ok()) << c.b58;
    EXPECT_EQ(*back, *bytes) << c.b58;
  }
}

TEST(Base58, RejectsCharactersOutsideAlphabet) {
  for (const char* bad : {"0", "O", "I", "l", "abc!", "a b"}) {
    auto r = Base58Decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  }
}

TEST(Base58Check, RoundTripsAndVerifiesChecksum) {
  Bytes payload(32, 0xab);
  std::string text = Base58CheckEncode(1, payload);
  auto decoded = Base58CheckDecode(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->version, 1);
  EXPECT_EQ(decoded->payload, payload);
}

TEST(Base58Check, RejectsEverySingleCharacterChange) {
  std::string text = Base58CheckEncode(1, Bytes(32, 0x5a));
  const std::string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  for (size_t i = 0; i < text.size(); ++i) {
    std::string changed = text;
    changed[i] = changed[i] == 'z' ? 'y' : alphabet[(alphabet.find(changed[i]) + 1) % 58];
    EXPECT_FALSE(Base58CheckDecode(changed).ok()) << "position " << i;
  }
}

TEST(Base58Check, RejectsTooShort) {
  EXPECT_EQ(Base58CheckDecode("1111").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Base58CheckDecode("").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone
