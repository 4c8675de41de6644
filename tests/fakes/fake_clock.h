// A Clock that moves only when told: wall and monotonic time advance
// together with Advance(); SetWall() moves the wall clock alone, as an admin
// setting the date would.
#ifndef GG_TESTS_FAKES_FAKE_CLOCK_H_
#define GG_TESTS_FAKES_FAKE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "platform/clock.h"

namespace gg::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = FromUnixSeconds(1763790000))
      : wall_(start.time_since_epoch().count()) {}

  WallTime Now() const override {
    return WallTime(WallTime::duration(wall_.load()));
  }
  MonoTime Monotonic() const override {
    return MonoTime(MonoTime::duration(mono_.load()));
  }

  void Advance(std::chrono::nanoseconds d) {
    wall_ += std::chrono::duration_cast<WallTime::duration>(d).count();
    mono_ += std::chrono::duration_cast<MonoTime::duration>(d).count();
  }
  void SetWall(WallTime t) { wall_ = t.time_since_epoch().count(); }

  // Boot(): none until a boot id is set; then that id, and the monotonic
  // time plus `uptime_at_zero` as the seconds since boot. Set before other
  // threads use the clock.
  std::optional<BootStamp> Boot() const override {
    if (boot_id_.empty())
      return std::nullopt;
    return BootStamp{
        boot_id_,
        uptime_at_zero_ + std::chrono::duration_cast<std::chrono::seconds>(
                              MonoTime::duration(mono_.load()))
                              .count()};
  }
  void SetBoot(std::string boot_id, long long uptime_at_zero = 0) {
    boot_id_ = std::move(boot_id);
    uptime_at_zero_ = uptime_at_zero;
  }

 private:
  std::atomic<WallTime::rep> wall_;
  std::atomic<MonoTime::rep> mono_{0};
  std::string boot_id_;
  long long uptime_at_zero_ = 0;
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_FAKE_CLOCK_H_
