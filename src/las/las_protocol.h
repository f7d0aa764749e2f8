// The LAS API on the wire (docs/las.md; the server is las_service.h): where las is found,
// and one request and one response type per endpoint, shared by every client (`cas`,
// `scone las ...`, the benchmarks). Parsing is strict: unknown members, wrong types and
// oversized values are refused with the member's name (kInvalidArgument).
//
//   GET  /v1/collateral  -> CollateralResponse
//   POST /v1/quote       QuoteRequest -> QuoteResponse
//   POST /v1/program-quote  ProgramQuoteRequest -> QuoteResponse  (Unix socket; the runtime only)
//   POST /v1/seal-key    SealKeyRequest -> SealKeyResponse   (Unix socket only; sensitive)
//   GET  /v1/sim-root-ca -> the simulated root CA certificate (PEM, not JSON)
//
// The server (las_service.cc) and the client (las_client.cc) both build and read bodies only
// through these types; nothing else writes or parses las JSON.
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
#include "platform/enclave_identity.h"
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

// The paths of the API.
inline constexpr char kCollateralPath[] = "/v1/collateral";
inline constexpr char kQuotePath[] = "/v1/quote";
inline constexpr char kProgramQuotePath[] = "/v1/program-quote";
inline constexpr char kSealKeyPath[] = "/v1/seal-key";
inline constexpr char kSimRootCaPath[] = "/v1/sim-root-ca";

// Parses a request or answer body as one JSON object and reads it with T::FromJson
// (kInvalidArgument: "the body is not a JSON object", or T's refusal).
Result<nlohmann::json> ParseObject(std::string_view body);
template <typename T>
Result<T> ParseBody(std::string_view body) {
  SCONE_ASSIGN_OR_RETURN(nlohmann::json json, ParseObject(body));
  return T::FromJson(json);
}

inline constexpr size_t kMaxReportDataSize = 64;

struct QuoteRequest {
  Bytes report_data;                   // at most 64 bytes; hex on the wire
  std::optional<std::string> program;  // TCP only: the program las measures
  bool collateral = false;             // also send the collateral

  nlohmann::json ToJson() const;
  static Result<QuoteRequest> FromJson(const nlohmann::json& json);
};

// A quote for a program the caller passes (docs/las.md, "Quotes for a passed program"):
// the caller names descriptors of its own, which las opens through the caller's /proc
// directory. Only the runtime las trusts (`scone-run`) is served.
struct ProgramQuoteRequest {
  Bytes report_data;                // at most 64 bytes; hex on the wire
  int program_fd = -1;              // the caller's descriptor of the program (open to read)
  std::optional<int> signature_fd;  // the caller's descriptor of PROGRAM.sig, if it has one
  bool collateral = false;          // also send the collateral

  nlohmann::json ToJson() const;
  static Result<ProgramQuoteRequest> FromJson(const nlohmann::json& json);
};

struct QuoteResponse {
  Bytes quote;
  nlohmann::json enclave = nlohmann::json::object();  // what las measured (docs/las.md)
  std::optional<attestation::Collateral> collateral;

  // What `enclave` holds for a measured identity: mrenclave, mrsigner (hex), isvprodid,
  // isvsvn, debug.
  static nlohmann::json DescribeEnclave(const platform::EnclaveIdentity& id);

  nlohmann::json ToJson() const;
  // ToJson's text, without running the (long) hex quote through the JSON serializer: a
  // fifth of the cost of a quote went there.
  std::string ToBody() const;
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

inline constexpr size_t kSealKeySize = 32;

struct SealKeyResponse {
  SecretBytes key;  // kSealKeySize bytes; hex on the wire

  // The answer {"key": hex}, marked sensitive: its text is wiped when freed (net/http.h).
  net::HttpResponse ToHttpResponse() const;
  // Wipes the key's text in `json` once read.
  static Result<SealKeyResponse> FromJson(nlohmann::json& json);
};

}  // namespace scone::las
