// SystemClock::Boot on macOS: kern.boottime names the boot (it changes only
// at a reboot), and CLOCK_MONOTONIC (mach_continuous_time) goes on during
// sleep.
#include <sys/sysctl.h>
#include <sys/time.h>
#include <time.h>

#include <string>

#include "platform/clock.h"

namespace gg {
namespace {

std::string ReadBootId() {
  struct timeval boot {};
  size_t size = sizeof boot;
  int mib[2] = {CTL_KERN, KERN_BOOTTIME};
  if (::sysctl(mib, 2, &boot, &size, nullptr, 0) != 0 || boot.tv_sec == 0)
    return std::string();
  return "boottime-" + std::to_string(boot.tv_sec) + "." +
         std::to_string(boot.tv_usec);
}

}  // namespace

std::optional<BootStamp> SystemClock::Boot() const {
  static const std::string boot_id = ReadBootId();
  struct timespec ts {};
  if (boot_id.empty() || ::clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return std::nullopt;
  return BootStamp{boot_id, static_cast<long long>(ts.tv_sec)};
}

}  // namespace gg
