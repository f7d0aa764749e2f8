#include "crypto/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto/openssl_util.h"

namespace scone::crypto {

Result<std::vector<PemBlock>> ParsePemBlocks(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty input, no PEM block found");
  SCONE_ASSIGN_OR_RETURN(BioPtr bio, MemBioOver(AsBytes(text)));
  std::vector<PemBlock> blocks;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;  // NOLINT(google-runtime-int): OpenSSL's type
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      unsigned long err = ERR_peek_last_error();  // NOLINT(google-runtime-int)
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ClearOpenSslErrors();  // the normal end: no further block
        break;
      }
      return OpenSslError("malformed PEM block " + std::to_string(blocks.size() + 1),
                          Code::kInvalidArgument);
    }
    PemBlock block;
    block.type = name;
    block.der = SecretBytes::CopyFrom(ByteView(data, static_cast<size_t>(len)));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_clear_free(data, static_cast<size_t>(len));
    blocks.push_back(std::move(block));
  }
  if (blocks.empty()) return InvalidArgument("no PEM block found (expected -----BEGIN ...-----)");
  return blocks;
}

Result<std::string> EncodePem(std::string_view type, ByteView der) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpenSslError("BIO_new");
  std::string name(type);
  if (PEM_write_bio(bio.get(), name.c_str(), "", der.data(), static_cast<long>(der.size())) <=
      0) {  // NOLINT(google-runtime-int)
    return OpenSslError("PEM_write_bio");
  }
  return BioContents(bio.get());
}

}  // namespace scone::crypto
