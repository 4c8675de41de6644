// RunAgent: the whole daemon behind `gg-agent run`, shared by the POSIX main
// (systemd or foreground) and the Windows service main.
//
// The host (systemd notification, the Windows service control manager, or
// nothing) learns about the life cycle through ServiceHost; it steers the
// agent through the AgentControl it is handed once the agent is up.
#ifndef GG_SERVICE_RUN_AGENT_H_
#define GG_SERVICE_RUN_AGENT_H_

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gg::service {

// Thread-safe: may be called from any thread (a signal watcher, the SCM's
// control handler thread). Each call only posts work to the agent's loop.
class AgentControl {
 public:
  virtual ~AgentControl() = default;
  virtual void RequestStop() = 0;
  virtual void RequestReload() = 0;
};

// Life-cycle notifications, called on the agent's loop thread.
class ServiceHost {
 public:
  virtual ~ServiceHost() = default;
  // The agent is up; `control` stays valid until RunAgent returns.
  virtual void Started(AgentControl& control) { (void)control; }
  // The socket listens and the cache is loaded (systemd READY=1).
  virtual void Ready() {}
  // A one-line human status: online/offline and the session count.
  virtual void Status(const std::string& line) { (void)line; }
  virtual void Reloading() {}
  virtual void Stopping() {}
  // How often Watchdog() should be called; nullopt disables it.
  virtual std::optional<std::chrono::microseconds> WatchdogInterval() {
    return std::nullopt;
  }
  virtual void Watchdog() {}
};

struct RunOptions {
  std::filesystem::path config_path;
  // Listening sockets handed over by the service manager (systemd
  // LISTEN_FDS), already checked against LISTEN_PID; empty to bind.
  std::vector<int> inherited_fds;
  // Handle SIGTERM/SIGINT/SIGHUP itself (POSIX foreground and systemd).
  bool handle_signals = true;
  // Where log lines go; stderr when null (the Windows service points it at
  // a file under %ProgramData%, since a service has no console).
  std::ostream* log_out = nullptr;
};

// Runs until stopped. Returns the process exit code: 0 after a clean stop,
// 1 on a runtime failure (socket in use, no hardware part readable, ...),
// 2 on a bad configuration. Logs why before returning non-zero.
int RunAgent(const RunOptions& options, ServiceHost& host);

}  // namespace gg::service

#endif  // GG_SERVICE_RUN_AGENT_H_
