// No systemd on Windows: the service control manager is told about the life
// cycle by WindowsServiceHost instead. These keep SystemdHost linkable (and
// inert: with no NOTIFY_SOCKET it sends nothing).
#include <windows.h>

#include "service/sd_notify.h"

namespace gg::service {

SystemdEnvironment ReadSystemdEnvironment() {
  return {};
}

std::int64_t CurrentProcessId() {
  return static_cast<std::int64_t>(::GetCurrentProcessId());
}

std::chrono::microseconds MonotonicNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

Status SendNotification(const NotifyTarget&, std::string_view) {
  return Ok();
}

}  // namespace gg::service
