// Intel PCS QE identity (`{"enclaveIdentity":{...},"signature":"<hex r||s>"}`), version 2,
// id "QE". Parsing checks the format only; the signature, the signer chain and the validity
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

struct QeTcbLevel {
  uint16_t isv_svn = 0;  // minimum ISVSVN of the QE
  std::string tcb_date;
  TcbStatus status = TcbStatus::kUpToDate;  // UpToDate, OutOfDate or Revoked
  std::vector<std::string> advisory_ids;
};

struct QeIdentity {
  std::string id;  // "QE"
  int64_t version = 0;
  int64_t issue_date = 0;
  int64_t next_update = 0;
  int64_t tcb_evaluation_data_number = 0;
  uint32_t misc_select = 0;  // compared with the report's MISCSELECT under the mask
  uint32_t misc_select_mask = 0;
  ByteArray<16> attributes{};  // compared byte-wise with the report's attributes under the mask
  ByteArray<16> attributes_mask{};
  ByteArray<32> mr_signer{};
  uint16_t isv_prod_id = 0;
  std::vector<QeTcbLevel> levels;  // in file order, highest isvsvn first

  std::string signed_body;  // exact bytes of the "enclaveIdentity" object
  ByteArray<64> signature{};
};

// Parses a QE identity file. kInvalidArgument on malformed JSON, duplicate keys, a version
// other than 2, an id other than "QE", a missing or ill-typed field, a level status other
// than UpToDate/OutOfDate/Revoked, or no TCB level.
Result<QeIdentity> ParseQeIdentity(std::string_view json_text);

// The level with the highest isvsvn that is <= `isv_svn` (with PCS's ordering, the first
// match in file order); nullptr if none.
const QeTcbLevel* SelectQeTcbLevel(const QeIdentity& identity, uint16_t isv_svn);

}  // namespace scone::attestation
