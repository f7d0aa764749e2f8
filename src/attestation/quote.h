// Intel SGX DCAP ECDSA-P256 quote v3 and the SGX report body: byte-exact parsing and
// serialization.
//
// Layout (all integers little-endian):
//   header        48 bytes  version=3, attestation key type=2 (ECDSA-P256), TEE type=0 (SGX),
//                           QE SVN, PCE SVN, QE vendor id, user data
//   report body  384 bytes  the ISV enclave's report (ReportBody)
//   sig data len   4 bytes  length of everything that follows; must be exactly the rest
//   ISV signature 64 bytes  ECDSA r||s over bytes [0, 432) by the attestation key
//   attest. key   64 bytes  P-256 X||Y
//   QE report    384 bytes  the quoting enclave's report (ReportBody)
//   QE report sig 64 bytes  ECDSA r||s over the QE report by the PCK key
//   QE auth data   2+n      length-prefixed
//   cert data      2+4+n    type (must be 5 = PEM PCK chain), length, data
//
// Parsing is strict: every length must add up, nothing may trail, and every failure is a
// kInvalidArgument Status that names the field and its offset. Parsing checks the format
// only; signatures and certificates are the verifier's business (verifier.h).
//
// The structs are plain values: fill them and call Serialize* to build a quote (the
// simulated platform does). Serialize(Parse(b)) == b for every b that parses.
#pragma once

#include <cstdint>
#include <string>

#include "common/bytes.h"
#include "common/status.h"

namespace scone::attestation {

inline constexpr size_t kQuoteHeaderSize = 48;
inline constexpr size_t kReportBodySize = 384;
// The ISV signature covers header + report body.
inline constexpr size_t kQuoteSignedSize = kQuoteHeaderSize + kReportBodySize;  // 432
inline constexpr uint16_t kQuoteVersion3 = 3;
inline constexpr uint16_t kAttestationKeyTypeEcdsaP256 = 2;
inline constexpr uint32_t kTeeTypeSgx = 0;
inline constexpr uint16_t kCertificationDataPckChain = 5;
// Attributes flag bits (SGX SDM "SECS.ATTRIBUTES").
inline constexpr uint64_t kAttributeInit = 0x1;
inline constexpr uint64_t kAttributeDebug = 0x2;
inline constexpr uint64_t kAttributeMode64Bit = 0x4;

// The 384-byte SGX REPORT body (SGX SDM, "REPORTBODY"). Reserved fields are kept so that
// serialization is byte-exact.
struct ReportBody {
  ByteArray<16> cpu_svn{};
  uint32_t misc_select = 0;
  ByteArray<28> reserved1{};
  // Attributes as 16 bytes: flags (u64 LE) then xfrm (u64 LE).
  ByteArray<16> attributes{};
  ByteArray<32> mr_enclave{};
  ByteArray<32> reserved2{};
  ByteArray<32> mr_signer{};
  ByteArray<96> reserved3{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  ByteArray<60> reserved4{};
  ByteArray<64> report_data{};

  uint64_t attribute_flags() const;
  uint64_t xfrm() const;
  bool debug() const { return (attribute_flags() & kAttributeDebug) != 0; }
  void set_attributes(uint64_t flags, uint64_t xfrm);
};

// Parses exactly 384 bytes; any other size is an error.
Result<ReportBody> ParseReportBody(ByteView data);
Bytes SerializeReportBody(const ReportBody& body);

struct QuoteHeader {
  uint16_t version = kQuoteVersion3;
  uint16_t attestation_key_type = kAttestationKeyTypeEcdsaP256;
  uint32_t tee_type = kTeeTypeSgx;
  uint16_t qe_svn = 0;
  uint16_t pce_svn = 0;
  ByteArray<16> qe_vendor_id{};
  ByteArray<20> user_data{};
};

// The Intel QE's vendor id, 939a7233-f79c-4ca9-940a-0db3957f0607.
inline constexpr ByteArray<16> kIntelQeVendorId = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                                   0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

struct Quote {
  QuoteHeader header;
  ReportBody report;
  ByteArray<64> isv_signature{};    // r||s over bytes [0, 432)
  ByteArray<64> attestation_key{};  // X||Y
  ReportBody qe_report;
  ByteArray<64> qe_report_signature{};  // r||s over the serialized QE report, by the PCK key
  Bytes qe_auth_data;                   // at most 65535 bytes
  uint16_t certification_data_type = kCertificationDataPckChain;
  // The PEM PCK chain (leaf first); Intel's QE appends a NUL byte, which is kept as is.
  Bytes certification_data;
};

// Parses a complete v3 quote. See the file comment for what is checked.
Result<Quote> ParseQuote(ByteView data);

// Serializes a quote. Fails (kInvalidArgument) only if a variable-length field is too
// long for its length prefix or the type/version fields are not the ones this codec
// supports, so that everything it produces also parses.
Result<Bytes> SerializeQuote(const Quote& quote);

// Header + report body: the bytes the ISV signature covers.
Bytes SerializeQuoteSignedPart(const Quote& quote);

// The PCK chain PEM text of the certification data without a trailing NUL.
std::string_view PckChainPem(const Quote& quote);

}  // namespace scone::attestation
