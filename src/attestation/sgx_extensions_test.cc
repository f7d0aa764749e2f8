#include "attestation/sgx_extensions.h"

#include <gtest/gtest.h>

#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/x509.h"

namespace scone::attestation {
namespace {

crypto::X509Ptr PckOf(const char* quote_file) {
  auto q = ReadFile(std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors" / quote_file);
  EXPECT_TRUE(q.ok());
  // The PEM chain starts at offset 1052 in these quotes (32-byte QE auth data).
  auto certs = crypto::ParseCertificatesPem(std::string_view(*q).substr(1052));
  EXPECT_TRUE(certs.ok());
  return std::move(certs->front());
}

TEST(SgxExtensions, ParsesIntelPckCertificates) {
  auto ext = ParsePckExtensions(PckOf("dcap-qvl/sgx_quote").get());
  ASSERT_TRUE(ext.ok()) << ext.status().ToString();
  EXPECT_EQ(HexEncode(ext->fmspc), "00a067110000");
  EXPECT_EQ(HexEncode(ext->pce_id), "0000");
  EXPECT_EQ(HexEncode(ext->tcb_components), "0b0b0202ff0100000000000000000000");
  EXPECT_EQ(ext->pce_svn, 13);

  auto v2 = ParsePckExtensions(PckOf("automata-tcbinfo-v2/quote.bin").get());
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->sgx_type, 1);  // Scalable (Platform CA)
  EXPECT_EQ(HexEncode(v2->fmspc), "00606a000000");
}

TEST(SgxExtensions, EncodesAndParsesBack) {
  PckExtensions e;
  e.ppid.fill(7);
  for (size_t i = 0; i < 16; ++i) e.tcb_components[i] = static_cast<uint8_t>(i * 16);
  e.tcb_components[15] = 255;
  e.pce_svn = 65535;
  e.cpu_svn.fill(0xee);
  e.pce_id = {1, 2};
  e.fmspc = {1, 2, 3, 4, 5, 6};
  e.sgx_type = 2;
  auto der = EncodePckExtensionsDer(e);
  ASSERT_TRUE(der.ok());
  auto back = ParsePckExtensionsDer(*der);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ppid, e.ppid);
  EXPECT_EQ(back->tcb_components, e.tcb_components);
  EXPECT_EQ(back->pce_svn, e.pce_svn);
  EXPECT_EQ(back->cpu_svn, e.cpu_svn);
  EXPECT_EQ(back->pce_id, e.pce_id);
  EXPECT_EQ(back->fmspc, e.fmspc);
  EXPECT_EQ(back->sgx_type, 2);
}

TEST(SgxExtensions, RejectsMalformedDer) {
  PckExtensions e;
  auto der = EncodePckExtensionsDer(e);
  ASSERT_TRUE(der.ok());
  for (size_t n = 0; n < der->size(); ++n) {
    EXPECT_FALSE(ParsePckExtensionsDer(ByteView(*der).first(n)).ok()) << n;
  }
  Bytes trailing = *der;
  trailing.push_back(0);
  EXPECT_FALSE(ParsePckExtensionsDer(trailing).ok());
  EXPECT_FALSE(ParsePckExtensionsDer(Bytes{0x30, 0x00}).ok());  // empty: fields missing
}

TEST(SgxExtensions, CertificateWithoutTheExtensionIsAnError) {
  auto cert =
      ReadFile(std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors/dcap-qvl/TrustedRootCA.der");
  ASSERT_TRUE(cert.ok());
  auto x = crypto::ParseCertificateDer(AsBytes(*cert));
  ASSERT_TRUE(x.ok());
  auto ext = ParsePckExtensions(x->get());
  ASSERT_FALSE(ext.ok());
  EXPECT_EQ(ext.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace scone::attestation
