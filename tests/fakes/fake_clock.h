// A Clock that moves only when told: wall and monotonic time advance
// together with Advance(); SetWall() moves the wall clock alone, as an admin
// setting the date would.
#ifndef GG_TESTS_FAKES_FAKE_CLOCK_H_
#define GG_TESTS_FAKES_FAKE_CLOCK_H_

#include <atomic>
#include <chrono>

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

 private:
  std::atomic<WallTime::rep> wall_;
  std::atomic<MonoTime::rep> mono_{0};
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_FAKE_CLOCK_H_
