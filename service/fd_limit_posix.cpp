#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "service/fd_limit.h"

namespace gg::service {
namespace {

// macOS reports an unlimited hard limit that setrlimit refuses for files.
constexpr rlim_t kMaxSensible = 1 << 20;

}  // namespace

std::optional<long long> RaiseFdLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot read the open-file limit: {}", std::strerror(errno));
    return std::nullopt;
  }
  const rlim_t wanted = std::min(limit.rlim_max, kMaxSensible);
  if (limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit = raised;
    } else {
      spdlog::warn("cannot raise the open-file limit from {} to {}: {}",
                   static_cast<long long>(limit.rlim_cur),
                   static_cast<long long>(wanted), std::strerror(errno));
    }
  }
  return static_cast<long long>(std::min(limit.rlim_cur, kMaxSensible));
}

}  // namespace gg::service
