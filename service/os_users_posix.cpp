#include <grp.h>

#include "service/os_users.h"

namespace gg::service {

Result<std::vector<long long>> GroupIds(const std::vector<std::string>& names) {
  std::vector<long long> ids;
  for (const auto& name : names) {
    struct group* g = ::getgrnam(name.c_str());
    if (!g)
      return MakeError(ErrorCode::kConfig,
                       "ipc.allowedGroups: no group named " + name);
    ids.push_back(static_cast<long long>(g->gr_gid));
  }
  return ids;
}

}  // namespace gg::service
