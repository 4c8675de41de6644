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

namespace gg {
namespace {

// RFC 3339 formatting of known instants, including before 1970 and leap days.
TEST(TimeFormat, Rfc3339KnownInstants) {
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(1763790001)), "2025-11-22T05:40:01Z");
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(951782400)), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(-1)), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace gg
