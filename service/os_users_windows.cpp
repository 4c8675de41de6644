#include "service/os_users.h"

namespace gg::service {

Result<std::vector<long long>> GroupIds(const std::vector<std::string>& names) {
  if (!names.empty())
    return MakeError(ErrorCode::kConfig,
                     "ipc.allowedGroups: not supported on Windows (the pipe's "
                     "DACL decides who may connect)");
  return std::vector<long long>{};
}

}  // namespace gg::service
