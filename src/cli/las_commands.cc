// `scone las ...`: talk to the simulated platform's local attestation service (an extension
// beyond the SCONE CLI; docs/las.md).
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>

#include "attestation/collateral_json.h"
#include "cli/commands.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "net/http_client.h"
#include "platform/platform.h"

namespace scone::cli {
namespace {
using nlohmann::json;

constexpr uint16_t kDefaultLasPort = 18766;

struct LasArgs {
  std::string las;  // --las; else $SCONE_LAS_ADDR; else las's Unix socket
  std::string report_data;
  std::string program;
  std::string out;
};

Result<net::Endpoint> LasEndpoint(const std::string& flag) {
  std::string addr = flag;
  if (addr.empty()) {
    const char* env = std::getenv("SCONE_LAS_ADDR");
    // las's own default socket, where it measures the caller (docs/las.md).
    addr = env != nullptr && *env != '\0'
               ? std::string(env)
               : "unix:" + (platform::DefaultPlatformDir() / "las.sock").string();
  }
  auto ep = net::ParseEndpoint(addr, kDefaultLasPort);
  if (!ep.ok()) return ep.status().WithContext("LAS address");
  return ep;
}

// Calls LAS and returns the JSON body of a 200 response; LAS's own error message otherwise.
Result<json> CallLas(const net::Endpoint& ep, const net::HttpRequest& req) {
  auto r = net::HttpCall(ep, req);
  if (!r.ok()) {
    return Status(r.status().code(),
                  r.status().message() + " (is las running? set --las or SCONE_LAS_ADDR" +
                      (ep.is_unix() ? std::string(")")
                                    : "; las listens on TCP only when started with "
                                      "--only_for_testing-tcp ADDR:PORT)"));
  }
  if (r->status != 200) {
    return Status(r->status == 404 ? Code::kNotFound : Code::kFailedPrecondition,
                  "las refused: " + net::ErrorMessageOf(*r));
  }
  json body = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidArgument("las sent a malformed response");
  }
  return body;
}

Status Quote(Context& ctx, const LasArgs& args) {
  SCONE_ASSIGN_OR_RETURN(auto ep, LasEndpoint(args.las));
  auto rd = HexDecode(args.report_data);
  if (!rd.ok()) return rd.status().WithContext("--report-data");
  if (rd->size() > 64) return InvalidArgument("--report-data: at most 64 bytes (128 hex digits)");
  json req = {{"report_data", HexEncode(*rd)}};
  if (!args.program.empty()) {
    if (ep.is_unix()) {
      return InvalidArgument(
          "--program is not accepted on the Unix socket, where las measures the caller "
          "itself; only a las started with --only_for_testing-tcp ADDR:PORT quotes a named "
          "program, at that TCP address, and always as DEBUG");
    }
    req["program"] = std::filesystem::absolute(args.program).string();
  } else if (!ep.is_unix()) {
    return InvalidArgument(
        "over TCP las quotes only a named program (--program PATH), and only when started "
        "with --only_for_testing-tcp; leave out --las to be measured on las's Unix socket");
  }
  SCONE_ASSIGN_OR_RETURN(json res,
                         CallLas(ep, {"POST", "/v1/quote", "application/json", req.dump()}));
  if (!res.contains("quote") || !res["quote"].is_string()) {
    return InvalidArgument("las sent no quote");
  }
  auto quote = HexDecode(res["quote"].get<std::string>());
  if (!quote.ok()) return InvalidArgument("las sent a malformed quote");
  SCONE_RETURN_IF_ERROR(WriteFileAtomic(args.out, *quote, 0644));
  if (ctx.output_format() == OutputFormat::kJson) {
    ctx.PrintJson({{"quote_file", args.out}, {"enclave", res.value("enclave", json::object())}});
  } else {
    ctx.out() << "Quote (" << quote->size() << " bytes) written to " << args.out << "\n";
  }
  return Status::Ok();
}

Status Collateral(Context& ctx, const LasArgs& args) {
  SCONE_ASSIGN_OR_RETURN(auto ep, LasEndpoint(args.las));
  SCONE_ASSIGN_OR_RETURN(json res, CallLas(ep, {"GET", "/v1/collateral", "", ""}));
  auto c = attestation::CollateralFromJson(res.value("collateral", json()));
  if (!c.ok()) return c.status().WithContext("las sent malformed collateral");
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
