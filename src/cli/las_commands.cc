// `scone las ...`: talk to the simulated platform's local attestation service (an extension
// beyond the SCONE CLI; docs/las.md).
#include <memory>
#include <ostream>

#include "attestation/collateral_json.h"
#include "cli/commands.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "las/las_client.h"

namespace scone::cli {
namespace {

struct LasArgs {
  std::string las;  // --las; else $SCONE_LAS_ADDR; else 127.0.0.1:18766
  std::string report_data;
  std::string program;
  std::string out;
};

// The LAS client of the --las address (one connection per call: a short-lived process).
Result<std::unique_ptr<las::LasClient>> LasOf(const std::string& flag) {
  auto ep = las::ResolveLasAddress(flag, las::kDefaultLasTcpAddress);
  if (!ep.ok()) return ep.status().WithContext("LAS address");
  return std::make_unique<las::LasClient>(*ep, /*keep_connections=*/false);
}

// las's failure, with a hint where it could not be reached.
Status LasFailed(const Status& s) {
  if (s.code() != Code::kUnavailable) return s;
  return Status(s.code(), s.message() + " (is las running? set --las or SCONE_LAS_ADDR)");
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
          "itself; use the TCP address to name a program");
    }
    req.program = std::filesystem::absolute(args.program).string();
  } else if (!ep.is_unix()) {
    return InvalidArgument("--program PATH is needed over TCP (las measures that file)");
  }
  auto res = client->QuoteWith(req);
  if (!res.ok()) return LasFailed(res.status());
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
  if (!c.ok()) return LasFailed(c.status());
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
                  "LAS address: HOST:PORT or unix:PATH (default: $SCONE_LAS_ADDR, else "
                  "127.0.0.1:18766)")
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
                   "Program to quote (TCP only; on the Unix socket las measures the caller)")
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
