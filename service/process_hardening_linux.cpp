#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstring>
#include <string>

#include "service/process_hardening.h"

namespace gg::service {

Status HardenProcess() {
  // Not dumpable: also what stops another process of the agent's own user
  // from reading its memory through /proc or ptrace.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return MakeError(
        ErrorCode::kHarden,
        std::string("prctl(PR_SET_DUMPABLE): ") + std::strerror(errno));
  const struct rlimit no_core = {0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0)
    return MakeError(
        ErrorCode::kHarden,
        std::string("setrlimit(RLIMIT_CORE): ") + std::strerror(errno));
  return Ok();
}

}  // namespace gg::service
