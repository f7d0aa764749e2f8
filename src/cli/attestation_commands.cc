// `scone attestation ...`: check SGX evidence (an extension beyond the SCONE CLI; see
// docs/cli.md and docs/attestation.md).
#include <cstdlib>
#include <ostream>

#include "attestation/collateral.h"
#include "attestation/intel_root.h"
#include "attestation/report_format.h"
#include "attestation/timestamp.h"
#include "attestation/verifier.h"
#include "cli/commands.h"
#include "cli/relaxation_flags.h"
#include "common/file_util.h"
#include "crypto/x509.h"

namespace scone::cli {
namespace {

struct VerifyArgs {
  std::string quote_file;
  std::string collateral_dir;
  std::string root_file;
  std::string sim_root_file;
  std::string at;
  bool accept_unverifiable_pcs_certs = false;
};

constexpr char kSimRootFlag[] = "--only_for_testing-sim-root-ca";
constexpr char kSimRootEnv[] = "SCONE_ONLY_FOR_TESTING_SIM_ROOT_CA";

Result<Bytes> ReadRootCertificate(const std::string& file, const char* what) {
  auto data = ReadFile(file, 1 << 20);
  if (!data.ok()) return data.status().WithContext(std::string("cannot read the ") + what);
  Bytes bytes = ToBytes(*data);
  auto cert = crypto::ParseCertificatePemOrDer(bytes);
  if (!cert.ok()) return cert.status().WithContext(file + " (" + what + ")");
  return bytes;
}

Status VerifyQuote(Context& ctx, VerifyArgs args) {
  args.sim_root_file = SimRootFile(args.sim_root_file);
  SCONE_ASSIGN_OR_RETURN(auto verifier, NewQuoteVerifier(args.root_file, args.sim_root_file,
                                                         args.accept_unverifiable_pcs_certs));
  int64_t now = ctx.Now();
  if (!args.at.empty()) {
    auto t = attestation::ParseVerificationTime(args.at);
    if (!t.ok()) return t.status().WithContext("--at");
    now = *t;
  }

  auto quote = ReadFile(args.quote_file, 1 << 20);
  if (!quote.ok()) return quote.status().WithContext("cannot read the quote");
  auto collateral = attestation::LoadCollateralDir(args.collateral_dir);
  if (!collateral.ok()) return collateral.status().WithContext("--collateral");

  attestation::FailureKind kind = attestation::FailureKind::kNone;
  auto verified = verifier->Verify(AsBytes(*quote), *collateral, now, &kind);
  if (!verified.ok()) {
    Status s = WithQuoteFailureHint(verified.status(), kind);
    if (kind == attestation::FailureKind::kUntrustedRoot && args.sim_root_file.empty()) {
      s = Status(s.code(), s.message() + ". If the quote comes from the simulated platform, add " +
                               kSimRootFlag +
                               " FILE (sim-root-ca.pem in the las platform directory); for "
                               "another root, use --root CERT");
    }
    if (ctx.output_format() == OutputFormat::kJson) {
      ctx.PrintJson(attestation::VerificationFailureToJson(s, kind));
    }
    return s.WithContext("the quote does not verify");
  }
  // Intel QVL's rule: a terminal status (Revoked) fails like any failed check, with the
  // result still printed; non-terminal statuses succeed and print status and advisories.
  Status terminal = attestation::TerminalStatusError(*verified);
  if (ctx.output_format() == OutputFormat::kJson) {
    auto j = attestation::VerifiedQuoteToJson(*verified);
    if (!terminal.ok()) {
      j.update(
          attestation::VerificationFailureToJson(terminal, attestation::FailureKind::kTcbRevoked));
    }
    ctx.PrintJson(j);
  } else {
    ctx.out() << attestation::FormatVerifiedQuote(*verified, RelaxationFlag);
  }
  return terminal;
}

}  // namespace

std::string SimRootFile(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv(kSimRootEnv);
  return env != nullptr ? std::string(env) : std::string();
}

Result<std::unique_ptr<attestation::QuoteVerifier>> NewQuoteVerifier(
    const std::string& root_file, const std::string& sim_root_file,
    bool accept_unverifiable_pcs_certs) {
  attestation::VerifierOptions options;
  options.accept_unverifiable_pcs_certs = accept_unverifiable_pcs_certs;
  if (!root_file.empty()) {
    SCONE_ASSIGN_OR_RETURN(Bytes root, ReadRootCertificate(root_file, "--root certificate"));
    options.trusted_roots.push_back(std::move(root));
  }
  if (!sim_root_file.empty()) {
    SCONE_ASSIGN_OR_RETURN(Bytes sim, ReadRootCertificate(sim_root_file, "simulated root CA"));
    if (options.trusted_roots.empty()) {
      options.trusted_roots.push_back(ToBytes(attestation::IntelSgxRootCaPem()));
    }
    options.trusted_roots.push_back(std::move(sim));
  }
  return attestation::QuoteVerifier::New(std::move(options));
}

void AddSimRootOption(CLI::App* cmd, std::string& target) {
  cmd->add_option(kSimRootFlag, target,
                  "TESTING ONLY: also trust this simulated SGX root CA (PEM or DER); env " +
                      std::string(kSimRootEnv))
      ->type_name("FILE");
}

void RegisterAttestationCommands(CLI::App& root, Context& ctx, Action& action) {
  CLI::App* group = root.add_subcommand("attestation", "Check SGX attestation evidence");
  group->require_subcommand(1);

  auto args = std::make_shared<VerifyArgs>();
  CLI::App* verify = group->add_subcommand(
      "verify-quote",
      "Verify an SGX DCAP quote v3 with PCS-format collateral against the Intel SGX Root CA");
  verify->add_option("QUOTE_FILE", args->quote_file, "Binary quote")->required();
  verify
      ->add_option("--collateral", args->collateral_dir,
                   "Folder with tcb_info.json, tcb_info_issuer_chain.pem, qe_identity.json, "
                   "qe_identity_issuer_chain.pem, pck_crl.der, pck_crl_issuer_chain.pem, "
                   "root_ca_crl.der")
      ->required()
      ->type_name("DIR");
  verify
      ->add_option("--root", args->root_file,
                   "Trust this root CA (PEM or DER) instead of the Intel SGX Root CA")
      ->type_name("CERT");
  AddSimRootOption(verify, args->sim_root_file);
  verify
      ->add_option("--at", args->at,
                   "Verify as of this time: Unix seconds or RFC 3339 (default: now)")
      ->type_name("TIME");
  verify->add_flag("--accept-unverifiable-pcs-certs", args->accept_unverifiable_pcs_certs,
                   "Accept collateral that lacks CRLs (the missing revocation checks do NOT "
                   "run; the output lists which ran)");
  AddFormatOption(verify, ctx);
  verify->callback(
      [&ctx, &action, args] { action = [&ctx, args] { return VerifyQuote(ctx, *args); }; });
}

}  // namespace scone::cli
