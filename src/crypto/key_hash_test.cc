#include "crypto/key_hash.h"

#include <gtest/gtest.h>

#include "common/base58.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::crypto {
namespace {

// The key hashes printed in the seed document (scone-cli.txt).
const char* const kSeedHashes[] = {
    "3s1pm8W6Be6cxvAQRbRP5YXd9YuERAr7KswN97uGtoPkRW87x1",
    "4USPZDGq2FjrE2wh7FEErbrirCFZcu8nR7YaSjH3NjfJtEAfCc",
    "42ku6fcMt8fzj8br84Xg1ZmForSJDTuj6wt1pURRcYpVzJiCSL",
};

TEST(KeyHash, SeedExamplesDecodeWithVersionOne) {
  for (const char* h : kSeedHashes) {
    auto raw = Base58CheckDecode(h);
    ASSERT_TRUE(raw.ok()) << h << ": " << raw.status().ToString();
    EXPECT_EQ(raw->version, 1) << h;
    EXPECT_EQ(raw->payload.size(), 32u) << h;
    EXPECT_TRUE(DecodeKeyHash(h).ok()) << h;
  }
}

TEST(KeyHash, RejectsChangedCharacter) {
  std::string h = kSeedHashes[0];
  h[10] = h[10] == 'a' ? 'b' : 'a';
  EXPECT_EQ(DecodeKeyHash(h).status().code(), Code::kInvalidArgument);
}

TEST(KeyHash, RejectsOtherVersionAndLength) {
  Bytes digest(32, 7);
  EXPECT_EQ(DecodeKeyHash(Base58CheckEncode(2, digest)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(DecodeKeyHash(Base58CheckEncode(1, Bytes(31, 7))).status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(DecodeKeyHash(Base58CheckEncode(1, digest)).ok());
}

TEST(KeyHash, CertificateAndKeyGiveTheSameHash) {
  auto key = GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  CertificateOptions opts;
  opts.common_name = "test";
  opts.not_before = 1700000000;
  opts.not_after = 1800000000;
  auto cert = CreateCertificate(key->get(), key->get(), nullptr, opts);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  auto from_cert = KeyHashOfCertificate(cert->get());
  auto from_key = KeyHashOfPublicKey(key->get());
  ASSERT_TRUE(from_cert.ok());
  ASSERT_TRUE(from_key.ok());
  EXPECT_EQ(*from_cert, *from_key);
  // Independent recomputation from the definition.
  auto spki = PublicKeySpkiDer(key->get());
  ASSERT_TRUE(spki.ok());
  auto digest = Sha256(*spki);
  EXPECT_EQ(*from_key, Base58CheckEncode(1, digest));
  auto decoded = DecodeKeyHash(*from_key);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, digest);
  EXPECT_EQ(DecodeKeyHash(*from_key).ok(), true);
  EXPECT_GE(from_key->size(), 49u);
  EXPECT_LE(from_key->size(), 51u);
}

}  // namespace
}  // namespace scone::crypto
