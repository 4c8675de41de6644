// systemd socket activation (sd_listen_fds(3)), our own few lines: the
// protocol is documented as stable. Pure: service/ reads the environment
// and passes the strings in (no getenv outside service/).
#ifndef GG_IPC_LISTEN_FDS_H_
#define GG_IPC_LISTEN_FDS_H_

#include <optional>
#include <string>
#include <vector>

#include "platform/result.h"

namespace gg::ipc {

inline constexpr int kListenFdsStart = 3;  // SD_LISTEN_FDS_START

// Returns the inherited descriptors (3, 4, ...), or an empty list when
// nothing was handed to this process: LISTEN_PID absent or another pid's.
// A malformed value is an error (a unit file mistake worth stopping for).
Result<std::vector<int>> ParseListenFds(
    const std::optional<std::string>& listen_pid,
    const std::optional<std::string>& listen_fds,
    long long own_pid);

}  // namespace gg::ipc

#endif  // GG_IPC_LISTEN_FDS_H_
