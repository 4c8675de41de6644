// SystemClock::Boot on Linux: the kernel's random boot id and
// CLOCK_BOOTTIME, which, unlike CLOCK_MONOTONIC, goes on during suspend
// and, unlike the wall clock, cannot be set.
#include <time.h>

#include <fstream>
#include <string>

#include "platform/clock.h"

namespace gg {
namespace {

std::string ReadBootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  // A UUID: 36 characters. Anything else is no boot id at all.
  return id.size() == 36 ? id : std::string();
}

}  // namespace

std::optional<BootStamp> SystemClock::Boot() const {
  // The id cannot change while the process lives: read it once.
  static const std::string boot_id = ReadBootId();
  struct timespec ts {};
  if (boot_id.empty() || ::clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
    return std::nullopt;
  return BootStamp{boot_id, static_cast<long long>(ts.tv_sec)};
}

}  // namespace gg
