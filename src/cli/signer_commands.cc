// `scone signer ...`: sign programs as simulated enclaves and show their identity
// (DESIGN.md §5 "Measurement"; docs/platform.md).
#include <ostream>

#include "cli/commands.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/keys.h"
#include "platform/enclave_identity.h"
#include "platform/signature_file.h"

namespace scone::cli {
namespace {

struct SignArgs {
  std::string key_file;
  std::string program;
  uint16_t isvprodid = 0;
  uint16_t isvsvn = 0;
  bool production = false;
};

Status Sign(Context& ctx, const SignArgs& args) {
  auto key_text = ReadFile(args.key_file, 1 << 20);
  if (!key_text.ok()) return key_text.status().WithContext("cannot read the signer key");
  SecretBytes key_pem = SecretBytes::CopyFrom(AsBytes(*key_text));
  WipeMemory(key_text->data(), key_text->size());
  auto key = crypto::ParsePrivateKeyPem(AsChars(key_pem.Reveal()));
  if (!key.ok()) return key.status().WithContext("signer key " + args.key_file);

  SCONE_ASSIGN_OR_RETURN(auto mrenclave, platform::MeasureProgram(args.program));
  platform::SignOptions opts{
      .isvprodid = args.isvprodid, .isvsvn = args.isvsvn, .production = args.production};
  auto file = platform::SignEnclave(key->get(), mrenclave, opts);
  if (!file.ok()) return file.status().WithContext("signer key " + args.key_file);
  auto sig_path = platform::SignatureFilePath(args.program);
  SCONE_RETURN_IF_ERROR(WriteFileAtomic(sig_path, platform::SerializeSignatureFile(*file), 0644));
  auto id = platform::IdentityFromSignatureFile(*file);
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"signature_file", sig_path.string()},
                   {"mrenclave", HexEncode(id.mrenclave)},
                   {"mrsigner", HexEncode(id.mrsigner)}});
  } else {
    ctx.out() << "Signed " << args.program << " (" << (args.production ? "production" : "debug")
              << "); signature written to " << sig_path.string() << "\n";
  }
  return Status::Ok();
}

Status Info(Context& ctx, const std::string& program) {
  SCONE_ASSIGN_OR_RETURN(auto id, platform::ReadEnclaveIdentity(program));
  bool has_sig = std::filesystem::exists(platform::SignatureFilePath(program));
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"mrenclave", HexEncode(id.mrenclave)},
                   {"mrsigner", HexEncode(id.mrsigner)},
                   {"isvprodid", id.isvprodid},
                   {"isvsvn", id.isvsvn},
                   {"debug", id.debug()},
                   {"signed", has_sig}});
  } else {
    ctx.out() << "MRENCLAVE: " << HexEncode(id.mrenclave) << "\n"
              << "MRSIGNER: " << HexEncode(id.mrsigner)
              << (has_sig ? "" : " (built-in debug signer: the program is not signed)") << "\n"
              << "ISV Product ID: " << id.isvprodid << "\n"
              << "ISV SVN: " << id.isvsvn << "\n"
              << "Debug: " << (id.debug() ? "true" : "false") << "\n";
  }
  return Status::Ok();
}

}  // namespace

void RegisterSignerCommands(CLI::App& root, Context& ctx, Action& action) {
  CLI::App* signer =
      root.add_subcommand("signer", "Sign programs as simulated enclaves and show their identity");
  signer->require_subcommand(1);

  auto sign_args = std::make_shared<SignArgs>();
  CLI::App* sign = signer->add_subcommand(
      "sign", "Write PROGRAM.sig: the signer, product id, security version and attributes");
  sign->add_option("--key", sign_args->key_file, "Signer private key (PEM PKCS#8, RSA or EC)")
      ->required()
      ->type_name("KEY.pem");
  sign->add_option("--isvprodid", sign_args->isvprodid, "ISV product id")
      ->required()
      ->check(CLI::Range(0, 65535));
  sign->add_option("--isvsvn", sign_args->isvsvn, "ISV security version")
      ->required()
      ->check(CLI::Range(0, 65535));
  sign->add_flag("--production", sign_args->production,
                 "Production enclave: do not set the DEBUG attribute");
  sign->add_option("PROGRAM", sign_args->program, "Program to sign")->required();
  AddFormatOption(sign, ctx);
  sign->callback(
      [&ctx, &action, sign_args] { action = [&ctx, sign_args] { return Sign(ctx, *sign_args); }; });

  auto program = std::make_shared<std::string>();
  CLI::App* info = signer->add_subcommand(
      "info", "Show MRENCLAVE, MRSIGNER, ISV Product ID, ISV SVN and Debug of a program");
  info->add_option("PROGRAM", *program, "Program")->required();
  AddFormatOption(info, ctx);
  info->callback(
      [&ctx, &action, program] { action = [&ctx, program] { return Info(ctx, *program); }; });
}

}  // namespace scone::cli
