// `gg-agent run` from the POSIX main: reads what systemd hands over
// (LISTEN_FDS, NOTIFY_SOCKET, WATCHDOG_USEC) and runs the agent.
#ifndef GG_SERVICE_POSIX_RUN_H_
#define GG_SERVICE_POSIX_RUN_H_

#include <filesystem>

namespace gg::service {

// Returns the process exit code (see RunAgent).
int RunFromPosixMain(const std::filesystem::path& config_path);

}  // namespace gg::service

#endif  // GG_SERVICE_POSIX_RUN_H_
