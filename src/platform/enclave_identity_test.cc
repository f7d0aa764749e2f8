#include "platform/enclave_identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "platform/platform_test_util.h"
#include "platform/signature_file.h"

namespace scone::platform {
namespace {

using testing::TempDir;
using testing::WriteProgram;

Status SignProgram(const std::filesystem::path& program, EVP_PKEY* key, SignOptions opts) {
  SCONE_ASSIGN_OR_RETURN(auto mrenclave, MeasureProgram(program));
  SCONE_ASSIGN_OR_RETURN(auto file, SignEnclave(key, mrenclave, opts));
  return WriteFileAtomic(SignatureFilePath(program), SerializeSignatureFile(file), 0644);
}

TEST(Measurement, IsSha256OfTheFile) {
  TempDir dir;
  auto p = WriteProgram(dir, "prog", "#!/bin/sh\necho hi\n");
  auto m = MeasureProgram(p);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, crypto::Sha256(AsBytes("#!/bin/sh\necho hi\n")));
  EXPECT_EQ(MeasureProgram(dir.path() / "missing").status().code(), Code::kNotFound);
}

TEST(Measurement, RefusesFifosAndDevicesWithoutBlocking) {
  TempDir dir;
  auto fifo = dir.path() / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(MeasureProgram(fifo).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(MeasureProgram("/dev/zero").status().code(), Code::kInvalidArgument);
  // A FIFO where the signature file should be is refused too, without blocking.
  auto p = WriteProgram(dir, "prog", "bytes");
  ASSERT_EQ(mkfifo(SignatureFilePath(p).c_str(), 0600), 0);
  EXPECT_FALSE(ReadEnclaveIdentity(p).ok());
}

TEST(EnclaveIdentity, UnsignedProgramIsDebugSignedByBuiltInKey) {
  TempDir dir;
  auto p = WriteProgram(dir, "prog", "program bytes");
  auto id = ReadEnclaveIdentity(p);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(id->debug());
  EXPECT_EQ(id->mrsigner, DebugSignerMrSigner());
  EXPECT_EQ(id->isvprodid, 0);
  EXPECT_EQ(id->isvsvn, 0);
}

TEST(EnclaveIdentity, SignedProgramHasSignerValues) {
  TempDir dir;
  auto p = WriteProgram(dir, "prog", "program bytes");
  auto key = crypto::GenerateEcP256Key();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(SignProgram(p, key->get(), {.isvprodid = 41, .isvsvn = 7, .production = true}).ok());
  auto id = ReadEnclaveIdentity(p);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_FALSE(id->debug());
  EXPECT_EQ(id->isvprodid, 41);
  EXPECT_EQ(id->isvsvn, 7);
  auto spki = crypto::PublicKeySpkiDer(key->get());
  EXPECT_EQ(id->mrsigner, crypto::Sha256(*spki));
  EXPECT_EQ(id->mrenclave, *MeasureProgram(p));
}

TEST(EnclaveIdentity, RejectsSignatureOfChangedProgram) {
  TempDir dir;
  auto p = WriteProgram(dir, "prog", "version 1");
  auto key = crypto::GenerateEcP256Key();
  ASSERT_TRUE(SignProgram(p, key->get(), {}).ok());
  WriteProgram(dir, "prog", "version 2");
  EXPECT_EQ(ReadEnclaveIdentity(p).status().code(), Code::kVerificationFailed);
}

TEST(EnclaveIdentity, RejectsTamperedSignatureFile) {
  TempDir dir;
  auto p = WriteProgram(dir, "prog", "bytes");
  auto key = crypto::GenerateEcP256Key();
  ASSERT_TRUE(SignProgram(p, key->get(), {.isvprodid = 1, .isvsvn = 1}).ok());
  auto sig = ReadFile(SignatureFilePath(p));
  ASSERT_TRUE(sig.ok());
  // Every byte of the file matters: flip each in turn.
  for (size_t i = 0; i < sig->size(); ++i) {
    std::string bad = *sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    ASSERT_TRUE(WriteFileAtomic(SignatureFilePath(p), AsBytes(bad), 0644).ok());
    auto id = ReadEnclaveIdentity(p);
    EXPECT_FALSE(id.ok()) << "byte " << i;
  }
}

}  // namespace
}  // namespace scone::platform
