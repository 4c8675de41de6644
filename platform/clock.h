// Clock: the one seam through which code reads time.
//
// Wall time (system_clock) can jump in both directions; monotonic time
// (steady_clock) only moves forward and only within one boot. Code that
// measures ages or deadlines asks for the one it means. Boot() names the
// boot and counts the time since it began, suspend included, so a process
// can tell how long it was not running within one boot (Linux:
// /proc/sys/kernel/random/boot_id and CLOCK_BOOTTIME). Tests pass a
// FakeClock (tests/fakes/fake_clock.h). Implementations are thread-safe.
#ifndef GG_PLATFORM_CLOCK_H_
#define GG_PLATFORM_CLOCK_H_

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <string>

namespace gg {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;

// Which boot this is, and whole seconds since it began (suspend included).
struct BootStamp {
  std::string boot_id;
  long long since_boot_seconds = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  virtual MonoTime Monotonic() const = 0;
  // nullopt where the OS names no boot (then nothing can be said about
  // time spent not running).
  virtual std::optional<BootStamp> Boot() const { return std::nullopt; }
};

// The real clocks of the operating system; Boot() is per OS
// (boot_clock_{linux,macos,windows}.cpp).
class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
  std::optional<BootStamp> Boot() const override;
};

// Whole Unix seconds of a wall time (floor).
inline long long UnixSeconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

inline WallTime FromUnixSeconds(long long s) {
  return WallTime(std::chrono::seconds(s));
}

// An instant in whole Unix seconds, signed 64-bit: what a server signs
// (serverTime, effectiveExpiresAt, the response timestamp). WallTime counts
// nanoseconds and ends in 2262, so a signed "9999-12-31T23:59:59Z" is held
// here, never in a WallTime; the two do not convert implicitly.
struct UnixTime {
  long long seconds = 0;
  friend auto operator<=>(const UnixTime&, const UnixTime&) = default;
};

inline long long UnixSeconds(UnixTime t) {
  return t.seconds;
}

inline UnixTime ToUnixTime(WallTime t) {
  return UnixTime{UnixSeconds(t)};
}

// a + b, held at the ends of long long instead of overflowing (grace and
// heartbeat sums of signed values an attacker may choose).
inline long long SaturatingAdd(long long a, long long b) {
  constexpr long long kMax = std::numeric_limits<long long>::max();
  constexpr long long kMin = std::numeric_limits<long long>::min();
  if (b > 0 && a > kMax - b)
    return kMax;
  if (b < 0 && a < kMin - b)
    return kMin;
  return a + b;
}

// The WallTime of `t`, held to 1770..2200 (kWallTimeLimitSeconds either
// side of 1970). WallTime's nanoseconds end in 2262; the rest is headroom,
// because callers add elapsed time to what they get (a high-water mark or
// the server's time plus monotonic time since), and that sum must not
// overflow either, whatever an edited database or a server says.
inline constexpr long long kWallTimeLimitSeconds = 7258118400;  // 2200-01-01
inline WallTime ToWallTimeClamped(UnixTime t) {
  return FromUnixSeconds(
      std::clamp(t.seconds, -kWallTimeLimitSeconds, kWallTimeLimitSeconds));
}

}  // namespace gg

#endif  // GG_PLATFORM_CLOCK_H_
