#include "cli/https.h"

namespace scone {
namespace net {

// PENDING: stand-in until src/net's HTTPS client is merged (see https.h); delete then.
Result<HttpResponse> HttpsCall(const Endpoint& endpoint, const HttpRequest& /*request*/,
                               const TlsClientOptions& /*options*/) {
  return Status(Code::kUnavailable, "cannot connect to " + endpoint.ToString() +
                                        ": this scone was built without the HTTPS client");
}

}  // namespace net

namespace cli {

HttpsTransport RealHttpsTransport() { return net::HttpsCall; }

}  // namespace cli
}  // namespace scone
