// `scone cas provision` and `scone cas update-config`: claim a new CAS and configure a CAS
// you own (docs/cli.md "scone cas provision").
#include <algorithm>
#include <cctype>
#include <ostream>

#include "cas/api.h"
#include "cas/owner_config.h"
#include "cli/cas_attest_flags.h"
#include "cli/cas_client.h"
#include "cli/cas_db.h"
#include "cli/cas_output.h"
#include "cli/commands.h"
#include "cli/secret_option.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/key_hash.h"
#include "net/http.h"

namespace scone::cli {
namespace {

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

// Secrets typed on the command line (kept as typed in a SecretBytes, secret_option.h):
// checked for their form without repeating them, and decoded into a SecretBytes.
Result<SecretBytes> HexSecret(const SecretBytes& typed, size_t digits, const char* option,
                              const char* what) {
  std::string_view text = AsChars(typed.Reveal());
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
  SecretBytes token;         // as typed (hex); secret from the moment CLI11 reads it
  std::string config_file;
  SecretBytes database_key;  // as typed (hex); empty: not given
  AttestFlags flags;         // with-attestation
};

// Everything `provision` checks before it connects. The request (api::ProvisionRequest::
// ToHttpRequest) holds the token and the database key in a sensitive body, wiped when freed.
struct ProvisionRequest {
  CasAddress address;
  Identity identity;
  net::HttpRequest http;
};

// Sends the provisioning request over a connection pinned to `key_hash`, once; returns CAS's
// answer with the CAS key hash checked for its form.
Result<cas::api::ProvisionResponse> SendProvision(const CasLink& link, const std::string& key_hash,
                                                  PinSource source, const ProvisionRequest& req) {
  const std::string& address = req.address.name;
  auto answer = CallPinned<cas::api::ProvisionResponse>(link, key_hash, source, req.http,
                                                        &req.identity, "the provisioning");
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
  p.http = request.ToHttpRequest();
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
  SCONE_ASSIGN_OR_RETURN(PreparedAttestation p, PrepareAttestation(ctx, args.address, flags));
  CasLink link = MakeCasLink(ctx, p.address, flags.retries);

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
                         SendProvision(once, before.cas_key_hash, PinSource::kAttested, req));
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
  SCONE_ASSIGN_OR_RETURN(bool became_default, StoreCas(ctx, entry));
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
  CasLink link = MakeCasLink(ctx, req.address, 0);
  SCONE_ASSIGN_OR_RETURN(cas::api::ProvisionResponse provisioned,
                         SendProvision(link, args.cas_key_hash, PinSource::kGivenWithC, req));
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
  CasLink link = MakeCasLink(ctx, *address, 0);
  SCONE_RETURN_IF_ERROR(WithIdentityHint(
      CallPinned<cas::api::ConfigUpdateResponse>(
          link, entry.evidence.cas_key_hash, PinSource::kAttested, cas::api::Endpoint::kPutConfig,
          cas::api::Serialize(request.ToJson()), &identity, "the configuration update")
          .status()));
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

void RegisterCasOwnerCommands(CLI::App* cas, Context& ctx, Action& action) {
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
  AddSecretOption(provision, "--token", prov->token,
                  "The provisioning token from the CAS log (32 hex digits)")
      ->required()
      ->type_name("TOKEN");
  AddConfigFileOption(provision, prov->config_file);
  AddSecretOption(provision, "--database-key", prov->database_key,
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
