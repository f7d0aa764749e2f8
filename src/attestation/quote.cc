#include "attestation/quote.h"

#include <algorithm>
#include <limits>
#include <string>

#include "common/byte_io.h"

namespace scone::attestation {

namespace {

// Bounds-checked little-endian reads whose errors name the field and the offset.
using Reader = ByteReader;

void PutU64(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t GetU64(const uint8_t* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(in[i]) << (8 * i);
  return v;
}

Status ReadReportBody(Reader& r, ReportBody& b) {
  SCONE_RETURN_IF_ERROR(r.Need("report body", kReportBodySize));
  SCONE_RETURN_IF_ERROR(r.Array("cpu_svn", b.cpu_svn));
  SCONE_RETURN_IF_ERROR(r.U32("misc_select", b.misc_select));
  SCONE_RETURN_IF_ERROR(r.Array("reserved1", b.reserved1));
  SCONE_RETURN_IF_ERROR(r.Array("attributes", b.attributes));
  SCONE_RETURN_IF_ERROR(r.Array("mr_enclave", b.mr_enclave));
  SCONE_RETURN_IF_ERROR(r.Array("reserved2", b.reserved2));
  SCONE_RETURN_IF_ERROR(r.Array("mr_signer", b.mr_signer));
  SCONE_RETURN_IF_ERROR(r.Array("reserved3", b.reserved3));
  SCONE_RETURN_IF_ERROR(r.U16("isv_prod_id", b.isv_prod_id));
  SCONE_RETURN_IF_ERROR(r.U16("isv_svn", b.isv_svn));
  SCONE_RETURN_IF_ERROR(r.Array("reserved4", b.reserved4));
  return r.Array("report_data", b.report_data);
}

void WriteReportBody(Bytes& out, const ReportBody& b) {
  PutBytes(out, b.cpu_svn);
  PutU32(out, b.misc_select);
  PutBytes(out, b.reserved1);
  PutBytes(out, b.attributes);
  PutBytes(out, b.mr_enclave);
  PutBytes(out, b.reserved2);
  PutBytes(out, b.mr_signer);
  PutBytes(out, b.reserved3);
  PutU16(out, b.isv_prod_id);
  PutU16(out, b.isv_svn);
  PutBytes(out, b.reserved4);
  PutBytes(out, b.report_data);
}

void WriteHeader(Bytes& out, const QuoteHeader& h) {
  PutU16(out, h.version);
  PutU16(out, h.attestation_key_type);
  PutU32(out, h.tee_type);
  PutU16(out, h.qe_svn);
  PutU16(out, h.pce_svn);
  PutBytes(out, h.qe_vendor_id);
  PutBytes(out, h.user_data);
}

// Fixed part of the signature data: ISV sig, attestation key, QE report, QE report sig.
constexpr size_t kSignatureDataFixed = 64 + 64 + kReportBodySize + 64;

}  // namespace

uint64_t ReportBody::attribute_flags() const { return GetU64(attributes.data()); }
uint64_t ReportBody::xfrm() const { return GetU64(attributes.data() + 8); }
void ReportBody::set_attributes(uint64_t flags, uint64_t xfrm_value) {
  PutU64(attributes.data(), flags);
  PutU64(attributes.data() + 8, xfrm_value);
}

Result<ReportBody> ParseReportBody(ByteView data) {
  if (data.size() != kReportBodySize) {
    return InvalidArgument("report body: must be " + std::to_string(kReportBodySize) +
                           " bytes, got " + std::to_string(data.size()));
  }
  Reader r("report body", data);
  ReportBody body;
  SCONE_RETURN_IF_ERROR(ReadReportBody(r, body));
  SCONE_RETURN_IF_ERROR(r.End());
  return body;
}

Bytes SerializeReportBody(const ReportBody& body) {
  Bytes out;
  out.reserve(kReportBodySize);
  WriteReportBody(out, body);
  return out;
}

Result<Quote> ParseQuote(ByteView data) {
  Reader r("quote", data);
  Quote q;
  QuoteHeader& h = q.header;
  SCONE_RETURN_IF_ERROR(r.U16("version", h.version));
  if (h.version != kQuoteVersion3) {
    return r.Error("version " + std::to_string(h.version) + " is not supported (only 3)", 0);
  }
  SCONE_RETURN_IF_ERROR(r.U16("attestation key type", h.attestation_key_type));
  if (h.attestation_key_type != kAttestationKeyTypeEcdsaP256) {
    return r.Error("attestation key type " + std::to_string(h.attestation_key_type) +
                       " is not supported (only 2 = ECDSA-P256)",
                   2);
  }
  SCONE_RETURN_IF_ERROR(r.U32("TEE type", h.tee_type));
  if (h.tee_type != kTeeTypeSgx) {
    return r.Error("TEE type " + std::to_string(h.tee_type) + " is not SGX (0)", 4);
  }
  SCONE_RETURN_IF_ERROR(r.U16("QE SVN", h.qe_svn));
  SCONE_RETURN_IF_ERROR(r.U16("PCE SVN", h.pce_svn));
  SCONE_RETURN_IF_ERROR(r.Array("QE vendor id", h.qe_vendor_id));
  SCONE_RETURN_IF_ERROR(r.Array("user data", h.user_data));
  SCONE_RETURN_IF_ERROR(ReadReportBody(r, q.report));

  uint32_t sig_len = 0;
  const size_t sig_len_at = r.offset();
  SCONE_RETURN_IF_ERROR(r.U32("signature data length", sig_len));
  if (sig_len != r.left()) {
    return r.Error("signature data length " + std::to_string(sig_len) + " does not match the " +
                       std::to_string(r.left()) + " bytes that follow",
                   sig_len_at);
  }
  SCONE_RETURN_IF_ERROR(r.Array("ISV signature", q.isv_signature));
  SCONE_RETURN_IF_ERROR(r.Array("attestation key", q.attestation_key));
  SCONE_RETURN_IF_ERROR(ReadReportBody(r, q.qe_report));
  SCONE_RETURN_IF_ERROR(r.Array("QE report signature", q.qe_report_signature));

  uint16_t auth_len = 0;
  const size_t auth_len_at = r.offset();
  SCONE_RETURN_IF_ERROR(r.U16("QE auth data length", auth_len));
  if (auth_len > r.left()) {
    return r.Error("QE auth data length " + std::to_string(auth_len) + " exceeds the " +
                       std::to_string(r.left()) + " bytes left",
                   auth_len_at);
  }
  ByteView auth;
  SCONE_RETURN_IF_ERROR(r.Span("QE auth data", auth_len, auth));
  q.qe_auth_data.assign(auth.begin(), auth.end());

  const size_t type_at = r.offset();
  SCONE_RETURN_IF_ERROR(r.U16("certification data type", q.certification_data_type));
  if (q.certification_data_type != kCertificationDataPckChain) {
    return r.Error("certification data type " + std::to_string(q.certification_data_type) +
                       " is not supported (only 5 = PEM PCK certificate chain)",
                   type_at);
  }
  uint32_t cert_len = 0;
  const size_t cert_len_at = r.offset();
  SCONE_RETURN_IF_ERROR(r.U32("certification data length", cert_len));
  if (cert_len != r.left()) {
    return r.Error("certification data length " + std::to_string(cert_len) +
                       " does not match the " + std::to_string(r.left()) + " bytes left",
                   cert_len_at);
  }
  ByteView cert;
  SCONE_RETURN_IF_ERROR(r.Span("certification data", cert_len, cert));
  q.certification_data.assign(cert.begin(), cert.end());
  SCONE_RETURN_IF_ERROR(r.End());
  return q;
}

Bytes SerializeQuoteSignedPart(const Quote& quote) {
  Bytes out;
  out.reserve(kQuoteSignedSize);
  WriteHeader(out, quote.header);
  WriteReportBody(out, quote.report);
  return out;
}

Result<Bytes> SerializeQuote(const Quote& q) {
  if (q.header.version != kQuoteVersion3 ||
      q.header.attestation_key_type != kAttestationKeyTypeEcdsaP256 ||
      q.header.tee_type != kTeeTypeSgx) {
    return InvalidArgument("quote: only version 3 ECDSA-P256 SGX quotes can be serialized");
  }
  if (q.certification_data_type != kCertificationDataPckChain) {
    return InvalidArgument("quote: only certification data type 5 can be serialized");
  }
  if (q.qe_auth_data.size() > std::numeric_limits<uint16_t>::max()) {
    return InvalidArgument("quote: QE auth data of " + std::to_string(q.qe_auth_data.size()) +
                           " bytes exceeds 65535");
  }
  const size_t sig_len =
      kSignatureDataFixed + 2 + q.qe_auth_data.size() + 2 + 4 + q.certification_data.size();
  if (sig_len > std::numeric_limits<uint32_t>::max()) {
    return InvalidArgument("quote: certification data too large");
  }
  Bytes out = SerializeQuoteSignedPart(q);
  out.reserve(kQuoteSignedSize + 4 + sig_len);
  PutU32(out, static_cast<uint32_t>(sig_len));
  PutBytes(out, q.isv_signature);
  PutBytes(out, q.attestation_key);
  WriteReportBody(out, q.qe_report);
  PutBytes(out, q.qe_report_signature);
  PutU16(out, static_cast<uint16_t>(q.qe_auth_data.size()));
  out.insert(out.end(), q.qe_auth_data.begin(), q.qe_auth_data.end());
  PutU16(out, q.certification_data_type);
  PutU32(out, static_cast<uint32_t>(q.certification_data.size()));
  out.insert(out.end(), q.certification_data.begin(), q.certification_data.end());
  return out;
}

std::string_view PckChainPem(const Quote& quote) {
  std::string_view pem = AsChars(quote.certification_data);
  while (!pem.empty() && pem.back() == '\0') pem.remove_suffix(1);
  return pem;
}

}  // namespace scone::attestation
