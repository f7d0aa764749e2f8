// `scone cas attest|list|set-default|show-certificate|show-identification`: establish trust in
// a CAS and show what the CLI state keeps about it (docs/cli.md "CAS trust").
#include <ostream>

#include "cli/cas_attest_flags.h"
#include "cli/cas_client.h"
#include "cli/cas_db.h"
#include "cli/cas_output.h"
#include "cli/commands.h"

namespace scone::cli {
namespace {
using nlohmann::json;

struct AttestArgs {
  std::string address;
  AttestFlags flags;
};

Status Attest(Context& ctx, const AttestArgs& args) {
  SCONE_ASSIGN_OR_RETURN(PreparedAttestation p, PrepareAttestation(ctx, args.address, args.flags));
  CasLink link = MakeCasLink(ctx, p.address, args.flags.retries);
  SCONE_ASSIGN_OR_RETURN(cas::CasEvidence evidence, AttestCas(link, p.policy, *p.verifier, p.now));
  CasEntry entry{p.address.name, p.address.ApiUrl(), std::move(evidence), ctx.Now()};
  SCONE_ASSIGN_OR_RETURN(bool became_default, StoreCas(ctx, entry));
  ReportTrusted(ctx, entry, became_default);
  return Status::Ok();
}

// ---- list, set-default, show-certificate, show-identification ---------------------------

Status List(Context& ctx) {
  SCONE_ASSIGN_OR_RETURN(ConfigStore store, ctx.Store());
  SCONE_ASSIGN_OR_RETURN(CliConfig config, store.LoadOrCreate(ctx.Now()));
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

}  // namespace

void RegisterCasTrustCommands(CLI::App* cas, Context& ctx, Action& action) {
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
}

}  // namespace scone::cli
