#include "cli/https.h"

namespace scone::cli {

HttpsTransport RealHttpsTransport() { return net::HttpsCall; }

}  // namespace scone::cli
