// `scone self ...`: the user's own identity.
#include <ostream>

#include "cli/commands.h"

namespace scone::cli {

void RegisterSelfCommands(CLI::App& root, Context& ctx, Action& action) {
  CLI::App* self =
      root.add_subcommand("self", "Show the user's identity (certificate and key hash)");
  self->require_subcommand(1);

  CLI::App* show =
      self->add_subcommand("show", "Show the user's certificate (PEM) and its public key hash");
  AddIdentityOption(show, ctx);
  AddFormatOption(show, ctx);
  show->callback([&] {
    action = [&]() -> Status {
      SCONE_ASSIGN_OR_RETURN(Identity id, ctx.LoadIdentity());
      if (ctx.output_format() == OutputFormat::kJson) {
        ctx.PrintJson({{"certificate", id.certificate_pem}, {"key_hash", id.key_hash}});
      } else {
        ctx.out() << "Certificate:\n"
                  << id.certificate_pem << "Public key hash: " << id.key_hash << "\n";
      }
      return Status::Ok();
    };
  });

  CLI::App* show_cert =
      self->add_subcommand("show-certificate", "Print the user's certificate (PEM)");
  AddIdentityOption(show_cert, ctx);
  show_cert->callback([&] {
    action = [&]() -> Status {
      SCONE_ASSIGN_OR_RETURN(Identity id, ctx.LoadIdentity());
      ctx.out() << id.certificate_pem;
      return Status::Ok();
    };
  });

  CLI::App* show_hash =
      self->add_subcommand("show-key-hash", "Print the public key hash of the user's certificate");
  AddIdentityOption(show_hash, ctx);
  AddFormatOption(show_hash, ctx);
  show_hash->callback([&] {
    action = [&]() -> Status {
      SCONE_ASSIGN_OR_RETURN(Identity id, ctx.LoadIdentity());
      if (ctx.output_format() == OutputFormat::kJson) {
        ctx.PrintJson({{"key_hash", id.key_hash}});
      } else {
        ctx.out() << id.key_hash << "\n";
      }
      return Status::Ok();
    };
  });
}

}  // namespace scone::cli
