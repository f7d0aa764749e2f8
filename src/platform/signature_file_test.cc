#include "platform/signature_file.h"

#include <gtest/gtest.h>

#include "crypto/keys.h"

namespace scone::platform {
namespace {

ByteArray<32> SomeMrEnclave() {
  ByteArray<32> m{};
  m.fill(0x42);
  return m;
}

TEST(SignatureFile, RoundTripsAndVerifies) {
  auto key = crypto::GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  auto f = SignEnclave(key->get(), SomeMrEnclave(), {.isvprodid = 3, .isvsvn = 9});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->attributes_flags & kAttrDebug);
  Bytes bytes = SerializeSignatureFile(*f);
  auto parsed = ParseSignatureFile(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(SerializeSignatureFile(*parsed), bytes);
  EXPECT_TRUE(VerifySignatureFile(*parsed).ok());
  EXPECT_EQ(parsed->isvsvn, 9);
}

TEST(SignatureFile, RejectsTruncationAtEveryLengthAndTrailingBytes) {
  auto key = crypto::GenerateEcP256Key();
  auto f = SignEnclave(key->get(), SomeMrEnclave(), {.production = true});
  ASSERT_TRUE(f.ok());
  Bytes bytes = SerializeSignatureFile(*f);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(ParseSignatureFile(ByteView(bytes.data(), n)).status().code(), Code::kInvalidArgument)
        << n;
  }
  bytes.push_back(0);
  EXPECT_EQ(ParseSignatureFile(bytes).status().code(), Code::kInvalidArgument);
}

TEST(SignatureFile, RejectsChangedFieldsBySignature) {
  auto key = crypto::GenerateEcP256Key();
  auto f = SignEnclave(key->get(), SomeMrEnclave(), {.isvprodid = 1, .isvsvn = 1});
  ASSERT_TRUE(f.ok());
  auto g = *f;
  g.isvsvn = 2;
  EXPECT_EQ(VerifySignatureFile(g).code(), Code::kVerificationFailed);
  g = *f;
  g.attributes_flags &= ~kAttrDebug;
  EXPECT_EQ(VerifySignatureFile(g).code(), Code::kVerificationFailed);
  g = *f;
  g.mrenclave[0] ^= 1;
  EXPECT_EQ(VerifySignatureFile(g).code(), Code::kVerificationFailed);
}

TEST(SignatureFile, AcceptsRsa3072AndRefusesSmallRsa) {
  crypto::EvpPkeyPtr rsa(EVP_RSA_gen(3072));
  ASSERT_TRUE(rsa);
  auto f = SignEnclave(rsa.get(), SomeMrEnclave(), {});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(VerifySignatureFile(*f).ok());
  crypto::EvpPkeyPtr small(EVP_RSA_gen(1024));
  EXPECT_EQ(SignEnclave(small.get(), SomeMrEnclave(), {}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone::platform
