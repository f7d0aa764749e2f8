#include "attestation/sgx_extensions.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <algorithm>
#include <string>

namespace scone::attestation {

namespace {

using crypto::OpenSslError;

struct Asn1TypeStackDeleter {
  void operator()(ASN1_SEQUENCE_ANY* s) const { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
};
using Asn1SeqPtr = std::unique_ptr<ASN1_SEQUENCE_ANY, Asn1TypeStackDeleter>;
using Asn1TypePtr = std::unique_ptr<ASN1_TYPE, crypto::OpenSslDeleter<ASN1_TYPE_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, crypto::OpenSslDeleter<ASN1_STRING_free>>;

constexpr std::string_view kPpid = ".1";
constexpr std::string_view kTcb = ".2";
constexpr std::string_view kPceId = ".3";
constexpr std::string_view kFmspc = ".4";
constexpr std::string_view kSgxType = ".5";

Status Bad(const std::string& what) {
  return InvalidArgument("PCK certificate SGX extension: " + what);
}

Result<Asn1SeqPtr> DecodeSequence(ByteView der, const std::string& what) {
  const unsigned char* p = der.data();
  Asn1SeqPtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(der.size())));  // NOLINT
  if (!seq) {
    crypto::ClearOpenSslErrors();
    return Bad(what + " is not a DER SEQUENCE");
  }
  if (p != der.data() + der.size()) return Bad("trailing bytes after " + what);
  return seq;
}

ByteView StringBytes(const ASN1_STRING* s) {
  return {ASN1_STRING_get0_data(s), static_cast<size_t>(ASN1_STRING_length(s))};
}

// Splits a SEQUENCE { OBJECT IDENTIFIER, value } entry into the OID text and the value.
Result<std::pair<std::string, const ASN1_TYPE*>> Entry(const ASN1_TYPE* item,
                                                       const std::string& where,
                                                       Asn1SeqPtr& holder) {
  if (item == nullptr || item->type != V_ASN1_SEQUENCE) {
    return Bad(where + ": an entry is not a SEQUENCE");
  }
  SCONE_ASSIGN_OR_RETURN(holder, DecodeSequence(StringBytes(item->value.sequence), where));
  if (sk_ASN1_TYPE_num(holder.get()) != 2) {
    return Bad(where + ": an entry does not have exactly 2 elements");
  }
  const ASN1_TYPE* oid = sk_ASN1_TYPE_value(holder.get(), 0);
  if (oid->type != V_ASN1_OBJECT) return Bad(where + ": an entry does not start with an OID");
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof(buf), oid->value.object, 1);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return Bad(where + ": malformed OID");
  return std::make_pair(std::string(buf, static_cast<size_t>(n)),
                        static_cast<const ASN1_TYPE*>(sk_ASN1_TYPE_value(holder.get(), 1)));
}

template <size_t N>
Status OctetString(const ASN1_TYPE* v, std::string_view name, ByteArray<N>& out) {
  if (v->type != V_ASN1_OCTET_STRING) return Bad(std::string(name) + " is not an OCTET STRING");
  ByteView b = StringBytes(v->value.octet_string);
  if (b.size() != N) {
    return Bad(std::string(name) + " has " + std::to_string(b.size()) + " bytes, expected " +
               std::to_string(N));
  }
  std::copy(b.begin(), b.end(), out.begin());
  return Status::Ok();
}

Result<int64_t> Integer(const ASN1_TYPE* v, std::string_view name, int64_t max, int type) {
  if (v->type != type) return Bad(std::string(name) + " has the wrong ASN.1 type");
  int64_t x = 0;
  const ASN1_STRING* s = v->value.integer;  // integer and enumerated share the representation
  int ok =
      type == V_ASN1_ENUMERATED ? ASN1_ENUMERATED_get_int64(&x, s) : ASN1_INTEGER_get_int64(&x, s);
  if (ok != 1 || x < 0 || x > max) {
    crypto::ClearOpenSslErrors();
    return Bad(std::string(name) + " is out of range 0.." + std::to_string(max));
  }
  return x;
}

Status ParseTcb(const ASN1_TYPE* v, PckExtensions& out) {
  if (v->type != V_ASN1_SEQUENCE) return Bad("TCB is not a SEQUENCE");
  SCONE_ASSIGN_OR_RETURN(Asn1SeqPtr seq, DecodeSequence(StringBytes(v->value.sequence), "TCB"));
  const std::string prefix = std::string(kSgxExtensionOid) + ".2.";
  uint32_t seen = 0;  // bit i-1 for component i (1..18)
  for (int i = 0; i < sk_ASN1_TYPE_num(seq.get()); ++i) {
    Asn1SeqPtr holder;
    SCONE_ASSIGN_OR_RETURN(auto entry, Entry(sk_ASN1_TYPE_value(seq.get(), i), "TCB", holder));
    const auto& [oid, value] = entry;
    if (oid.rfind(prefix, 0) != 0) continue;  // not ours: ignore
    std::string_view rest = std::string_view(oid).substr(prefix.size());
    int index = 0;
    if (rest.empty() || rest.size() > 2) continue;
    for (char c : rest) {
      if (c < '0' || c > '9') return Bad("malformed TCB OID " + oid);
      index = index * 10 + (c - '0');
    }
    if (index < 1 || index > 18) continue;
    const uint32_t bit = 1u << (index - 1);
    if ((seen & bit) != 0) return Bad("TCB field " + oid + " appears twice");
    seen |= bit;
    if (index <= 16) {
      SCONE_ASSIGN_OR_RETURN(int64_t svn, Integer(value, "TCB component " + std::to_string(index),
                                                  255, V_ASN1_INTEGER));
      out.tcb_components[static_cast<size_t>(index - 1)] = static_cast<uint8_t>(svn);
    } else if (index == 17) {
      SCONE_ASSIGN_OR_RETURN(int64_t svn, Integer(value, "PCESVN", 65535, V_ASN1_INTEGER));
      out.pce_svn = static_cast<uint16_t>(svn);
    } else {
      SCONE_RETURN_IF_ERROR(OctetString(value, "CPUSVN", out.cpu_svn));
    }
  }
  if (seen != (1u << 18) - 1) return Bad("TCB lacks some of its 18 fields");
  return Status::Ok();
}

// ---- encoding ----

Status Push(ASN1_SEQUENCE_ANY* seq, Asn1TypePtr item) {
  if (!item || sk_ASN1_TYPE_push(seq, item.get()) <= 0) return OpenSslError("sk_ASN1_TYPE_push");
  item.release();  // owned by the stack now
  return Status::Ok();
}

Result<Asn1TypePtr> OidType(const std::string& oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), 1);
  Asn1TypePtr t(ASN1_TYPE_new());
  if (obj == nullptr || !t) {
    ASN1_OBJECT_free(obj);
    return OpenSslError("OBJ_txt2obj");
  }
  ASN1_TYPE_set(t.get(), V_ASN1_OBJECT, obj);
  return t;
}

Result<Asn1TypePtr> IntType(int64_t v, int type) {
  Asn1TypePtr t(ASN1_TYPE_new());
  ASN1_STRING* s = type == V_ASN1_ENUMERATED ? ASN1_ENUMERATED_new() : ASN1_INTEGER_new();
  if (!t || s == nullptr ||
      (type == V_ASN1_ENUMERATED ? ASN1_ENUMERATED_set_int64(s, v)
                                 : ASN1_INTEGER_set_int64(s, v)) != 1) {
    ASN1_STRING_free(s);
    return OpenSslError("encoding an INTEGER");
  }
  ASN1_TYPE_set(t.get(), type, s);
  return t;
}

Result<Asn1TypePtr> OctetType(ByteView b) {
  Asn1TypePtr t(ASN1_TYPE_new());
  ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
  if (!t || s == nullptr || ASN1_OCTET_STRING_set(s, b.data(), static_cast<int>(b.size())) != 1) {
    ASN1_OCTET_STRING_free(s);
    return OpenSslError("encoding an OCTET STRING");
  }
  ASN1_TYPE_set(t.get(), V_ASN1_OCTET_STRING, s);
  return t;
}

Result<Bytes> EncodeSeq(ASN1_SEQUENCE_ANY* seq) {
  unsigned char* der = nullptr;
  int len = i2d_ASN1_SEQUENCE_ANY(seq, &der);
  if (len <= 0) return OpenSslError("i2d_ASN1_SEQUENCE_ANY");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<Asn1TypePtr> SeqType(ASN1_SEQUENCE_ANY* seq) {
  SCONE_ASSIGN_OR_RETURN(Bytes der, EncodeSeq(seq));
  Asn1StringPtr s(ASN1_STRING_type_new(V_ASN1_SEQUENCE));
  Asn1TypePtr t(ASN1_TYPE_new());
  if (!s || !t || ASN1_STRING_set(s.get(), der.data(), static_cast<int>(der.size())) != 1) {
    return OpenSslError("encoding a SEQUENCE");
  }
  ASN1_TYPE_set(t.get(), V_ASN1_SEQUENCE, s.release());
  return t;
}

// SEQUENCE { OID, value }
Result<Asn1TypePtr> Pair(const std::string& oid, Asn1TypePtr value) {
  Asn1SeqPtr seq(sk_ASN1_TYPE_new_null());
  if (!seq) return OpenSslError("sk_ASN1_TYPE_new_null");
  SCONE_ASSIGN_OR_RETURN(Asn1TypePtr o, OidType(oid));
  SCONE_RETURN_IF_ERROR(Push(seq.get(), std::move(o)));
  SCONE_RETURN_IF_ERROR(Push(seq.get(), std::move(value)));
  return SeqType(seq.get());
}

}  // namespace

Result<PckExtensions> ParsePckExtensionsDer(ByteView der) {
  SCONE_ASSIGN_OR_RETURN(Asn1SeqPtr top, DecodeSequence(der, "the extension value"));
  PckExtensions out;
  uint32_t seen = 0;
  const std::string base(kSgxExtensionOid);
  for (int i = 0; i < sk_ASN1_TYPE_num(top.get()); ++i) {
    Asn1SeqPtr holder;
    SCONE_ASSIGN_OR_RETURN(auto entry,
                           Entry(sk_ASN1_TYPE_value(top.get(), i), "the extension", holder));
    const auto& [oid, value] = entry;
    if (oid.size() <= base.size() || oid.rfind(base, 0) != 0) continue;
    std::string_view field = std::string_view(oid).substr(base.size());
    uint32_t bit = 0;
    Status s;
    if (field == kPpid) {
      bit = 1;
      s = OctetString(value, "PPID", out.ppid);
    } else if (field == kTcb) {
      bit = 2;
      s = ParseTcb(value, out);
    } else if (field == kPceId) {
      bit = 4;
      s = OctetString(value, "PCE-ID", out.pce_id);
    } else if (field == kFmspc) {
      bit = 8;
      s = OctetString(value, "FMSPC", out.fmspc);
    } else if (field == kSgxType) {
      bit = 16;
      auto t = Integer(value, "SGX type", 2, V_ASN1_ENUMERATED);
      if (t.ok()) out.sgx_type = *t;
      s = t.status();
    } else {
      continue;  // fields we do not use
    }
    if ((seen & bit) != 0) return Bad("field " + oid + " appears twice");
    seen |= bit;
    SCONE_RETURN_IF_ERROR(s);
  }
  if ((seen & 1) == 0) return Bad("PPID (" + base + ".1) is missing");
  if ((seen & 2) == 0) return Bad("TCB (" + base + ".2) is missing");
  if ((seen & 4) == 0) return Bad("PCE-ID (" + base + ".3) is missing");
  if ((seen & 8) == 0) return Bad("FMSPC (" + base + ".4) is missing");
  if ((seen & 16) == 0) return Bad("SGX type (" + base + ".5) is missing");
  return out;
}

Result<PckExtensions> ParsePckExtensions(X509* cert) {
  crypto::Asn1ObjectPtr oid(OBJ_txt2obj(kSgxExtensionOid, 1));
  if (!oid) return OpenSslError("OBJ_txt2obj");
  int index = X509_get_ext_by_OBJ(cert, oid.get(), -1);
  if (index < 0)
    return Bad("the certificate has no SGX extension (" + std::string(kSgxExtensionOid) + ")");
  if (X509_get_ext_by_OBJ(cert, oid.get(), index) >= 0) return Bad("the extension appears twice");
  X509_EXTENSION* ext = X509_get_ext(cert, index);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  if (data == nullptr) return Bad("the extension has no value");
  return ParsePckExtensionsDer(StringBytes(data));
}

Result<Bytes> EncodePckExtensionsDer(const PckExtensions& ext) {
  const std::string base(kSgxExtensionOid);
  Asn1SeqPtr tcb(sk_ASN1_TYPE_new_null());
  Asn1SeqPtr top(sk_ASN1_TYPE_new_null());
  if (!tcb || !top) return OpenSslError("sk_ASN1_TYPE_new_null");
  for (size_t i = 0; i < 16; ++i) {
    SCONE_ASSIGN_OR_RETURN(Asn1TypePtr v, IntType(ext.tcb_components[i], V_ASN1_INTEGER));
    SCONE_ASSIGN_OR_RETURN(Asn1TypePtr p, Pair(base + ".2." + std::to_string(i + 1), std::move(v)));
    SCONE_RETURN_IF_ERROR(Push(tcb.get(), std::move(p)));
  }
  {
    SCONE_ASSIGN_OR_RETURN(Asn1TypePtr v, IntType(ext.pce_svn, V_ASN1_INTEGER));
    SCONE_ASSIGN_OR_RETURN(Asn1TypePtr p, Pair(base + ".2.17", std::move(v)));
    SCONE_RETURN_IF_ERROR(Push(tcb.get(), std::move(p)));
    SCONE_ASSIGN_OR_RETURN(Asn1TypePtr c, OctetType(ext.cpu_svn));
    SCONE_ASSIGN_OR_RETURN(Asn1TypePtr q, Pair(base + ".2.18", std::move(c)));
    SCONE_RETURN_IF_ERROR(Push(tcb.get(), std::move(q)));
  }
  SCONE_ASSIGN_OR_RETURN(Asn1TypePtr ppid, OctetType(ext.ppid));
  SCONE_ASSIGN_OR_RETURN(Asn1TypePtr tcb_type, SeqType(tcb.get()));
  SCONE_ASSIGN_OR_RETURN(Asn1TypePtr pce_id, OctetType(ext.pce_id));
  SCONE_ASSIGN_OR_RETURN(Asn1TypePtr fmspc, OctetType(ext.fmspc));
  SCONE_ASSIGN_OR_RETURN(Asn1TypePtr sgx_type, IntType(ext.sgx_type, V_ASN1_ENUMERATED));
  std::pair<const char*, Asn1TypePtr*> fields[] = {
      {".1", &ppid}, {".2", &tcb_type}, {".3", &pce_id}, {".4", &fmspc}, {".5", &sgx_type}};
  for (auto& [suffix, value] : fields) {
    SCONE_ASSIGN_OR_RETURN(Asn1TypePtr p, Pair(base + suffix, std::move(*value)));
    SCONE_RETURN_IF_ERROR(Push(top.get(), std::move(p)));
  }
  return EncodeSeq(top.get());
}

Result<crypto::X509ExtensionPtr> MakePckX509Extension(const PckExtensions& ext) {
  SCONE_ASSIGN_OR_RETURN(Bytes der, EncodePckExtensionsDer(ext));
  crypto::Asn1ObjectPtr oid(OBJ_txt2obj(kSgxExtensionOid, 1));
  Asn1StringPtr data(ASN1_OCTET_STRING_new());
  if (!oid || !data ||
      ASN1_OCTET_STRING_set(data.get(), der.data(), static_cast<int>(der.size())) != 1) {
    return OpenSslError("encoding the SGX extension");
  }
  crypto::X509ExtensionPtr x(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, data.get()));
  if (!x) return OpenSslError("X509_EXTENSION_create_by_OBJ");
  return x;
}

}  // namespace scone::attestation
