// `scone cert ...`: utilities on certificates.
#include <ostream>

#include "cli/commands.h"
#include "common/file_util.h"
#include "crypto/key_hash.h"
#include "crypto/pem.h"
#include "crypto/x509.h"

namespace scone::cli {
namespace {

Status ShowKeyHash(Context& ctx, const std::string& file) {
  auto text = ReadFile(file, 16 << 20);
  if (!text.ok()) return text.status().WithContext("cannot read the certificate");
  auto blocks = crypto::ParsePemBlocks(*text);
  if (!blocks.ok()) {
    return InvalidArgument(file + " is not a PEM certificate file: " + blocks.status().message());
  }
  const crypto::PemBlock* first = nullptr;
  size_t certificates = 0;
  for (const auto& b : *blocks) {
    if (b.type != "CERTIFICATE") continue;
    if (first == nullptr) first = &b;
    ++certificates;
  }
  if (first == nullptr) {
    return InvalidArgument(file + " holds no certificate (found a PEM \"" + blocks->front().type +
                           "\" block, expected \"CERTIFICATE\")");
  }
  auto cert = crypto::ParseCertificateDer(first->der.Reveal());
  if (!cert.ok()) return cert.status().WithContext(file + ": invalid certificate");
  SCONE_ASSIGN_OR_RETURN(std::string hash, crypto::KeyHashOfCertificate(cert->get()));
  if (certificates > 1) {
    ctx.err() << "note: " << file << " holds " << certificates
              << " certificates; showing the key hash of the first\n";
  }
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"key_hash", hash}, {"subject", crypto::SubjectName(cert->get())}});
  } else {
    ctx.out() << hash << "\n";
  }
  return Status::Ok();
}

}  // namespace

void RegisterCertCommands(CLI::App& root, Context& ctx, Action& action) {
  CLI::App* cert = root.add_subcommand("cert", "Certificate utilities");
  cert->require_subcommand(1);

  CLI::App* hash = cert->add_subcommand(
      "show-key-hash", "Print the public key hash of a PEM certificate (for access policies)");
  auto file = std::make_shared<std::string>();
  hash->add_option("CERTIFICATE", *file, "PEM-encoded certificate file")->required();
  AddFormatOption(hash, ctx);
  hash->callback(
      [&ctx, &action, file] { action = [&ctx, file] { return ShowKeyHash(ctx, *file); }; });
}

}  // namespace scone::cli
