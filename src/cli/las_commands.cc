// `scone las ...`: talk to the simulated platform's local attestation service (an extension
// beyond the SCONE CLI; docs/las.md).
#include <memory>
#include <ostream>

#include "attestation/collateral_json.h"
#include "cli/commands.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "las/las_client.h"
#include "platform/platform.h"

namespace scone::cli {
namespace {

struct LasArgs {
  std::string las;  // --las; else $SCONE_LAS_ADDR; else las's Unix socket
  std::string report_data;
  std::string program;
  std::string out;
};

// The LAS client of the --las address (one connection per call: a short-lived process). By
// default las's own Unix socket, where it measures the caller (docs/las.md).
Result<std::unique_ptr<las::LasClient>> LasOf(const std::string& flag) {
  auto ep = las::ResolveLasAddress(flag, las::LasSocketAddress(platform::DefaultPlatformDir()));
  if (!ep.ok()) return ep.status().WithContext("LAS address");
  return std::make_unique<las::LasClient>(*ep, /*keep_connections=*/false);
}

// las's failure, with a hint where it could not be reached.
Status LasFailed(const Status& s, const net::Endpoint& ep) {
  if (s.code() != Code::kUnavailable) return s;
  return Status(s.code(), s.message() + " (is las running? set --las or SCONE_LAS_ADDR" +
                              (ep.is_unix() ? std::string(")")
                                            : "; las listens on TCP only when started with "
                                              "--only_for_testing-tcp ADDR:PORT)"));
}

Status Quote(Context& ctx, const LasArgs& args) {
  SCONE_ASSIGN_OR_RETURN(auto client, LasOf(args.las));
  const net::Endpoint& ep = client->endpoint();
  auto rd = HexDecode(args.report_data);
  if (!rd.ok()) return rd.status().WithContext("--report-data");
  if (rd->size() > las::kMaxReportDataSize) {
    return InvalidArgument("--report-data: at most 64 bytes (128 hex digits)");
  }
  las::QuoteRequest req;
  req.report_data = std::move(*rd);
  if (!args.program.empty()) {
    if (ep.is_unix()) {
      return InvalidArgument(
          "--program is not accepted on the Unix socket, where las measures the caller "
          "itself; only a las started with --only_for_testing-tcp ADDR:PORT quotes a named "
          "program, at that TCP address, and always as DEBUG");
    }
    req.program = std::filesystem::absolute(args.program).string();
  } else if (!ep.is_unix()) {
    return InvalidArgument(
        "over TCP las quotes only a named program (--program PATH), and only when started "
        "with --only_for_testing-tcp; leave out --las to be measured on las's Unix socket");
  }
  auto res = client->QuoteWith(req);
  if (!res.ok()) return LasFailed(res.status(), ep);
  SCONE_RETURN_IF_ERROR(WriteFileAtomic(args.out, res->quote, 0644));
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"quote_file", args.out}, {"enclave", res->enclave}});
  } else {
    ctx.out() << "Quote (" << res->quote.size() << " bytes) written to " << args.out << "\n";
  }
  return Status::Ok();
}

Status Collateral(Context& ctx, const LasArgs& args) {
  SCONE_ASSIGN_OR_RETURN(auto client, LasOf(args.las));
  auto c = client->Collateral();
  if (!c.ok()) return LasFailed(c.status(), client->endpoint());
  SCONE_RETURN_IF_ERROR(attestation::WriteCollateralDir(args.out, *c));
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"collateral_dir", args.out}});
  } else {
    ctx.out() << "Collateral written to " << args.out << "\n";
  }
  return Status::Ok();
}

void AddLasOption(CLI::App* cmd, std::string& target) {
  cmd->add_option("--las", target,
                  "LAS address: unix:PATH or HOST:PORT (default: $SCONE_LAS_ADDR, else "
                  "unix:PLATFORM_DIR/las.sock of las's default platform directory)")
      ->type_name("ADDR");
}

}  // namespace

void RegisterLasCommands(CLI::App& root, Context& ctx, Action& action) {
  CLI::App* group =
      root.add_subcommand("las", "Get quotes and collateral from the simulated platform's LAS");
  group->require_subcommand(1);

  auto q = std::make_shared<LasArgs>();
  CLI::App* quote = group->add_subcommand("quote", "Get a quote over REPORT_DATA");
  quote->add_option("--report-data", q->report_data, "Report data, hex, at most 64 bytes")
      ->required()
      ->type_name("HEX");
  quote
      ->add_option("--program", q->program,
                   "TESTING ONLY: program to quote, over TCP to a las started with "
                   "--only_for_testing-tcp (the quote carries DEBUG); without it las measures "
                   "this scone on its Unix socket")
      ->type_name("PATH");
  quote->add_option("-o,--output", q->out, "Where to write the binary quote")
      ->required()
      ->type_name("QUOTE_FILE");
  AddLasOption(quote, q->las);
  AddFormatOption(quote, ctx);
  quote->callback([&ctx, &action, q] { action = [&ctx, q] { return Quote(ctx, *q); }; });

  auto c = std::make_shared<LasArgs>();
  CLI::App* coll = group->add_subcommand(
      "collateral", "Write the platform's collateral as PCS-format files into DIR");
  coll->add_option("-o,--output", c->out, "Folder (created if missing)")
      ->required()
      ->type_name("DIR");
  AddLasOption(coll, c->las);
  AddFormatOption(coll, ctx);
  coll->callback([&ctx, &action, c] { action = [&ctx, c] { return Collateral(ctx, *c); }; });
}

}  // namespace scone::cli
