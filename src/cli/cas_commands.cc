// `scone cas ...`: establish and keep trust in CAS instances (the seed's "CAS Trust
// Management" .. "CAS Database Encryption Key Injection"; docs/cli.md, docs/cas.md), and
// the `scone cas session ...` group.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "attestation/timestamp.h"
#include "cas/api.h"
#include "cas/owner_config.h"
#include "cas/protocol.h"
#include "cli/cas_client.h"
#include "cli/cas_db.h"
#include "cli/commands.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/key_hash.h"

namespace scone::cli {
namespace {
using nlohmann::json;

// The options that say which CAS to trust: `scone cas attest` and
// `scone cas provision ... with-attestation` share them.
struct AttestFlags {
  std::string mrenclave;                // [MRENCLAVE]
  std::vector<std::string> mrenclaves;  // --mrenclave
  std::string mrsigner;
  std::optional<uint16_t> isvprodid;
  std::optional<uint16_t> isvsvn;
  std::string cas_key_hash;       // -c (on `provision` itself for provisioning)
  std::string software_key_hash;  // -s
  bool accept_configuration_needed = false;
  bool accept_group_out_of_date = false;
  bool accept_sw_hardening_needed = false;
  bool allow_owner_secret_access = false;
  bool allow_debug = false;
  bool ignore_signer = false;
  bool trust_any = false;
  bool allow_unprovisioned = false;
  std::string verification_time;
  std::string sim_root;
  int retries = 3;
};

enum class FlagUse { kAttest, kProvision };

// Registers [MRENCLAVE] and the policy options on `cmd`. For provisioning, -c is an option of
// `provision` itself and an unprovisioned CAS is what is expected, so those two are left out.
void AddAttestFlags(CLI::App* cmd, AttestFlags& f, Context& ctx, FlagUse use) {
  cmd->add_option("MRENCLAVE", f.mrenclave,
                  "Expected enclave measurement of the CAS (64 hex digits): attests exactly "
                  "this CAS version, old or new");
  cmd->add_option("--mrenclave", f.mrenclaves, "Another accepted MRENCLAVE (repeatable)")
      ->type_name("HEX")
      ->allow_extra_args(false);
  cmd->add_option("--mrsigner", f.mrsigner,
                  "Expect CAS software of this signer (64 hex digits; needs --isvprodid and "
                  "--isvsvn) instead of this build's release signer")
      ->type_name("HEX");
  cmd->add_option("--isvprodid", f.isvprodid, "ISVPRODID of the --mrsigner CAS")->type_name("N");
  cmd->add_option("--isvsvn", f.isvsvn,
                  "Minimum ISVSVN (security version) of the CAS; default: this build's, " +
                      std::to_string(cas::CasIsvSvn()))
      ->type_name("N");
  if (use == FlagUse::kAttest) {
    cmd->add_option("-c,--cas-key-hash", f.cas_key_hash,
                    "Expected CAS key hash: the CAS instance (from the CAS log or a trusted "
                    "party)")
        ->type_name("CAS_KEY_HASH");
  }
  cmd->add_option("-s,--cas-software-key-hash", f.software_key_hash,
                  "Expected CAS software key hash")
      ->type_name("CAS_SOFTWARE_KEY_HASH");
  cmd->add_flag("-C,--accept-configuration-needed", f.accept_configuration_needed,
                "Accept a platform whose TCB status is ConfigurationNeeded (e.g. hyperthreading)");
  cmd->add_flag("-G,--accept-group-out-of-date", f.accept_group_out_of_date,
                "Accept a platform whose TCB status is OutOfDate (older, less secure SGX)");
  cmd->add_flag("-S,--accept-sw-hardening-needed", f.accept_sw_hardening_needed,
                "Accept a platform whose TCB status is SWHardeningNeeded");
  cmd->add_flag("--allow-cas-owner-secret-access", f.allow_owner_secret_access,
                "Accept a CAS whose owner injected the database key (and can read every secret)");
  cmd->add_flag("--only_for_testing-debug", f.allow_debug,
                "TESTING ONLY: accept a CAS enclave in debug mode");
  cmd->add_flag("--only_for_testing-ignore-signer", f.ignore_signer,
                "TESTING ONLY: do not check the CAS signer (needs MRENCLAVE)");
  cmd->add_flag("--only_for_testing-trust-any", f.trust_any,
                "TESTING ONLY: accept any CAS software in debug mode");
  if (use == FlagUse::kAttest) {
    cmd->add_flag("--only_for_testing_allow-unprovisioned-cas", f.allow_unprovisioned,
                  "TESTING ONLY: accept a CAS that has no owner yet");
  }
  cmd->add_option("--verification-time", f.verification_time,
                  "Verify as of this time: Unix seconds or RFC 3339 (default: now)")
      ->type_name("TIME");
  AddSimRootOption(cmd, f.sim_root);
  cmd->add_option("--retries", f.retries,
                  "Further attempts when the CAS cannot be reached (default 3)")
      ->type_name("N")
      ->check(CLI::Range(0, 10));
  AddFormatOption(cmd, ctx);
}

Result<ByteArray<32>> Hex32(const std::string& text, const std::string& what) {
  auto bytes = HexDecode(text, 32);
  if (!bytes.ok()) return bytes.status().WithContext(what);
  ByteArray<32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// The policy the options describe, checked as a whole (cas::ValidatePolicy).
Result<cas::CasAttestPolicy> PolicyFromFlags(const AttestFlags& f) {
  cas::CasAttestPolicy p;
  if (!f.mrenclave.empty()) {
    SCONE_ASSIGN_OR_RETURN(auto m, Hex32(f.mrenclave, "MRENCLAVE " + f.mrenclave));
    p.mrenclaves.push_back(m);
  }
  for (const auto& text : f.mrenclaves) {
    SCONE_ASSIGN_OR_RETURN(auto m, Hex32(text, "--mrenclave " + text));
    p.mrenclaves.push_back(m);
  }
  if (!f.mrsigner.empty()) {
    SCONE_ASSIGN_OR_RETURN(auto m, Hex32(f.mrsigner, "--mrsigner " + f.mrsigner));
    p.mrsigner = m;
  }
  p.isvprodid = f.isvprodid;
  p.isvsvn = f.isvsvn;
  if (!f.cas_key_hash.empty()) p.cas_key_hash = f.cas_key_hash;
  if (!f.software_key_hash.empty()) p.software_key_hash = f.software_key_hash;
  p.accept_configuration_needed = f.accept_configuration_needed;
  p.accept_out_of_date = f.accept_group_out_of_date;
  p.accept_sw_hardening_needed = f.accept_sw_hardening_needed;
  p.allow_owner_secret_access = f.allow_owner_secret_access;
  p.allow_debug = f.allow_debug;
  p.ignore_signer = f.ignore_signer;
  p.trust_any = f.trust_any;
  p.allow_unprovisioned = f.allow_unprovisioned;
  SCONE_RETURN_IF_ERROR(cas::ValidatePolicy(p));
  return p;
}

Result<int64_t> VerificationTime(const Context& ctx, const AttestFlags& f) {
  if (f.verification_time.empty()) return ctx.Now();
  auto t = attestation::ParseVerificationTime(f.verification_time);
  if (!t.ok()) return t.status().WithContext("--verification-time");
  return *t;
}

CasLink MakeLink(const Context& ctx, CasAddress address, int retries) {
  return CasLink{std::move(address), ctx.https, ctx.sleep, retries};
}

// The option that gave each relaxation recorded in the evidence.
std::string RelaxationFlag(const std::string& relaxation) {
  static const std::pair<const char*, const char*> kFlags[] = {
      {"configuration-needed", "-C"},
      {"out-of-date", "-G"},
      {"sw-hardening-needed", "-S"},
      {"debug", "--only_for_testing-debug"},
      {"trust-any", "--only_for_testing-trust-any"},
      {"ignore-signer", "--only_for_testing-ignore-signer"},
      {"unprovisioned", "--only_for_testing_allow-unprovisioned-cas"},
      {"owner-secret-access", "--allow-cas-owner-secret-access"},
  };
  for (const auto& [name, flag] : kFlags) {
    if (relaxation == name) return relaxation + " (" + flag + ")";
  }
  return relaxation;
}

std::string JoinOr(const std::vector<std::string>& items, const std::string& none) {
  if (items.empty()) return none;
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", " : "") + items[i];
  return out;
}

// "CAS <ADDRESS> at <URL> is trustworthy" on standard output (or the entry as JSON), and on
// standard error what was relaxed and which advisories apply.
void ReportTrusted(Context& ctx, const CasEntry& entry, bool became_default, json extra = {}) {
  const cas::CasEvidence& e = entry.evidence;
  if (ctx.output_format() == OutputFormat::kJson) {
    json out = entry.ToJson();
    for (const auto& item : extra.items()) out[item.key()] = item.value();
    ctx.PrintJson(out);
  } else {
    ctx.out() << "CAS " << entry.address << " at " << entry.api_url << " is trustworthy\n";
  }
  if (!e.relaxations.empty()) {
    std::vector<std::string> named;
    for (const auto& r : e.relaxations) named.push_back(RelaxationFlag(r));
    ctx.err() << "note: accepted with relaxations: " << JoinOr(named, "") << "\n";
  }
  if (!e.advisory_ids.empty()) {
    ctx.err() << "note: TCB status " << attestation::TcbStatusName(e.tcb_status)
              << ", advisories: " << JoinOr(e.advisory_ids, "") << "\n";
  }
  if (became_default) ctx.err() << "note: " << entry.address << " is now the default CAS\n";
}

// Stores the entry (ConfigStore::Update: locked and atomic). Returns whether it became the
// default CAS just now.
Result<bool> StoreEntry(const Context& ctx, const CasEntry& entry) {
  SCONE_ASSIGN_OR_RETURN(ConfigStore store, ctx.Store());
  bool became_default = false;
  SCONE_RETURN_IF_ERROR(store.Update(ctx.Now(), [&](CliConfig& config) {
    bool had_default = config.default_cas.has_value();
    PutCas(config, entry);
    became_default = !had_default;
    return Status::Ok();
  }));
  return became_default;
}

Result<CliConfig> LoadState(const Context& ctx) {
  SCONE_ASSIGN_OR_RETURN(ConfigStore store, ctx.Store());
  return store.LoadOrCreate(ctx.Now());
}

Result<CasEntry> StoredCas(const Context& ctx, const std::string& name) {
  SCONE_ASSIGN_OR_RETURN(CliConfig config, LoadState(ctx));
  auto entry = FindCas(config, name);
  if (!entry.ok() && entry.status().code() == Code::kInvalidArgument) {
    SCONE_ASSIGN_OR_RETURN(ConfigStore store, ctx.Store());
    return entry.status().WithContext("the CLI state " + store.path().string() +
                                      " is damaged; attest the CAS again");
  }
  return entry;
}

// ---- attest ----------------------------------------------------------------------------

struct AttestArgs {
  std::string address;
  AttestFlags flags;
};

// What `attest` and `provision ... with-attestation` prepare before any network traffic.
struct Prepared {
  CasAddress address;
  cas::CasAttestPolicy policy;
  int64_t now = 0;
  std::unique_ptr<attestation::QuoteVerifier> verifier;
};

Result<Prepared> Prepare(const Context& ctx, const std::string& address_text,
                         const AttestFlags& flags) {
  Prepared p;
  SCONE_ASSIGN_OR_RETURN(p.address, ParseCasAddress(address_text));
  SCONE_ASSIGN_OR_RETURN(p.policy, PolicyFromFlags(flags));
  SCONE_ASSIGN_OR_RETURN(p.now, VerificationTime(ctx, flags));
  SCONE_ASSIGN_OR_RETURN(p.verifier, NewQuoteVerifier("", SimRootFile(flags.sim_root), false));
  return p;
}

Status Attest(Context& ctx, const AttestArgs& args) {
  SCONE_ASSIGN_OR_RETURN(Prepared p, Prepare(ctx, args.address, args.flags));
  CasLink link = MakeLink(ctx, p.address, args.flags.retries);
  SCONE_ASSIGN_OR_RETURN(cas::CasEvidence evidence, AttestCas(link, p.policy, *p.verifier, p.now));
  CasEntry entry{p.address.name, p.address.ApiUrl(), std::move(evidence), ctx.Now()};
  SCONE_ASSIGN_OR_RETURN(bool became_default, StoreEntry(ctx, entry));
  ReportTrusted(ctx, entry, became_default);
  return Status::Ok();
}

// ---- list, set-default, show-certificate, show-identification ---------------------------

Status List(Context& ctx) {
  SCONE_ASSIGN_OR_RETURN(CliConfig config, LoadState(ctx));
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson(CasListJson(config));
    return Status::Ok();
  }
  std::string text = FormatCasList(config);
  if (text.empty()) {
    ctx.err() << "No CAS is attested yet; attest one with \"scone cas attest ADDRESS\" (or "
                 "claim a new one with \"scone cas provision\")\n";
  }
  ctx.out() << text;
  return Status::Ok();
}

Status SetDefault(Context& ctx, const std::string& name) {
  SCONE_ASSIGN_OR_RETURN(ConfigStore store, ctx.Store());
  Status s = store.Update(ctx.Now(), [&](CliConfig& config) {
    auto entry = FindCas(config, name);
    if (!entry.ok()) return entry.status();
    config.default_cas = name;
    return Status::Ok();
  });
  SCONE_RETURN_IF_ERROR(s);
  ctx.out() << "CAS " << name << " is now the default CAS\n";
  return Status::Ok();
}

Status ShowCertificate(Context& ctx, const std::string& name) {
  SCONE_ASSIGN_OR_RETURN(CasEntry entry, StoredCas(ctx, name));
  ctx.out() << entry.evidence.cas_certificate_pem;
  if (!entry.evidence.cas_certificate_pem.empty() &&
      entry.evidence.cas_certificate_pem.back() != '\n') {
    ctx.out() << "\n";
  }
  return Status::Ok();
}

struct IdentificationArgs {
  std::string cas;
  bool key_hash = false;
  bool certificate = false;
  bool software_key_hash = false;
  bool software_certificate = false;
  bool certificate_chain = false;  // also the default when no option is given
  bool tcb = false;
};

std::string WithNewline(std::string text) {
  if (text.empty() || text.back() != '\n') text += "\n";
  return text;
}

// --tcb: what the attestation established about the enclave and its platform.
std::string TcbText(const CasEntry& entry) {
  const cas::CasEvidence& e = entry.evidence;
  std::vector<std::string> relaxations;
  for (const auto& r : e.relaxations) relaxations.push_back(RelaxationFlag(r));
  std::string out;
  out += "TCB status: " + std::string(attestation::TcbStatusName(e.tcb_status)) + "\n";
  out += "Advisories: " + JoinOr(e.advisory_ids, "none") + "\n";
  out += "Relaxations: " + JoinOr(relaxations, "none") + "\n";
  out += "MRENCLAVE: " + HexEncode(e.mrenclave) + "\n";
  out += "MRSIGNER: " + HexEncode(e.mrsigner) + "\n";
  out += "ISVPRODID: " + std::to_string(e.isvprodid) + "\n";
  out += "ISVSVN: " + std::to_string(e.isvsvn) + "\n";
  out += std::string("Debug: ") + (e.flags.debug ? "yes" : "no") + "\n";
  out += std::string("Owner secret access: ") + (e.flags.owner_secret_access ? "yes" : "no") + "\n";
  out += "Verified at: " + attestation::FormatRfc3339(e.verified_at) + "\n";
  return out;
}

json TcbJson(const CasEntry& entry) {
  const cas::CasEvidence& e = entry.evidence;
  return {{"tcb_status", std::string(attestation::TcbStatusName(e.tcb_status))},
          {"advisory_ids", e.advisory_ids},
          {"relaxations", e.relaxations},
          {"mrenclave", HexEncode(e.mrenclave)},
          {"mrsigner", HexEncode(e.mrsigner)},
          {"isvprodid", e.isvprodid},
          {"isvsvn", e.isvsvn},
          {"debug", e.flags.debug},
          {"owner_secret_access", e.flags.owner_secret_access},
          {"verified_at", e.verified_at}};
}

Status ShowIdentification(Context& ctx, const IdentificationArgs& args) {
  SCONE_ASSIGN_OR_RETURN(CasEntry entry, StoredCas(ctx, args.cas));
  const cas::CasEvidence& e = entry.evidence;
  if (ctx.output_format() == OutputFormat::kJson) {
    json out = {{"address", entry.address},
                {"api_url", entry.api_url},
                {"cas_key_hash", e.cas_key_hash},
                {"cas_certificate", e.cas_certificate_pem},
                {"cas_software_key_hash", e.software_key_hash},
                {"cas_software_certificate", e.cas_software_certificate_pem},
                {"tcb", TcbJson(entry)}};
    ctx.PrintJson(out);
    return Status::Ok();
  }
  if (args.key_hash) {
    ctx.out() << e.cas_key_hash << "\n";
  } else if (args.certificate) {
    ctx.out() << WithNewline(e.cas_certificate_pem);
  } else if (args.software_key_hash) {
    ctx.out() << e.software_key_hash << "\n";
  } else if (args.software_certificate) {
    ctx.out() << WithNewline(e.cas_software_certificate_pem);
  } else if (args.tcb) {
    ctx.out() << TcbText(entry);
  } else {
    // -T/--certificate-chain, SCONE's default: the CAS certificate, then the CAS software
    // certificate, PEM. Both are self-signed; the attested quote binds the two keys.
    ctx.out() << WithNewline(e.cas_certificate_pem) << WithNewline(e.cas_software_certificate_pem);
  }
  return Status::Ok();
}

// ---- provision, update-config -----------------------------------------------------------

// An owner configuration read and checked locally, so that mistakes are reported with the
// file's line before anything is sent.
using OwnerConfigFile = cas::api::OwnerConfigDocument;

Result<OwnerConfigFile> ReadOwnerConfig(const std::string& file) {
  OwnerConfigFile out;
  auto format = cas::ConfigFormatOfFile(file);
  if (!format.ok()) return format.status().WithContext("--config-file " + file);
  out.format = *format;
  auto text = ReadFile(file, cas::kMaxOwnerConfigSize);
  if (!text.ok()) return text.status().WithContext("cannot read the --config-file");
  out.text = std::move(*text);
  SCONE_RETURN_IF_ERROR(cas::ParseOwnerConfig(out.text, out.format, file));
  return out;
}

// Secrets typed on the command line: checked for their form without repeating them.
Result<SecretBytes> HexSecret(const std::string& text, size_t digits, const char* option,
                              const char* what) {
  bool ok = text.size() == digits && std::all_of(text.begin(), text.end(), [](char c) {
              return std::isxdigit(static_cast<unsigned char>(c)) != 0;
            });
  if (!ok) {
    return InvalidArgument(std::string(option) + ": " + what + " is " + std::to_string(digits) +
                           " hexadecimal digits (the value given has " +
                           std::to_string(text.size()) + " characters)");
  }
  auto bytes = HexDecode(text, digits / 2);
  if (!bytes.ok()) return InvalidArgument(std::string(option) + ": not hexadecimal");
  SecretBytes out = SecretBytes::CopyFrom(*bytes);
  WipeMemory(bytes->data(), bytes->size());
  return out;
}

struct ProvisionArgs {
  std::string address;
  std::string cas_key_hash;  // -c
  std::string token;
  std::string config_file;
  std::string database_key;
  AttestFlags flags;  // with-attestation
};

// CAS's answer to the provisioning, with the CAS key hash checked for its form.
Result<cas::api::ProvisionResponse> ProvisionAnswer(Result<cas::api::ProvisionResponse> answer,
                                                    const std::string& address) {
  if (!answer.ok()) {
    if (answer.status().code() != Code::kVerificationFailed) return answer.status();
    return VerificationFailed(answer.status().message() + "; CAS " + address +
                              " may or may not be provisioned now");
  }
  auto decoded = crypto::DecodeKeyHash(answer->cas_key_hash);
  if (!decoded.ok()) {
    return VerificationFailed("CAS " + address + " answered the provisioning with an invalid " +
                              "CAS key hash: " + decoded.status().message());
  }
  return answer;
}

// Everything `provision` checks before it connects; the request body holds the token and
// the database key, so it is wiped after use (best effort: the JSON library keeps copies
// only while building it).
struct ProvisionRequest {
  CasAddress address;
  Identity identity;
  std::string body;

  ProvisionRequest() = default;
  ProvisionRequest(const ProvisionRequest&) = delete;
  ProvisionRequest& operator=(const ProvisionRequest&) = delete;
  ProvisionRequest(ProvisionRequest&&) = default;
  ProvisionRequest& operator=(ProvisionRequest&&) = default;
  ~ProvisionRequest() { WipeMemory(body.data(), body.size()); }
};

Result<ProvisionRequest> PrepareProvision(const Context& ctx, const ProvisionArgs& args) {
  ProvisionRequest p;
  if (args.address.empty()) {
    return InvalidArgument(
        "ADDRESS is required: scone cas provision ADDRESS -c CAS_KEY_HASH --token TOKEN "
        "--config-file FILE with-attestation");
  }
  SCONE_ASSIGN_OR_RETURN(p.address, ParseCasAddress(args.address));
  auto decoded = crypto::DecodeKeyHash(args.cas_key_hash);
  if (!decoded.ok()) return decoded.status().WithContext("-c (CAS key hash)");
  cas::api::ProvisionRequest request;
  SCONE_ASSIGN_OR_RETURN(request.token,
                         HexSecret(args.token, 32, "--token", "a provisioning token"));
  if (!args.database_key.empty()) {
    SCONE_ASSIGN_OR_RETURN(request.database_key,
                           HexSecret(args.database_key, 64, "--database-key", "a database key"));
  }
  SCONE_ASSIGN_OR_RETURN(request.config, ReadOwnerConfig(args.config_file));
  SCONE_ASSIGN_OR_RETURN(p.identity, ctx.LoadIdentity());
  json body = request.ToJson();
  p.body = cas::api::Serialize(body);
  for (const char* secret : {"token", "database_key"}) {
    if (auto it = body.find(secret); it != body.end()) {
      auto& text = it->get_ref<std::string&>();
      WipeMemory(text.data(), text.size());
    }
  }
  return p;
}

void ReportProvisioned(Context& ctx, const std::string& address, const Identity& owner) {
  if (ctx.output_format() == OutputFormat::kJson) return;
  ctx.out() << "CAS " << address << " was provisioned; its owner is you (key hash "
            << owner.key_hash << ")\n";
}

Status ProvisionWithAttestation(Context& ctx, const ProvisionArgs& args) {
  // Everything local first: address, -c, token, key, owner configuration, identity, policy.
  SCONE_ASSIGN_OR_RETURN(ProvisionRequest req, PrepareProvision(ctx, args));
  AttestFlags flags = args.flags;
  flags.cas_key_hash = args.cas_key_hash;
  flags.allow_unprovisioned = true;
  SCONE_ASSIGN_OR_RETURN(Prepared p, Prepare(ctx, args.address, flags));
  CasLink link = MakeLink(ctx, p.address, flags.retries);

  // 1. The CAS must be the one of -c, genuine, and not provisioned yet.
  SCONE_ASSIGN_OR_RETURN(cas::CasEvidence before, AttestCas(link, p.policy, *p.verifier, p.now));
  if (before.flags.provisioned) {
    return FailedPrecondition("CAS " + p.address.name +
                              " is already provisioned: it has an owner. Attest it with \"scone "
                              "cas attest " +
                              p.address.name +
                              "\"; its owner changes its configuration with \"scone cas "
                              "update-config\"");
  }

  // 2. Provision over a connection pinned to the attested key (sent once: the token works
  //    only once, so an unanswered request is not repeated).
  CasLink once = link;
  once.retries = 0;
  SCONE_ASSIGN_OR_RETURN(cas::api::ProvisionResponse provisioned,
                         ProvisionAnswer(CallPinned<cas::api::ProvisionResponse>(
                                             once, before.cas_key_hash, PinSource::kAttested,
                                             cas::api::Endpoint::kProvision, req.body,
                                             &req.identity, "the provisioning"),
                                         p.address.name));
  if (!provisioned.rekeyed && provisioned.cas_key_hash != before.cas_key_hash) {
    return VerificationFailed("CAS " + p.address.name +
                              " answered the provisioning with another CAS key (" +
                              provisioned.cas_key_hash + ") without having been re-keyed");
  }

  // 3. Attest again: now provisioned, and after a database key injection with the new CAS
  //    key, which we learnt over the connection pinned to the old one. Injecting the key is
  //    the user's consent to the owner's access to secrets.
  cas::CasAttestPolicy after_policy = p.policy;
  after_policy.cas_key_hash = provisioned.cas_key_hash;
  after_policy.allow_unprovisioned = false;
  if (provisioned.rekeyed) after_policy.allow_owner_secret_access = true;
  SCONE_ASSIGN_OR_RETURN(int64_t now, VerificationTime(ctx, flags));
  auto after = AttestCas(link, after_policy, *p.verifier, now);
  if (!after.ok()) {
    return after.status().WithContext("CAS " + p.address.name +
                                      " was provisioned (you own it), but attesting it afterwards "
                                      "failed");
  }

  CasEntry entry{p.address.name, p.address.ApiUrl(), std::move(*after), ctx.Now()};
  SCONE_ASSIGN_OR_RETURN(bool became_default, StoreEntry(ctx, entry));
  ReportTrusted(ctx, entry, became_default,
                {{"owner_key_hash", req.identity.key_hash}, {"rekeyed", provisioned.rekeyed}});
  ReportProvisioned(ctx, p.address.name, req.identity);
  if (provisioned.rekeyed && ctx.output_format() == OutputFormat::kText) {
    ctx.out() << "The database key was injected: CAS " << p.address.name
              << " has the new CAS key hash " << provisioned.cas_key_hash
              << ". It was attested with --allow-cas-owner-secret-access because you injected "
                 "the key yourself; later \"scone cas attest "
              << p.address.name << "\" needs --allow-cas-owner-secret-access too\n";
  }
  return Status::Ok();
}

Status ProvisionWithoutAttestation(Context& ctx, const ProvisionArgs& args) {
  SCONE_ASSIGN_OR_RETURN(ProvisionRequest req, PrepareProvision(ctx, args));
  CasLink link = MakeLink(ctx, req.address, 0);
  SCONE_ASSIGN_OR_RETURN(cas::api::ProvisionResponse provisioned,
                         ProvisionAnswer(CallPinned<cas::api::ProvisionResponse>(
                                             link, args.cas_key_hash, PinSource::kGivenWithC,
                                             cas::api::Endpoint::kProvision, req.body,
                                             &req.identity, "the provisioning"),
                                         req.address.name));
  ctx.err() << "warning: CAS " << req.address.name
            << " was provisioned WITHOUT attestation (only_for_testing-without-attestation): "
               "nothing shows that it runs trustworthy CAS software in an enclave, and it was "
               "not added to the attested CAS. Attest it with \"scone cas attest "
            << req.address.name << "\" before using it\n";
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"address", req.address.name},
                   {"api_url", req.address.ApiUrl()},
                   {"cas_key_hash", provisioned.cas_key_hash},
                   {"rekeyed", provisioned.rekeyed},
                   {"owner_key_hash", req.identity.key_hash},
                   {"attested", false}});
    return Status::Ok();
  }
  ReportProvisioned(ctx, req.address.name, req.identity);
  if (provisioned.rekeyed) {
    ctx.out() << "The database key was injected: CAS " << req.address.name
              << " has the new CAS key hash " << provisioned.cas_key_hash << "\n";
  }
  return Status::Ok();
}

struct UpdateConfigArgs {
  std::string cas;
  std::string config_file;
};

Status UpdateConfig(Context& ctx, const UpdateConfigArgs& args) {
  SCONE_ASSIGN_OR_RETURN(OwnerConfigFile config, ReadOwnerConfig(args.config_file));
  SCONE_ASSIGN_OR_RETURN(Identity identity, ctx.LoadIdentity());
  SCONE_ASSIGN_OR_RETURN(CasEntry entry, StoredCas(ctx, args.cas));
  auto address = ParseCasAddress(entry.address);
  if (!address.ok()) return address.status().WithContext("the CLI state's CAS entry");
  cas::api::ConfigUpdateRequest request{std::move(config)};
  CasLink link = MakeLink(ctx, *address, 0);
  SCONE_RETURN_IF_ERROR(CallPinned<cas::api::ConfigUpdateResponse>(
                            link, entry.evidence.cas_key_hash, PinSource::kAttested,
                            cas::api::Endpoint::kPutConfig, cas::api::Serialize(request.ToJson()),
                            &identity, "the configuration update")
                            .status());
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"address", entry.address}, {"updated", true}});
  } else {
    ctx.out() << "The configuration of CAS " << entry.address << " was updated\n";
  }
  return Status::Ok();
}

void AddConfigFileOption(CLI::App* cmd, std::string& target) {
  cmd->add_option("--config-file", target,
                  "CAS owner configuration: .toml, .json, .yaml or .yml (checked here first)")
      ->required()
      ->type_name("FILE");
}

}  // namespace

void RegisterCasCommands(CLI::App& root, Context& ctx, Action& action) {
  CLI::App* cas = root.add_subcommand(
      "cas", "Attest, provision and configure CAS instances; check session files");
  cas->require_subcommand(1);
  RegisterSessionGroup(cas, ctx, action);

  auto attest_args = std::make_shared<AttestArgs>();
  CLI::App* attest = cas->add_subcommand(
      "attest",
      "Attest the CAS at ADDRESS and, if it is trustworthy, remember it (the first becomes the "
      "default CAS)");
  attest->add_option("ADDRESS", attest_args->address, "HOST or HOST:PORT (default port 8081)")
      ->required();
  AddAttestFlags(attest, attest_args->flags, ctx, FlagUse::kAttest);
  attest->callback([&ctx, &action, attest_args] {
    action = [&ctx, attest_args] { return Attest(ctx, *attest_args); };
  });

  CLI::App* list = cas->add_subcommand("list", "List the attested CAS (* marks the default)");
  AddFormatOption(list, ctx);
  list->callback([&ctx, &action] { action = [&ctx] { return List(ctx); }; });

  auto default_name = std::make_shared<std::string>();
  CLI::App* set_default =
      cas->add_subcommand("set-default", "Make an attested CAS the default CAS");
  set_default->add_option("CAS", *default_name, "Its name as listed by \"scone cas list\"")
      ->required();
  set_default->callback([&ctx, &action, default_name] {
    action = [&ctx, default_name] { return SetDefault(ctx, *default_name); };
  });

  auto cert_name = std::make_shared<std::string>();
  CLI::App* show_cert = cas->add_subcommand(
      "show-certificate",
      "Print the certificate (PEM) of an attested CAS (default: the default CAS)");
  show_cert->add_option("CAS", *cert_name, "Its name as listed by \"scone cas list\"");
  show_cert->callback([&ctx, &action, cert_name] {
    action = [&ctx, cert_name] { return ShowCertificate(ctx, *cert_name); };
  });

  auto id = std::make_shared<IdentificationArgs>();
  CLI::App* show_id = cas->add_subcommand(
      "show-identification",
      "Print how to identify an attested CAS (default: the default CAS): its certificate "
      "chain, or the one value an option names");
  show_id->add_option("CAS", id->cas, "Its name as listed by \"scone cas list\"");
  std::vector<CLI::Option*> selectors = {
      show_id->add_flag("-c,--cas-key-hash", id->key_hash, "Only the CAS key hash"),
      show_id->add_flag("-C,--cas-certificate", id->certificate, "Only the CAS certificate"),
      show_id->add_flag("-s,--cas-software-key-hash", id->software_key_hash,
                        "Only the CAS software key hash"),
      show_id->add_flag("-S,--cas-software-certificate", id->software_certificate,
                        "Only the CAS software certificate"),
      show_id->add_flag("-T,--certificate-chain", id->certificate_chain,
                        "The chain of trust: the CAS certificate and the CAS software "
                        "certificate, PEM (the default)"),
      show_id->add_flag("--tcb", id->tcb,
                        "Only the attested enclave and TCB: status, advisories, relaxations, "
                        "MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN"),
  };
  for (CLI::Option* a : selectors) {
    for (CLI::Option* b : selectors) {
      if (a != b) a->excludes(b);
    }
  }
  AddFormatOption(show_id, ctx);
  show_id->callback(
      [&ctx, &action, id] { action = [&ctx, id] { return ShowIdentification(ctx, *id); }; });

  auto prov = std::make_shared<ProvisionArgs>();
  CLI::App* provision = cas->add_subcommand(
      "provision",
      "Claim a new CAS: become its owner and upload its configuration (with-attestation, or "
      "only_for_testing-without-attestation)");
  // Not ->required(): CLI11 would then take "with-attestation" for a missing ADDRESS, and
  // `scone cas provision with-attestation --help` would not show the attest options.
  // PrepareProvision insists on it instead.
  provision->add_option("ADDRESS", prov->address,
                        "HOST or HOST:PORT (default port 8081), required");
  provision
      ->add_option("-c,--cas-key-hash", prov->cas_key_hash,
                   "The CAS key hash from the CAS log: the CAS instance to claim")
      ->required()
      ->type_name("CAS_KEY_HASH");
  provision
      ->add_option("--token", prov->token,
                   "The provisioning token from the CAS log (32 hex digits)")
      ->required()
      ->type_name("TOKEN");
  AddConfigFileOption(provision, prov->config_file);
  provision
      ->add_option("--database-key", prov->database_key,
                   "Inject this database key (64 hex digits): CAS re-keys, and its owner can "
                   "read every secret; refused by a CAS signed with the release signer")
      ->type_name("HEX64");
  AddIdentityOption(provision, ctx);
  provision->require_subcommand(1);

  CLI::App* with = provision->add_subcommand(
      "with-attestation", "Attest the CAS before sending anything (takes the attest options)");
  AddAttestFlags(with, prov->flags, ctx, FlagUse::kProvision);
  with->callback([&ctx, &action, prov] {
    action = [&ctx, prov] { return ProvisionWithAttestation(ctx, *prov); };
  });
  CLI::App* without = provision->add_subcommand(
      "only_for_testing-without-attestation",
      "TESTING ONLY: provision without attesting; the connection is pinned to -c only");
  AddFormatOption(without, ctx);
  without->callback([&ctx, &action, prov] {
    action = [&ctx, prov] { return ProvisionWithoutAttestation(ctx, *prov); };
  });

  auto upd = std::make_shared<UpdateConfigArgs>();
  CLI::App* update = cas->add_subcommand(
      "update-config", "Replace the configuration of a CAS you own (default: the default CAS)");
  update->add_option("--cas", upd->cas, "The CAS (name as in \"scone cas list\")")
      ->type_name("CAS");
  AddConfigFileOption(update, upd->config_file);
  AddIdentityOption(update, ctx);
  AddFormatOption(update, ctx);
  update->callback(
      [&ctx, &action, upd] { action = [&ctx, upd] { return UpdateConfig(ctx, *upd); }; });
}

}  // namespace scone::cli
