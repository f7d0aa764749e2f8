#include "cli/identity.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/file_util.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::cli {
namespace {
namespace fs = std::filesystem;

class IdentityFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scone-identity-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto a = GenerateIdentity(1760000000);
    auto b = GenerateIdentity(1760000000);
    ASSERT_TRUE(a.ok() && b.ok());
    key_ = std::string(AsChars(a->private_key_pem.Reveal()));
    cert_ = a->certificate_pem;
    other_cert_ = b->certificate_pem;
    hash_ = a->key_hash;
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<Identity> Load(const std::string& text) {
    fs::path p = dir_ / "id.pem";
    EXPECT_TRUE(WriteFileAtomic(p, AsBytes(text), 0600).ok());
    return LoadIdentityFile(p);
  }

  fs::path dir_;
  std::string key_, cert_, other_cert_, hash_;
};

TEST_F(IdentityFileTest, AcceptsKeyFollowedByCertificate) {
  auto id = Load(key_ + cert_);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->key_hash, hash_);
}

TEST_F(IdentityFileTest, RejectsWrongOrder) {
  EXPECT_EQ(Load(cert_ + key_).status().code(), Code::kInvalidArgument);
}

TEST_F(IdentityFileTest, RejectsMissingParts) {
  EXPECT_EQ(Load(key_).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Load(cert_).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Load("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LoadIdentityFile(dir_ / "missing.pem").status().code(), Code::kNotFound);
}

TEST_F(IdentityFileTest, RejectsMismatchedKeyAndCertificate) {
  EXPECT_EQ(Load(key_ + other_cert_).status().code(), Code::kInvalidArgument);
}

TEST_F(IdentityFileTest, RejectsExtraBlocks) {
  EXPECT_EQ(Load(key_ + cert_ + other_cert_).status().code(), Code::kInvalidArgument);
}

TEST_F(IdentityFileTest, RejectsEncryptedAndTraditionalKeys) {
  std::string encrypted =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED "
      "PRIVATE KEY-----\n";
  EXPECT_EQ(Load(encrypted + cert_).status().code(), Code::kInvalidArgument);
  std::string traditional = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
  EXPECT_EQ(Load(traditional + cert_).status().code(), Code::kInvalidArgument);
}

TEST_F(IdentityFileTest, RejectsCorruptBase64) {
  std::string broken = key_;
  broken[40] = '!';
  EXPECT_EQ(Load(broken + cert_).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone::cli
