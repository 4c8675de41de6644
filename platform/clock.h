// Clock: the one seam through which code reads time.
//
// Wall time (system_clock) can jump in both directions; monotonic time
// (steady_clock) only moves forward and only within one boot. Code that
// measures ages or deadlines asks for the one it means. Tests pass a
// FakeClock (tests/fakes/fake_clock.h). Implementations are thread-safe.
#ifndef GG_PLATFORM_CLOCK_H_
#define GG_PLATFORM_CLOCK_H_

#include <chrono>

namespace gg {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  virtual MonoTime Monotonic() const = 0;
};

// The real clocks of the operating system.
class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
};

// Whole Unix seconds of a wall time (floor).
inline long long UnixSeconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

inline WallTime FromUnixSeconds(long long s) {
  return WallTime(std::chrono::seconds(s));
}

}  // namespace gg

#endif  // GG_PLATFORM_CLOCK_H_
