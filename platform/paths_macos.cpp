#include "platform/paths.h"

namespace gg {

DefaultPaths SystemPaths() {
  return {"/Library/Application Support/GeckoGuard/Agent/config.json",
          "/Library/Application Support/GeckoGuard/Agent/state",
          "/var/run/gg-agent/agent.sock", "/Library/Logs/GeckoGuard"};
}

std::filesystem::path UserSocketPath(const std::filesystem::path& runtime_dir) {
  return runtime_dir / "gg-agent" / "agent.sock";
}

}  // namespace gg
