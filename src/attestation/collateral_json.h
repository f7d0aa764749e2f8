// Collateral as one JSON object, for APIs that carry it with a quote (las, the CAS
// attestation endpoint). The signed JSON documents are kept as strings, byte for byte,
// because their signatures cover the exact bytes; CRLs are hex DER.
//
//   {"tcb_info": "<tcb_info.json text>", "tcb_info_issuer_chain": "<PEM>",
//    "qe_identity": "<qe_identity.json text>", "qe_identity_issuer_chain": "<PEM>",
//    "pck_crl": "<hex DER>", "pck_crl_issuer_chain": "<PEM>", "root_ca_crl": "<hex DER>"}
//
// The three CRL members may be absent.
#pragma once

#include <nlohmann/json.hpp>

#include "attestation/collateral.h"
#include "common/status.h"

namespace scone::attestation {

nlohmann::json CollateralToJson(const Collateral& collateral);
// kInvalidArgument naming the member that is missing or ill-typed.
Result<Collateral> CollateralFromJson(const nlohmann::json& json);

}  // namespace scone::attestation
