// Windows: a process handle opened with SYNCHRONIZE is signalled when the
// process exits, and while it is held the pid is not reused.
//
// Only SYNCHRONIZE is asked for, the one right a wait needs. The agent's
// service account (NT SERVICE\gg-agent) is not LocalSystem: the default
// DACL of another user's process grants it nothing, so for an app of
// another account the open is refused and Watch returns null; its detached
// session then ends after policy.sessionHeartbeatTimeoutSeconds without a
// heartbeat, and a connection-bound session when its pipe closes (which
// the kernel does when the app dies). Apps of the agent's own account, and
// any app when the agent runs as LocalSystem or an administrator, are
// watched as before.
#include <windows.h>

#include "platform/process_probe.h"

namespace gg {
namespace {

class WindowsProcessHandle final : public ProcessHandle {
 public:
  explicit WindowsProcessHandle(HANDLE process) : process_(process) {}
  ~WindowsProcessHandle() override { ::CloseHandle(process_); }
  WindowsProcessHandle(const WindowsProcessHandle&) = delete;
  WindowsProcessHandle& operator=(const WindowsProcessHandle&) = delete;

  bool Exited() override {
    return ::WaitForSingleObject(process_, 0) == WAIT_OBJECT_0;
  }

 private:
  HANDLE process_;
};

class ExitedHandle final : public ProcessHandle {
 public:
  bool Exited() override { return true; }
};

class WindowsProcessProbe final : public ProcessProbe {
 public:
  std::unique_ptr<ProcessHandle> Watch(int pid) override {
    if (pid <= 0) {
      return nullptr;
    }
    HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
    if (process == nullptr) {
      // No such process (ERROR_INVALID_PARAMETER); anything else (access
      // denied: another account's process) cannot be watched.
      if (::GetLastError() == ERROR_INVALID_PARAMETER) {
        return std::make_unique<ExitedHandle>();
      }
      return nullptr;
    }
    return std::make_unique<WindowsProcessHandle>(process);
  }
};

}  // namespace

std::unique_ptr<ProcessProbe> MakeSystemProcessProbe() {
  return std::make_unique<WindowsProcessProbe>();
}

}  // namespace gg
