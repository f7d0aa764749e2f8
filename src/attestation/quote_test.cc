#include "attestation/quote.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/file_util.h"

namespace scone::attestation {
namespace {

const std::filesystem::path kVectors = std::filesystem::path(SCONE_TESTDATA_DIR) / "vectors";

Bytes ReadQuote(const char* name) {
  auto q = ReadFile(kVectors / name);
  EXPECT_TRUE(q.ok());
  return ToBytes(*q);
}

Bytes DcapQvlQuote() { return ReadQuote("dcap-qvl/sgx_quote"); }

void PutU16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}
void PutU32(Bytes& b, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Offsets in the dcap-qvl quote (QE auth data is 32 bytes).
constexpr size_t kSigLenAt = 432;
constexpr size_t kAuthLenAt = 436 + 64 + 64 + 384 + 64;  // 1012
constexpr size_t kCertTypeAt = kAuthLenAt + 2 + 32;      // 1046
constexpr size_t kCertLenAt = kCertTypeAt + 2;           // 1048
constexpr size_t kCertDataAt = kCertLenAt + 4;           // 1052

TEST(Quote, ParsesRealQuotesAndSerializesThemByteExact) {
  for (const char* name :
       {"dcap-qvl/sgx_quote", "automata-v3/quote.bin", "automata-tcbinfo-v2/quote.bin"}) {
    Bytes raw = ReadQuote(name);
    auto q = ParseQuote(raw);
    ASSERT_TRUE(q.ok()) << name << ": " << q.status().ToString();
    EXPECT_EQ(q->header.version, 3);
    EXPECT_EQ(q->header.attestation_key_type, 2);
    EXPECT_EQ(q->header.qe_vendor_id, kIntelQeVendorId);
    EXPECT_EQ(q->qe_auth_data.size(), 32u);
    EXPECT_EQ(q->certification_data.back(), 0);  // Intel's QE NUL-terminates the PEM
    EXPECT_EQ(PckChainPem(*q).back(), '\n');
    auto again = SerializeQuote(*q);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, raw) << name;
    EXPECT_EQ(SerializeQuoteSignedPart(*q), Bytes(raw.begin(), raw.begin() + 432));
  }
}

TEST(Quote, DcapQvlFields) {
  auto q = ParseQuote(DcapQvlQuote());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->header.pce_svn, 15);
  EXPECT_EQ(q->qe_report.isv_svn, 10);
  EXPECT_EQ(q->qe_report.isv_prod_id, 1);
  EXPECT_EQ(q->report.isv_svn, 0);
  EXPECT_FALSE(q->report.debug());
  EXPECT_EQ(q->certification_data.size(), 4600u - kCertDataAt);
}

TEST(Quote, EveryTruncationFails) {
  Bytes raw = DcapQvlQuote();
  for (size_t n = 0; n < raw.size(); ++n) {
    auto q = ParseQuote(ByteView(raw).first(n));
    ASSERT_FALSE(q.ok()) << "truncated to " << n;
    ASSERT_EQ(q.status().code(), Code::kInvalidArgument);
  }
}

TEST(Quote, TruncationAtSectionBoundariesNamesTheSection) {
  Bytes raw = DcapQvlQuote();
  struct Case {
    size_t at;
    const char* field;
  };
  for (const Case& c :
       {Case{0, "version"}, Case{48, "report body"}, Case{432, "signature data length"},
        Case{436, "signature data length"}, Case{500, "signature data length"},
        Case{kAuthLenAt, "signature data"}, Case{kCertDataAt, "signature data"}}) {
    auto q = ParseQuote(ByteView(raw).first(c.at));
    ASSERT_FALSE(q.ok());
    EXPECT_NE(q.status().message().find(c.field), std::string::npos) << q.status().message();
  }
}

TEST(Quote, TrailingByteFails) {
  Bytes raw = DcapQvlQuote();
  raw.push_back(0);
  auto q = ParseQuote(raw);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), Code::kInvalidArgument);
}

TEST(Quote, RejectsWrongHeaderFields) {
  Bytes raw = DcapQvlQuote();
  for (auto [at, value] : {std::pair<size_t, uint16_t>{0, 4}, {0, 2}, {2, 3}, {4, 0x81}}) {
    Bytes bad = raw;
    PutU16(bad, at, value);
    auto q = ParseQuote(bad);
    ASSERT_FALSE(q.ok()) << at;
    EXPECT_EQ(q.status().code(), Code::kInvalidArgument);
    EXPECT_NE(q.status().message().find("offset " + std::to_string(at)), std::string::npos)
        << q.status().message();
  }
}

TEST(Quote, RejectsLengthsThatDoNotAddUp) {
  Bytes raw = DcapQvlQuote();
  const uint32_t sig_len = static_cast<uint32_t>(raw.size() - 436);
  for (uint32_t v : {sig_len - 1, sig_len + 1, uint32_t{0}, uint32_t{0xffffffff}}) {
    Bytes bad = raw;
    PutU32(bad, kSigLenAt, v);
    EXPECT_FALSE(ParseQuote(bad).ok());
  }
  {
    Bytes bad = raw;
    PutU16(bad, kAuthLenAt, 0xffff);
    auto q = ParseQuote(bad);
    ASSERT_FALSE(q.ok());
    EXPECT_NE(q.status().message().find("QE auth data length 65535 exceeds the 3586 bytes left "
                                        "at offset 1012"),
              std::string::npos)
        << q.status().message();
  }
  for (uint16_t v : {uint16_t{31}, uint16_t{33}}) {
    Bytes bad = raw;
    PutU16(bad, kAuthLenAt, v);
    EXPECT_FALSE(ParseQuote(bad).ok());
  }
  const uint32_t cert_len = static_cast<uint32_t>(raw.size() - kCertDataAt);
  for (uint32_t v : {cert_len - 1, cert_len + 1}) {
    Bytes bad = raw;
    PutU32(bad, kCertLenAt, v);
    EXPECT_FALSE(ParseQuote(bad).ok());
  }
}

TEST(Quote, RejectsCertificationDataTypesOtherThanPckChain) {
  Bytes raw = DcapQvlQuote();
  for (int type : {1, 2, 3, 4, 6, 7}) {
    Bytes bad = raw;
    PutU16(bad, kCertTypeAt, static_cast<uint16_t>(type));
    auto q = ParseQuote(bad);
    ASSERT_FALSE(q.ok());
    EXPECT_NE(q.status().message().find("certification data type " + std::to_string(type)),
              std::string::npos);
  }
}

TEST(Quote, SerializeRefusesWhatCannotBeParsed) {
  auto q = ParseQuote(DcapQvlQuote());
  ASSERT_TRUE(q.ok());
  Quote bad = *q;
  bad.qe_auth_data.resize(70000);
  EXPECT_FALSE(SerializeQuote(bad).ok());
  bad = *q;
  bad.certification_data_type = 4;
  EXPECT_FALSE(SerializeQuote(bad).ok());
  bad = *q;
  bad.header.version = 4;
  EXPECT_FALSE(SerializeQuote(bad).ok());
}

TEST(ReportBody, RoundTripsAndRejectsOtherSizes) {
  Bytes raw = DcapQvlQuote();
  ByteView body = ByteView(raw).subspan(48, kReportBodySize);
  auto r = ParseReportBody(body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(SerializeReportBody(*r), Bytes(body.begin(), body.end()));
  EXPECT_FALSE(ParseReportBody(body.first(383)).ok());
  Bytes longer(body.begin(), body.end());
  longer.push_back(0);
  EXPECT_FALSE(ParseReportBody(longer).ok());
}

TEST(ReportBody, AttributesAccessors) {
  ReportBody b;
  b.set_attributes(kAttributeInit | kAttributeDebug | kAttributeMode64Bit, 0xe7);
  EXPECT_TRUE(b.debug());
  EXPECT_EQ(b.attribute_flags(), 7u);
  EXPECT_EQ(b.xfrm(), 0xe7u);
  EXPECT_EQ(b.attributes[0], 7);
  EXPECT_EQ(b.attributes[8], 0xe7);
  auto parsed = ParseReportBody(SerializeReportBody(b));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->debug());
}

}  // namespace
}  // namespace scone::attestation
