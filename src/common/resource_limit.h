// Process resource limits that servers adjust at start.
#pragma once

#include <cstddef>

namespace scone {

// Raises the soft limit on open file descriptors (RLIMIT_NOFILE) to the hard limit, so that a
// server's connection caps, not a default of 1024, decide how many clients it holds. Returns
// the soft limit in force afterwards (unchanged if raising failed; an unlimited hard limit
// is capped at 1 << 20). Never lowers the limit.
size_t RaiseOpenFileLimit();

// The soft limit on open file descriptors now in force (capped like above).
size_t OpenFileLimit();

}  // namespace scone
