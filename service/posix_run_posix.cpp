#include <unistd.h>

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "ipc/listen_fds.h"
#include "service/environment.h"
#include "service/posix_run.h"
#include "service/run_agent.h"
#include "service/sd_notify.h"

namespace gg::service {
int RunFromPosixMain(const std::filesystem::path& config_path) {
  RunOptions options;
  options.config_path = config_path;
  auto fds = ipc::ParseListenFds(GetEnv("LISTEN_PID"), GetEnv("LISTEN_FDS"),
                                 ::getpid());
  if (!fds) {
    spdlog::error("socket activation: {}", fds.error().message);
    return 1;
  }
  options.inherited_fds = *fds;
  // The variables are for us alone: children must not inherit them.
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  SystemdHost host(ReadSystemdEnvironment(), CurrentProcessId());
  return RunAgent(options, host);
}

}  // namespace gg::service
