#include "platform/platform.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/x509.h"

namespace scone::platform {
namespace fs = std::filesystem;
using attestation::TcbStatus;

namespace {

constexpr int kFormatVersion = 1;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kCollateralValidity = 30 * kDay;
// Certificates of the simulated PKI: valid from a day before creation for 25 years.
constexpr int64_t kCertificateValidity = int64_t{25} * 365 * kDay;

// The simulated quoting enclave. Fixed values, like Intel's QE, so that the QE identity
// stays the same across platforms.
constexpr uint16_t kQeIsvProdId = 1;
constexpr uint16_t kQeIsvSvn = 8;
constexpr uint64_t kQeAttributeFlags = 0x11;  // INIT | PROVISIONKEY
constexpr uint64_t kQeXfrm = 0xe7;
constexpr uint16_t kPceSvn = 11;
// The FMSPC of every simulated platform (a made-up family-model-stepping-platform code).
constexpr ByteArray<6> kFmspc = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
constexpr ByteArray<16> kTcbComponents = {5, 5, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

ByteArray<32> QeMeasurement(std::string_view what) {
  return crypto::Sha256(AsBytes("scone simulated quoting enclave " + std::string(what)));
}

struct KeyFile {
  const char* key;
  const char* cert;
};
constexpr KeyFile kRootFiles{"root-ca.key", "sim-root-ca.pem"};
constexpr KeyFile kPckCaFiles{"pck-ca.key", "pck-ca.pem"};
constexpr KeyFile kPckFiles{"pck.key", "pck.pem"};
constexpr KeyFile kTcbSignerFiles{"tcb-signing.key", "tcb-signing.pem"};
constexpr char kAttestationKeyFile[] = "qe-attestation.key";
constexpr char kSealingSecretFile[] = "sealing.secret";

Status WriteKey(const fs::path& dir, const char* name, EVP_PKEY* key) {
  SCONE_ASSIGN_OR_RETURN(SecretBytes pem, crypto::PrivateKeyToPkcs8Pem(key));
  return WriteFileAtomic(dir / name, pem.Reveal(), 0600);
}

Status WriteCert(const fs::path& dir, const char* name, X509* cert) {
  SCONE_ASSIGN_OR_RETURN(std::string pem, crypto::CertificateToPem(cert));
  return WriteFileAtomic(dir / name, AsBytes(pem), 0644);
}

Result<crypto::EvpPkeyPtr> ReadKey(const fs::path& dir, const char* name) {
  auto pem = ReadPrivateFile(dir / name, 64 << 10);
  if (!pem.ok()) return pem.status();
  auto key = crypto::ParsePrivateKeyPem(AsChars(pem->Reveal()));
  if (!key.ok()) return DataLoss((dir / name).string() + ": " + key.status().message());
  return key;
}

Result<crypto::X509Ptr> ReadCert(const fs::path& dir, const char* name) {
  SCONE_ASSIGN_OR_RETURN(std::string pem, ReadFile(dir / name, 64 << 10));
  auto certs = crypto::ParseCertificatesPem(pem);
  if (!certs.ok() || certs->size() != 1) {
    return DataLoss((dir / name).string() + " is not one PEM certificate");
  }
  return std::move(certs->front());
}

bool DirectoryIsEmptyOrMissing(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

attestation::TcbLevel Level(ByteArray<16> comps, uint16_t pce_svn, TcbStatus status,
                            std::vector<std::string> advisories) {
  attestation::TcbLevel l;
  l.sgx_components = comps;
  l.pce_svn = pce_svn;
  l.tcb_date = "2025-01-01T00:00:00Z";
  l.status = status;
  l.advisory_ids = std::move(advisories);
  return l;
}

// The simulated root CA (key and certificate) of the platform in `dir`, which must be a
// complete platform.
struct RootParts {
  crypto::EvpPkeyPtr key;
  crypto::X509Ptr cert;
};
Result<RootParts> ReadRoot(const fs::path& dir) {
  // Opening checks the whole platform: only a complete, consistent one lends its root.
  auto other = Platform::Open(dir);
  if (!other.ok()) return other.status().WithContext("--sim-root-from " + dir.string());
  RootParts root;
  SCONE_ASSIGN_OR_RETURN(root.key, ReadKey(dir, kRootFiles.key));
  SCONE_ASSIGN_OR_RETURN(root.cert, ReadCert(dir, kRootFiles.cert));
  return root;
}

// Writes a new platform into `dir` (an empty or new folder), under `root` if given.
Status CreateInto(const fs::path& dir, TcbStatus state, const RootParts* root, int64_t now) {
  attestation::SimulatedPkiOptions o;
  if (root != nullptr) {
    o.root_key = root->key.get();
    o.root = root->cert.get();
  }
  o.not_before = now - kDay;
  o.not_after = now + kCertificateValidity;
  o.organization = "SCONE simulated SGX";
  SCONE_ASSIGN_OR_RETURN(Bytes ppid, crypto::RandomBytes(16));
  std::copy(ppid.begin(), ppid.end(), o.pck.ppid.begin());
  o.pck.tcb_components = kTcbComponents;
  o.pck.pce_svn = kPceSvn;
  o.pck.cpu_svn = kTcbComponents;
  o.pck.pce_id = {0, 0};
  o.pck.fmspc = kFmspc;
  o.pck.sgx_type = 1;
  SCONE_ASSIGN_OR_RETURN(auto pki, attestation::SimulatedPki::Generate(o));
  SCONE_ASSIGN_OR_RETURN(SecretBytes sealing, crypto::RandomSecret(kPlatformSealingSecretSize));

  SCONE_RETURN_IF_ERROR(WriteKey(dir, kRootFiles.key, pki->root_key()));
  SCONE_RETURN_IF_ERROR(WriteKey(dir, kPckCaFiles.key, pki->pck_ca_key()));
  SCONE_RETURN_IF_ERROR(WriteKey(dir, kPckFiles.key, pki->pck_key()));
  SCONE_RETURN_IF_ERROR(WriteKey(dir, kTcbSignerFiles.key, pki->tcb_signer_key()));
  SCONE_RETURN_IF_ERROR(WriteKey(dir, kAttestationKeyFile, pki->attestation_key()));
  SCONE_RETURN_IF_ERROR(WriteFileAtomic(dir / kSealingSecretFile, sealing.Reveal(), 0600));
  SCONE_RETURN_IF_ERROR(WriteCert(dir, kRootFiles.cert, pki->root()));
  SCONE_RETURN_IF_ERROR(WriteCert(dir, kPckCaFiles.cert, pki->pck_ca()));
  SCONE_RETURN_IF_ERROR(WriteCert(dir, kPckFiles.cert, pki->pck_cert()));
  SCONE_RETURN_IF_ERROR(WriteCert(dir, kTcbSignerFiles.cert, pki->tcb_signer()));
  nlohmann::json info = {{"version", kFormatVersion},
                         {"tcb_state", std::string(attestation::TcbStatusName(state))},
                         {"created", now}};
  // Written last: its presence marks a complete platform.
  return WriteFileAtomic(dir / kPlatformInfoFile, AsBytes(info.dump(2) + "\n"), 0644);
}

}  // namespace

Result<TcbStatus> ParseTcbState(std::string_view name) {
  auto s = attestation::ParseTcbStatus(name);
  if (!s.ok()) {
    return InvalidArgument(
        "unknown TCB state \"" + std::string(name) +
        "\"; use UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
        "ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded or Revoked");
  }
  return s;
}

std::vector<std::string> AdvisoriesForState(TcbStatus state) {
  switch (state) {
    case TcbStatus::kUpToDate:
      return {};
    case TcbStatus::kSWHardeningNeeded:
      return {"INTEL-SA-00615"};
    case TcbStatus::kConfigurationNeeded:
      return {"INTEL-SA-00289"};
    case TcbStatus::kConfigurationAndSWHardeningNeeded:
      return {"INTEL-SA-00289", "INTEL-SA-00615"};
    case TcbStatus::kOutOfDate:
    case TcbStatus::kRevoked:
      return {"INTEL-SA-00828"};
    case TcbStatus::kOutOfDateConfigurationNeeded:
      return {"INTEL-SA-00289", "INTEL-SA-00828"};
  }
  return {};
}

Result<std::unique_ptr<Platform>> Platform::OpenOrCreate(const fs::path& dir_arg,
                                                         const PlatformOptions& options,
                                                         int64_t now) {
  // "DIR/" names DIR: without this the temporary folder would be made inside it.
  const fs::path dir = dir_arg.has_filename() ? dir_arg : dir_arg.parent_path();
  std::optional<RootParts> root;
  if (options.sim_root_from.has_value()) {
    SCONE_ASSIGN_OR_RETURN(root, ReadRoot(*options.sim_root_from));
  }
  if (DirectoryIsEmptyOrMissing(dir)) {
    fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
    SCONE_RETURN_IF_ERROR(EnsureDirectory(parent, 0700));
    SCONE_ASSIGN_OR_RETURN(Bytes rnd, crypto::RandomBytes(6));
    fs::path tmp = parent / ("." + dir.filename().string() + ".creating-" + HexEncode(rnd));
    if (::mkdir(tmp.c_str(), 0700) != 0) {
      return IoError("cannot create " + tmp.string() + ": " + ErrnoText(errno));
    }
    Status created = CreateInto(tmp, options.tcb_state.value_or(TcbStatus::kUpToDate),
                                root.has_value() ? &*root : nullptr, now);
    std::error_code ec;
    if (created.ok()) {
      // An empty target folder is replaced; a concurrent creator that won the race leaves a
      // non-empty one, which we then open instead.
      if (fs::exists(dir, ec) && fs::is_empty(dir, ec)) fs::remove(dir, ec);
      if (::rename(tmp.c_str(), dir.c_str()) != 0) {
        int err = errno;
        fs::remove_all(tmp, ec);
        if (err != ENOTEMPTY && err != EEXIST) {
          return IoError("cannot move the new platform to " + dir.string() + ": " + ErrnoText(err));
        }
      }
    } else {
      fs::remove_all(tmp, ec);
      return created;
    }
  }
  SCONE_ASSIGN_OR_RETURN(auto platform, Open(dir));
  if (options.tcb_state && *options.tcb_state != platform->tcb_state()) {
    return FailedPrecondition("the platform in " + dir.string() + " was created with TCB state " +
                              std::string(attestation::TcbStatusName(platform->tcb_state())) +
                              ", not " +
                              std::string(attestation::TcbStatusName(*options.tcb_state)) +
                              "; a platform's TCB state is fixed: use another platform directory");
  }
  if (root.has_value()) {
    SCONE_ASSIGN_OR_RETURN(std::string root_pem, crypto::CertificateToPem(root->cert.get()));
    if (root_pem != platform->sim_root_pem()) {
      return FailedPrecondition("the platform in " + dir.string() +
                                " has another simulated root than " +
                                options.sim_root_from->string() +
                                "; a platform's root is fixed: use another platform directory");
    }
  }
  return platform;
}

Result<std::unique_ptr<Platform>> Platform::Open(const fs::path& dir) {
  auto info_text = ReadFile(dir / kPlatformInfoFile, 64 << 10);
  if (!info_text.ok()) {
    if (info_text.status().code() == Code::kNotFound) {
      return NotFound("no simulated platform in " + dir.string() + " (" + kPlatformInfoFile +
                      " is missing)");
    }
    return info_text.status();
  }
  std::unique_ptr<Platform> p(new Platform());
  p->dir_ = dir;
  try {
    auto info = nlohmann::json::parse(*info_text);
    if (info.at("version").get<int>() != kFormatVersion) {
      return FailedPrecondition(dir.string() + ": unsupported platform format version");
    }
    auto state = ParseTcbState(info.at("tcb_state").get<std::string>());
    if (!state.ok()) return DataLoss(dir.string() + ": " + state.status().message());
    p->tcb_state_ = *state;
  } catch (const nlohmann::json::exception& e) {
    return DataLoss((dir / kPlatformInfoFile).string() + " is damaged: " + e.what());
  }

  attestation::SimulatedPkiParts parts;
  SCONE_ASSIGN_OR_RETURN(parts.root_key, ReadKey(dir, kRootFiles.key));
  SCONE_ASSIGN_OR_RETURN(parts.pck_ca_key, ReadKey(dir, kPckCaFiles.key));
  SCONE_ASSIGN_OR_RETURN(parts.pck_key, ReadKey(dir, kPckFiles.key));
  SCONE_ASSIGN_OR_RETURN(parts.tcb_signer_key, ReadKey(dir, kTcbSignerFiles.key));
  SCONE_ASSIGN_OR_RETURN(parts.attestation_key, ReadKey(dir, kAttestationKeyFile));
  SCONE_ASSIGN_OR_RETURN(parts.root, ReadCert(dir, kRootFiles.cert));
  SCONE_ASSIGN_OR_RETURN(parts.pck_ca, ReadCert(dir, kPckCaFiles.cert));
  SCONE_ASSIGN_OR_RETURN(parts.pck, ReadCert(dir, kPckFiles.cert));
  SCONE_ASSIGN_OR_RETURN(parts.tcb_signer, ReadCert(dir, kTcbSignerFiles.cert));
  auto pki = attestation::SimulatedPki::FromParts(std::move(parts));
  if (!pki.ok()) return DataLoss(dir.string() + ": " + pki.status().message());
  p->pki_ = std::move(pki).value();
  auto ext = attestation::ParsePckExtensions(p->pki_->pck_cert());
  if (!ext.ok()) return DataLoss(dir.string() + ": " + ext.status().message());
  p->pck_values_ = *ext;
  SCONE_ASSIGN_OR_RETURN(p->sim_root_pem_, p->pki_->RootPem());
  SCONE_RETURN_IF_ERROR(p->MakeQuoteTemplate());

  SCONE_ASSIGN_OR_RETURN(p->sealing_secret_, ReadPrivateFile(dir / kSealingSecretFile, 64));
  if (p->sealing_secret_.size() != kPlatformSealingSecretSize) {
    return DataLoss((dir / kSealingSecretFile).string() + " has the wrong size");
  }
  return p;
}

attestation::TcbInfo Platform::MakeTcbInfo(int64_t now) const {
  attestation::TcbInfo t;
  t.version = 3;
  t.id = "SGX";
  t.issue_date = now - kHour;
  t.next_update = now + kCollateralValidity;
  t.fmspc = pck_values_.fmspc;
  t.pce_id = pck_values_.pce_id;
  t.tcb_type = 0;
  t.tcb_evaluation_data_number = 17;
  ByteArray<16> newer = pck_values_.tcb_components;
  for (auto& c : newer) c = static_cast<uint8_t>(c == 255 ? 255 : c + 1);
  if (tcb_state_ != TcbStatus::kUpToDate) {
    // A newer, better level that this platform does not reach, as on real machines whose
    // microcode or configuration lags.
    t.levels.push_back(
        Level(newer, static_cast<uint16_t>(pck_values_.pce_svn + 1), TcbStatus::kUpToDate, {}));
  }
  t.levels.push_back(Level(pck_values_.tcb_components, pck_values_.pce_svn, tcb_state_,
                           AdvisoriesForState(tcb_state_)));
  ByteArray<16> older{};
  t.levels.push_back(Level(older, 0, TcbStatus::kOutOfDate, {"INTEL-SA-00828"}));
  return t;
}

attestation::QeIdentity Platform::MakeQeIdentity(int64_t now) const {
  attestation::QeIdentity q;
  q.id = "QE";
  q.version = 2;
  q.issue_date = now - kHour;
  q.next_update = now + kCollateralValidity;
  q.tcb_evaluation_data_number = 17;
  q.misc_select = 0;
  q.misc_select_mask = 0xffffffff;
  q.attributes = {static_cast<uint8_t>(kQeAttributeFlags)};
  q.attributes_mask = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  q.mr_signer = QeMeasurement("signer");
  q.isv_prod_id = kQeIsvProdId;
  attestation::QeTcbLevel up{kQeIsvSvn, "2025-01-01T00:00:00Z", TcbStatus::kUpToDate, {}};
  attestation::QeTcbLevel old{0, "2020-01-01T00:00:00Z", TcbStatus::kOutOfDate, {"INTEL-SA-00615"}};
  q.levels = {up, old};
  return q;
}

Result<attestation::Collateral> Platform::CollateralAt(int64_t now) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!collateral_ || now < collateral_made_at_ || now - collateral_made_at_ > kDay) {
    SCONE_ASSIGN_OR_RETURN(auto c, pki_->MakeCollateral(MakeTcbInfo(now), MakeQeIdentity(now),
                                                        now - kHour, now + kCollateralValidity));
    collateral_ = std::move(c);
    collateral_made_at_ = now;
  }
  return *collateral_;
}

Result<Bytes> Platform::Quote(const EnclaveIdentity& enclave, ByteView report_data) const {
  if (report_data.size() > 64) {
    return InvalidArgument("report data has " + std::to_string(report_data.size()) +
                           " bytes; at most 64 are allowed");
  }
  attestation::Quote quote = quote_template_;
  attestation::ReportBody& report = quote.report;
  report.cpu_svn = pck_values_.cpu_svn;
  report.misc_select = enclave.miscselect;
  report.set_attributes(enclave.attributes_flags, enclave.attributes_xfrm);
  report.mr_enclave = enclave.mrenclave;
  report.mr_signer = enclave.mrsigner;
  report.isv_prod_id = enclave.isvprodid;
  report.isv_svn = enclave.isvsvn;
  std::copy(report_data.begin(), report_data.end(), report.report_data.begin());
  SCONE_ASSIGN_OR_RETURN(quote.isv_signature,
                         crypto::SignEcdsaP256Raw(pki_->attestation_key(),
                                                  attestation::SerializeQuoteSignedPart(quote)));
  return attestation::SerializeQuote(quote);
}

Status Platform::MakeQuoteTemplate() {
  attestation::QuoteHeader header;
  header.qe_vendor_id = attestation::kIntelQeVendorId;
  header.qe_svn = kQeIsvSvn;
  header.pce_svn = pck_values_.pce_svn;

  attestation::ReportBody qe;
  qe.cpu_svn = pck_values_.cpu_svn;
  qe.set_attributes(kQeAttributeFlags, kQeXfrm);
  qe.mr_enclave = QeMeasurement("enclave");
  qe.mr_signer = QeMeasurement("signer");
  qe.isv_prod_id = kQeIsvProdId;
  qe.isv_svn = kQeIsvSvn;

  Bytes auth_data(32);
  for (size_t i = 0; i < auth_data.size(); ++i) auth_data[i] = static_cast<uint8_t>(i);
  SCONE_ASSIGN_OR_RETURN(quote_template_,
                         pki_->MakeQuote(header, attestation::ReportBody{}, qe, auth_data));
  return Status::Ok();
}

Result<SecretBytes> Platform::SealKey(SealPolicy policy, const EnclaveIdentity& enclave,
                                      uint16_t key_isvsvn) const {
  return DeriveSealKey(sealing_secret_, policy, enclave, key_isvsvn);
}

Result<Bytes> Platform::Seal(SealPolicy policy, const EnclaveIdentity& enclave,
                             ByteView data) const {
  return platform::Seal(sealing_secret_, policy, enclave, data);
}

Result<SecretBytes> Platform::Unseal(const EnclaveIdentity& enclave, ByteView sealed) const {
  return platform::Unseal(sealing_secret_, enclave, sealed);
}

std::filesystem::path DefaultPlatformDir() {
  if (const char* env = std::getenv("SCONE_PLATFORM_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  if (::geteuid() == 0) return "/var/lib/scone/platform";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".scone/platform";
}

}  // namespace scone::platform
