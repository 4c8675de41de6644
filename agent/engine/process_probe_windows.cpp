// Windows: the start time is the process creation FILETIME; a process that
// has exited but whose handle is still held by someone is not alive.
#include <windows.h>

#include "agent/engine/process_probe.h"

namespace gg::agent {
namespace {

class WindowsProcessProbe final : public ProcessProbe {
 public:
  std::optional<std::uint64_t> StartTime(int pid) override {
    if (pid <= 0) {
      return std::nullopt;
    }
    HANDLE process = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                                   static_cast<DWORD>(pid));
    if (process == nullptr) {
      return std::nullopt;
    }
    std::optional<std::uint64_t> result;
    DWORD exit_code = 0;
    FILETIME created{}, exited{}, kernel{}, user{};
    if (::GetExitCodeProcess(process, &exit_code) != 0 &&
        exit_code == STILL_ACTIVE &&
        ::GetProcessTimes(process, &created, &exited, &kernel, &user) != 0) {
      result = (static_cast<std::uint64_t>(created.dwHighDateTime) << 32) |
               created.dwLowDateTime;
    }
    ::CloseHandle(process);
    return result;
  }
};

}  // namespace

std::unique_ptr<ProcessProbe> MakeSystemProcessProbe() {
  return std::make_unique<WindowsProcessProbe>();
}

}  // namespace gg::agent
