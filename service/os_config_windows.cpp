#include "service/os_config.h"

namespace gg::service {

// The pipe's DACL decides who may connect on Windows; uids and POSIX group
// names have no meaning there, and accepting them silently would leave an
// admin believing in a restriction that does not exist.
Status CheckConfigForThisOs(const config::Config& config) {
  if (config.ipc.allowed_uids)
    return MakeError(ErrorCode::kConfig,
                     "ipc.allowedUids: not supported on Windows (the pipe's "
                     "DACL decides who may connect); remove it or set null");
  if (config.ipc.allowed_groups)
    return MakeError(ErrorCode::kConfig,
                     "ipc.allowedGroups: not supported on Windows (the pipe's "
                     "DACL decides who may connect); remove it or set null");
  return Ok();
}

}  // namespace gg::service
