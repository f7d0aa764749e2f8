// PEM framing, via OpenSSL's PEM reader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/secret.h"
#include "common/status.h"

namespace scone::crypto {

// One "-----BEGIN <type>-----" block. A block may hold a private key, so its DER bytes are
// kept as a secret.
struct PemBlock {
  std::string type;  // e.g. "CERTIFICATE", "PRIVATE KEY"
  SecretBytes der;
};

// All PEM blocks of `text`, in order. Text outside blocks is ignored (as OpenSSL does).
// Fails on a block whose base64 or framing is broken, and when there is no block at all.
Result<std::vector<PemBlock>> ParsePemBlocks(std::string_view text);

// PEM text for one block.
Result<std::string> EncodePem(std::string_view type, ByteView der);

}  // namespace scone::crypto
