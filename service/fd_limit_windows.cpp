#include "service/fd_limit.h"

namespace gg::service {

std::optional<long long> RaiseFdLimit() {
  return std::nullopt;  // handles are limited per system, not per process
}

}  // namespace gg::service
