#include <errno.h>
#include <sys/resource.h>

#include <cstring>
#include <string>

#include "service/process_hardening.h"

namespace gg::service {

Status HardenProcess() {
  const struct rlimit no_core = {0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0)
    return MakeError(
        ErrorCode::kHarden,
        std::string("setrlimit(RLIMIT_CORE): ") + std::strerror(errno));
  return Ok();
}

}  // namespace gg::service
