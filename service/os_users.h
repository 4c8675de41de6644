// Account look-ups the agent needs at start (ipc.allowedGroups names).
#ifndef GG_SERVICE_OS_USERS_H_
#define GG_SERVICE_OS_USERS_H_

#include <string>
#include <vector>

#include "platform/result.h"

namespace gg::service {

// The ids of the named groups; an error naming the first unknown group.
// Windows has no numeric groups here: an error when `names` is not empty.
[[nodiscard]] Result<std::vector<long long>> GroupIds(
    const std::vector<std::string>& names);

}  // namespace gg::service

#endif  // GG_SERVICE_OS_USERS_H_
