// Beast buffers and bodies that wipe their memory when they free it (common/secret.h's
// WipingAllocator), for every buffer of net's own that holds message bytes (docs/net.md,
// "Secrets in bodies"). Shared by the server's sessions and the client. Not part of the API.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "common/secret.h"

namespace scone::net::wiping_internal {

// A read buffer whose storage is wiped when freed or given up on growth.
using FlatBuffer = boost::beast::basic_flat_buffer<WipingAllocator<char>>;
// A message body (a string) whose storage is wiped when freed or given up on growth.
using StringBody =
    boost::beast::http::basic_string_body<char, std::char_traits<char>, WipingAllocator<char>>;

}  // namespace scone::net::wiping_internal
