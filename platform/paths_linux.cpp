#include "platform/paths.h"

namespace gg {

DefaultPaths SystemPaths() {
  return {"/etc/gg-agent/config.json",
          "/var/lib/gg-agent",
          "/run/gg-agent/agent.sock",
          {}};
}

std::filesystem::path UserSocketPath(const std::filesystem::path& runtime_dir) {
  return runtime_dir / "gg-agent" / "agent.sock";
}

}  // namespace gg
