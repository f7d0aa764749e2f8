#include "common/resource_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace scone {
namespace {

constexpr rlim_t kMaxUseful = rlim_t{1} << 20;

size_t Capped(rlim_t v) {
  return static_cast<size_t>(v == RLIM_INFINITY ? kMaxUseful : std::min(v, kMaxUseful));
}

}  // namespace

size_t OpenFileLimit() {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return 1024;
  return Capped(l.rlim_cur);
}

size_t RaiseOpenFileLimit() {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return 1024;
  rlim_t target = l.rlim_max == RLIM_INFINITY ? kMaxUseful : l.rlim_max;
  if (l.rlim_cur != RLIM_INFINITY && l.rlim_cur < target) {
    rlimit raised = l;
    raised.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) l = raised;
  }
  return Capped(l.rlim_cur);
}

}  // namespace scone
