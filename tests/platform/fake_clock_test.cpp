// The fake clock moves wall and monotonic time together, and the wall clock
// alone when it is set.
#include <gtest/gtest.h>

#include "platform/time_format.h"
#include "tests/fakes/fake_clock.h"

namespace gg::testing {
namespace {

// Advance moves both clocks; SetWall moves only the wall clock, backwards too.
TEST(FakeClock, AdvanceAndSetWall) {
  FakeClock clock;
  auto wall0 = clock.Now();
  auto mono0 = clock.Monotonic();
  clock.Advance(std::chrono::seconds(90));
  EXPECT_EQ(clock.Now() - wall0, std::chrono::seconds(90));
  EXPECT_EQ(clock.Monotonic() - mono0, std::chrono::seconds(90));
  clock.SetWall(wall0 - std::chrono::hours(1));
  EXPECT_EQ(UnixSeconds(clock.Now()), UnixSeconds(wall0) - 3600);
  EXPECT_EQ(clock.Monotonic() - mono0, std::chrono::seconds(90));
}

}  // namespace
}  // namespace gg::testing
