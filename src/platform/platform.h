// A simulated SGX machine kept in a platform directory (DESIGN.md §5, docs/platform.md).
//
// The directory holds a simulated SGX root CA, PCK CA and PCK certificate (with the SGX
// extension: FMSPC, PCE-ID, TCB component SVNs, PCESVN), the QE attestation key, a TCB
// signing certificate, and the platform's sealing secret (the simulated CPU fuse key).
// Its TCB state is chosen at creation and decides the TCB info that the platform's
// collateral carries, so that every status (and every relaxation flag) can be tested.
// Two directories are two machines: different PCK keys, QE keys and sealing secrets, and
// different roots unless one was created under the other's (PlatformOptions::sim_root_from).
//
// Private keys and the sealing secret are files of mode 0600 in a folder of mode 0700.
// Only `las` (the simulated quoting enclave and CPU) should open a platform directory.
//
// Thread safety: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "attestation/collateral.h"
#include "attestation/qe_identity.h"
#include "attestation/simulated_pki.h"
#include "attestation/tcb_info.h"
#include "attestation/tcb_status.h"
#include "common/secret.h"
#include "common/status.h"
#include "platform/enclave_identity.h"
#include "platform/sealing.h"

namespace scone::platform {

struct PlatformOptions {
  // The TCB status quotes of this platform verify with (Revoked included). Used when the
  // platform is created (default UpToDate); for an existing platform, a value that differs
  // from its state is an error, since a machine's TCB cannot be changed by a flag.
  std::optional<attestation::TcbStatus> tcb_state;
  // Another platform directory whose simulated root CA certifies this platform (`las
  // --sim-root-from DIR`), as Intel's one root certifies every real machine: the new
  // platform copies that root's certificate and key and makes its own PCK CA, PCK key,
  // TCB signing key, QE attestation key and sealing secret. Used when the platform is
  // created; for an existing platform, a root other than that directory's is an error.
  std::optional<std::filesystem::path> sim_root_from;
};

// File names inside the platform directory.
inline constexpr char kSimRootCaFile[] = "sim-root-ca.pem";
inline constexpr char kPlatformInfoFile[] = "platform.json";

class Platform {
 public:
  // Opens the platform in `dir`, creating it with `options` at time `now` if the directory
  // does not exist or is empty. Creation is atomic (built in a temporary folder and renamed),
  // so a crash or a concurrent start never leaves a half-made platform. An existing
  // platform keeps its TCB state; kFailedPrecondition if `options` asks for another one.
  static Result<std::unique_ptr<Platform>> OpenOrCreate(const std::filesystem::path& dir,
                                                        const PlatformOptions& options,
                                                        int64_t now);

  // Opens an existing platform; kNotFound if there is none, kDataLoss if a file is damaged
  // or keys do not match their certificates, kPermissionDenied if a private file is
  // accessible by others.
  static Result<std::unique_ptr<Platform>> Open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  attestation::TcbStatus tcb_state() const { return tcb_state_; }
  // The simulated root CA certificate (PEM): trusting it is a testing decision.
  const std::string& sim_root_pem() const { return sim_root_pem_; }
  const attestation::PckExtensions& pck_values() const { return pck_values_; }

  // A serialized quote v3 for `enclave` with `report_data` (at most 64 bytes, zero-padded),
  // signed by the QE attestation key and certified by the PCK chain.
  Result<Bytes> Quote(const EnclaveIdentity& enclave, ByteView report_data) const;

  // The collateral for this platform's quotes, valid from one hour before `now` for 30
  // days; re-signed when the cached one is more than a day old.
  Result<attestation::Collateral> CollateralAt(int64_t now) const;

  // The simulated EGETKEY: the seal key of `enclave` under `policy` at `key_isvsvn`.
  Result<SecretBytes> SealKey(SealPolicy policy, const EnclaveIdentity& enclave,
                              uint16_t key_isvsvn) const;
  // Seals and unseals with this platform's keys (sealing.h).
  Result<Bytes> Seal(SealPolicy policy, const EnclaveIdentity& enclave, ByteView data) const;
  Result<SecretBytes> Unseal(const EnclaveIdentity& enclave, ByteView sealed) const;

  // The TCB info and QE identity this platform publishes (unsigned), for tests and docs.
  attestation::TcbInfo MakeTcbInfo(int64_t now) const;
  attestation::QeIdentity MakeQeIdentity(int64_t now) const;

 private:
  Platform() = default;
  Status MakeQuoteTemplate();

  std::filesystem::path dir_;
  attestation::TcbStatus tcb_state_ = attestation::TcbStatus::kUpToDate;
  std::unique_ptr<attestation::SimulatedPki> pki_;
  attestation::PckExtensions pck_values_;
  SecretBytes sealing_secret_;
  std::string sim_root_pem_;

  // The QE part of every quote (QE report, its PCK signature, auth data, PCK chain) does
  // not depend on the enclave, so it is made once; a quote then costs one ECDSA signature.
  attestation::Quote quote_template_;

  mutable std::mutex mu_;
  mutable int64_t collateral_made_at_ = 0;
  mutable std::optional<attestation::Collateral> collateral_;
};

// Where las keeps its platform directory unless told otherwise: $SCONE_PLATFORM_DIR, else
// /var/lib/scone/platform for root, else ~/.scone/platform.
std::filesystem::path DefaultPlatformDir();

// TCB state names as accepted on the command line: Intel's spelling ("UpToDate",
// "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
// "OutOfDate", "OutOfDateConfigurationNeeded", "Revoked").
Result<attestation::TcbStatus> ParseTcbState(std::string_view name);

// The advisory IDs a platform in `state` reports (docs/platform.md).
std::vector<std::string> AdvisoriesForState(attestation::TcbStatus state);

}  // namespace scone::platform
