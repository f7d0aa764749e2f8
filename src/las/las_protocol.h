// The LAS API on the wire (docs/las.md; the server is las_service.h): where las is found,
// and one request and one response type per endpoint, shared by every client (`cas`,
// `scone las ...`, the benchmarks). Parsing is strict: unknown members, wrong types and
// oversized values are refused with the member's name (kInvalidArgument).
//
//   GET  /v1/collateral  -> CollateralResponse
//   POST /v1/quote       QuoteRequest -> QuoteResponse
//   POST /v1/seal-key    SealKeyRequest -> SealKeyResponse   (Unix socket only)
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "attestation/collateral.h"
#include "common/bytes.h"
#include "common/secret.h"
#include "common/status.h"
#include "net/http.h"
#include "platform/sealing.h"

namespace scone::las {

// The TCP port of las, and the environment variable that names its address for clients.
inline constexpr uint16_t kDefaultLasPort = 18766;
inline constexpr char kLasAddressEnv[] = "SCONE_LAS_ADDR";

// las's Unix socket in a platform directory: "unix:DIR/las.sock".
std::string LasSocketAddress(const std::filesystem::path& platform_dir);
// $SCONE_LAS_ADDR if set and not empty.
std::optional<std::string> LasAddressFromEnvironment();
// The endpoint of las: `given` (a flag or a configuration value) if not empty, else
// $SCONE_LAS_ADDR, else `fallback`. "HOST" alone gets kDefaultLasPort. Errors say which
// source held the bad address.
Result<net::Endpoint> ResolveLasAddress(std::string_view given, std::string_view fallback);

inline constexpr size_t kMaxReportDataSize = 64;

struct QuoteRequest {
  Bytes report_data;                   // at most 64 bytes; hex on the wire
  std::optional<std::string> program;  // TCP only: the program las measures
  bool collateral = false;             // also send the collateral

  nlohmann::json ToJson() const;
  static Result<QuoteRequest> FromJson(const nlohmann::json& json);
};

struct QuoteResponse {
  Bytes quote;
  nlohmann::json enclave = nlohmann::json::object();  // what las measured (docs/las.md)
  std::optional<attestation::Collateral> collateral;

  nlohmann::json ToJson() const;
  static Result<QuoteResponse> FromJson(const nlohmann::json& json);
};

struct CollateralResponse {
  attestation::Collateral collateral;

  nlohmann::json ToJson() const;
  static Result<CollateralResponse> FromJson(const nlohmann::json& json);
};

struct SealKeyRequest {
  platform::SealPolicy policy = platform::SealPolicy::kMrSigner;
  std::optional<uint16_t> key_isvsvn;  // default: the caller's own ISVSVN

  nlohmann::json ToJson() const;
  static Result<SealKeyRequest> FromJson(const nlohmann::json& json);
};

struct SealKeyResponse {
  SecretBytes key;  // 32 bytes; hex on the wire

  // Wipes the key's text in `json` once read.
  static Result<SealKeyResponse> FromJson(nlohmann::json& json);
};

}  // namespace scone::las
