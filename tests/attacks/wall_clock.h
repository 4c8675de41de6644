// The real wall clock, for the attack tests that wait for a cached verdict
// to come due (a verdict's signed time plus its refresh interval).
#ifndef GG_TESTS_ATTACKS_WALL_CLOCK_H_
#define GG_TESTS_ATTACKS_WALL_CLOCK_H_

#include <chrono>

#include "tests/integration/agent_process.h"

namespace gg::e2e {

inline long long WallNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Waits until the wall clock has passed `t` (Unix seconds).
inline void WaitForWallClockPast(long long t) {
  PollUntil([&] { return WallNow() > t; }, std::chrono::seconds(30));
}

}  // namespace gg::e2e

#endif  // GG_TESTS_ATTACKS_WALL_CLOCK_H_
