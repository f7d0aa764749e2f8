// What `scone-run` reads from its environment (docs/runtime.md, "Loader"), parsed once at
// start so that a mistake is reported before anything runs.
//
//   SCONE_HASH=1            print the program's MRENCLAVE and exit ("0" or empty: off)
//   SCONE_CONFIG_ID=NAME    attest to CAS and run with the configuration of the service NAME
//                           ("session/service", namespaces allowed: "ns/session/service")
//   SCONE_CAS_ADDR=HOST[:PORT]  CAS's enclave API (default port 18765); needed with
//                           SCONE_CONFIG_ID
//   SCONE_CAS_KEY_HASH=HASH pin CAS's key (checked by the CAS client)
//   SCONE_LAS_ADDR=unix:PATH  las's Unix socket (default: the default platform directory's)
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "net/http.h"

namespace scone::runtime {

inline constexpr char kHashEnv[] = "SCONE_HASH";
inline constexpr char kConfigIdEnv[] = "SCONE_CONFIG_ID";
inline constexpr char kCasAddressEnv[] = "SCONE_CAS_ADDR";
inline constexpr char kCasKeyHashEnv[] = "SCONE_CAS_KEY_HASH";

struct RuntimeEnvironment {
  bool print_hash = false;
  std::optional<std::string> config_id;
  std::optional<net::Endpoint> cas;  // set whenever config_id is
  std::optional<std::string> cas_key_hash;
  net::Endpoint las;
};

// Reads the variables through `getenv` (a variable that is set but empty counts as unset).
// kInvalidArgument naming the variable, its value's problem and what to write instead:
// SCONE_HASH other than 0/1, a malformed SCONE_CONFIG_ID, SCONE_CONFIG_ID without
// SCONE_CAS_ADDR, an address that does not parse, SCONE_LAS_ADDR over TCP.
Result<RuntimeEnvironment> ReadRuntimeEnvironment(
    const std::function<const char*(const char*)>& getenv);

}  // namespace scone::runtime
