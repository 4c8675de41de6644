// SystemClock::Boot on Windows: no boot id the agent can trust (the boot
// time Windows reports is derived from the settable wall clock), so none:
// every start is then charged a minimum (agent.md §3, engine.cpp).
#include "platform/clock.h"

namespace gg {

std::optional<BootStamp> SystemClock::Boot() const {
  return std::nullopt;
}

}  // namespace gg
