// Per-OS default locations of the agent's files.
//
// These are the system-service defaults of spec/agent.md §2 and spec/ipc.md;
// the config file overrides each. No environment is read here (that is
// service/'s job): user-mode paths are built from a runtime directory the
// caller looked up.
#ifndef GG_PLATFORM_PATHS_H_
#define GG_PLATFORM_PATHS_H_

#include <filesystem>

namespace gg {

struct DefaultPaths {
  std::filesystem::path config_file;  // /etc/gg-agent/config.json
  std::filesystem::path state_dir;    // /var/lib/gg-agent
  std::filesystem::path socket_path;  // /run/gg-agent/agent.sock, or a pipe
  std::filesystem::path log_dir;      // empty where logs go to stderr only
};

// Defaults for the agent run as a system service on this OS.
DefaultPaths SystemPaths();

// The socket path for an agent run by a user: `runtime_dir` is
// $XDG_RUNTIME_DIR (Linux) or $TMPDIR (macOS); ignored on Windows.
std::filesystem::path UserSocketPath(const std::filesystem::path& runtime_dir);

}  // namespace gg

#endif  // GG_PLATFORM_PATHS_H_
