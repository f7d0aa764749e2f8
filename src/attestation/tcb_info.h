// Intel PCS TCB info (`{"tcbInfo":{...},"signature":"<hex r||s>"}`), versions 2 and 3, for
// SGX. Parsing checks the format only; the signature, the signer chain and the validity
// window are checked by the verifier (verifier.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/tcb_status.h"
#include "common/bytes.h"
#include "common/status.h"

namespace scone::attestation {

struct TcbLevel {
  ByteArray<16> sgx_components{};  // minimum SVN of each SGX TCB component
  uint16_t pce_svn = 0;            // minimum PCESVN
  std::string tcb_date;            // as in the JSON (RFC 3339)
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;  // empty in v2
};

struct TcbInfo {
  int64_t version = 0;  // 2 or 3
  std::string id;       // "SGX" in v3; empty in v2
  int64_t issue_date = 0;
  int64_t next_update = 0;
  ByteArray<6> fmspc{};
  ByteArray<2> pce_id{};
  int64_t tcb_type = 0;
  int64_t tcb_evaluation_data_number = 0;
  std::vector<TcbLevel> levels;  // in file order (Intel sorts them best first)

  std::string signed_body;    // exact bytes of the "tcbInfo" object the signature covers
  ByteArray<64> signature{};  // r||s by the TCB signing key
};

// Parses a TCB info file. kInvalidArgument on malformed JSON, duplicate keys, a version
// other than 2/3, an id other than "SGX", a tcbType other than 0, a missing or ill-typed
// field, an unknown tcbStatus or no TCB level.
Result<TcbInfo> ParseTcbInfo(std::string_view json_text);

// The level Intel's QVL selects: the highest level (by component SVNs, then PCESVN) whose
// every component SVN and PCESVN are <= the platform's. With PCS's ordering (highest
// first) that is the first match in file order. nullptr if none matches.
const TcbLevel* SelectTcbLevel(const TcbInfo& info, const ByteArray<16>& components,
                               uint16_t pce_svn);

}  // namespace scone::attestation
