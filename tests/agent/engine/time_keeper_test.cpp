// estimatedNow and clock-rollback detection (agent.md §3 "Time").
#include "agent/engine/time_keeper.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>

#include "tests/fakes/fake_clock.h"

namespace gg::agent {
namespace {

using std::chrono::seconds;

constexpr long long kT0 = 1763790000;
constexpr long long kTolerance = 300;

struct Case {
  std::string name;
  TimeMarks persisted;
  long long run_seconds = 0;             // monotonic + wall advance
  std::optional<long long> wall_set_to;  // then the wall clock is set
  std::optional<long long> server_time;  // T, received at start
  long long expect_now;
  bool expect_rollback;
};

// Each row: the max of the three terms, and rollback only past tolerance.
TEST(TimeKeeperTest, Table) {
  const Case cases[] = {
      {"no marks: the wall clock",
       {},
       10,
       std::nullopt,
       std::nullopt,
       kT0 + 10,
       false},
      {"wall ahead of the mark",
       {kT0 - 100, kT0 - 100, {}},
       10,
       std::nullopt,
       std::nullopt,
       kT0 + 10,
       false},
      {"mark ahead of the wall: H + monotonic",
       {kT0 + 1000, kT0, {}},
       10,
       std::nullopt,
       std::nullopt,
       kT0 + 1010,
       false},
      {"clock set back within tolerance",
       {kT0, kT0, {}},
       10,
       kT0 - 200,
       std::nullopt,
       kT0 + 10,
       false},
      {"clock set back past tolerance: rollback, time still advances",
       {kT0, kT0, {}},
       10,
       kT0 - 301 - 10,
       std::nullopt,
       kT0 + 10,
       true},
      {"clock set back, no marks yet: no rollback",
       {},
       10,
       kT0 - 10000,
       std::nullopt,
       kT0 - 10000,
       false},
      {"server time ahead: T + monotonic, not a rollback",
       {kT0, kT0, {}},
       10,
       std::nullopt,
       kT0 + 5000,
       kT0 + 5010,
       false},
      {"server time behind: the wall wins",
       {kT0, kT0, {}},
       10,
       std::nullopt,
       kT0 - 5000,
       kT0 + 10,
       false},
      {"wall mark ahead alone (server ran ahead earlier) is tampering",
       {kT0, kT0 + 1000, {}},
       0,
       std::nullopt,
       std::nullopt,
       kT0,
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::FakeClock clock(FromUnixSeconds(kT0));
    TimeKeeper keeper(clock, kTolerance, c.persisted);
    if (c.server_time) {
      keeper.OnServerTime(FromUnixSeconds(*c.server_time));
    }
    clock.Advance(seconds(c.run_seconds));
    if (c.wall_set_to) {
      clock.SetWall(FromUnixSeconds(*c.wall_set_to));
    }
    EXPECT_EQ(keeper.EstimatedNowSeconds(), c.expect_now);
    EXPECT_EQ(keeper.RollbackDetected(), c.expect_rollback);
  }
}

// Persisting raises the wall mark, so a later rollback in the same run is
// seen; fixing the clock clears the flag.
TEST(TimeKeeperTest, RollbackAfterPersistInTheSameRun) {
  testing::FakeClock clock(FromUnixSeconds(kT0));
  TimeKeeper keeper(clock, kTolerance, {});
  clock.Advance(seconds(3600));
  const TimeMarks marks = keeper.MarksToPersist();
  EXPECT_EQ(marks.high_water, kT0 + 3600);
  EXPECT_EQ(marks.wall_high_water, kT0 + 3600);
  clock.SetWall(FromUnixSeconds(kT0));
  EXPECT_TRUE(keeper.RollbackDetected());
  // estimatedNow never runs backwards: monotonic since start still counts
  // only when a mark was read at start; here the wall is all it had, so the
  // persisted mark is what protects the next start.
  TimeKeeper next(clock, kTolerance, marks);
  EXPECT_EQ(next.EstimatedNowSeconds(), kT0 + 3600);
  EXPECT_TRUE(next.RollbackDetected());
  clock.SetWall(FromUnixSeconds(kT0 + 3600));
  EXPECT_FALSE(next.RollbackDetected());
}

// The high-water mark persisted is estimatedNow, not the wall clock.
TEST(TimeKeeperTest, MarksToPersistUsesEstimatedNow) {
  testing::FakeClock clock(FromUnixSeconds(kT0));
  TimeKeeper keeper(clock, kTolerance, {kT0 + 500, kT0, {}});
  clock.Advance(seconds(60));
  const TimeMarks marks = keeper.MarksToPersist();
  EXPECT_EQ(marks.high_water, kT0 + 560);
  EXPECT_EQ(marks.wall_high_water, kT0 + 60);
}

struct StartCase {
  std::string name;
  TimeMarks persisted;
  std::optional<BootStamp> boot_now;
  std::optional<long long> floor;
  std::optional<long long> expect;
};

// H at start: the exact downtime within one boot, this boot's whole uptime
// plus the minimum charge after a reboot, the charge alone when no boot is
// known, and never below the signed floor.
TEST(TimeKeeperTest, HighWaterAtStartTable) {
  constexpr long long kCharge = 60;
  const BootMark mark{"boot-a", 1000, kT0};
  const StartCase cases[] = {
      {"nothing persisted, no floor", {}, BootStamp{"boot-a", 5}, {}, {}},
      {"nothing persisted: the floor", {}, std::nullopt, kT0 - 5, kT0 - 5},
      {"same boot: mark + time down (SIGKILL loses nothing)",
       {kT0, kT0, mark},
       BootStamp{"boot-a", 1000 + 777},
       {},
       kT0 + 777},
      {"same boot, no time down",
       {kT0, kT0, mark},
       BootStamp{"boot-a", 1000},
       {},
       kT0},
      {"another boot: + charge + this boot's uptime",
       {kT0, kT0, mark},
       BootStamp{"boot-b", 30},
       {},
       kT0 + kCharge + 30},
      {"boot clock behind the mark (edited): as another boot",
       {kT0, kT0, mark},
       BootStamp{"boot-a", 10},
       {},
       kT0 + kCharge + 10},
      {"no boot known now: + charge",
       {kT0, kT0, mark},
       std::nullopt,
       {},
       kT0 + kCharge},
      {"marks of an older agent (no boot mark): + charge",
       {kT0, kT0, std::nullopt},
       BootStamp{"boot-a", 5000},
       {},
       kT0 + kCharge},
      {"the signed floor wins over lowered marks",
       {kT0 - 100000, kT0, BootMark{"boot-a", 1000, kT0 - 100000}},
       BootStamp{"boot-a", 1001},
       kT0,
       kT0},
      {"deleted high-water row: the boot mark still counts",
       {std::nullopt, kT0, mark},
       BootStamp{"boot-a", 1010},
       {},
       kT0 + 10},
      {"sums saturate",
       {std::numeric_limits<long long>::max() - 1, kT0, std::nullopt},
       std::nullopt,
       {},
       std::numeric_limits<long long>::max()},
  };
  for (const StartCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(HighWaterAtStart(c.persisted, c.boot_now, kCharge, c.floor),
              c.expect);
  }
}

// The boot mark goes with the high-water mark and reads back as written.
TEST(TimeKeeperTest, MarksCarryTheBootReading) {
  testing::FakeClock clock(FromUnixSeconds(kT0));
  clock.SetBoot("3f1c2a9e-0000-4000-8000-000000000001", 500);
  TimeKeeper keeper(clock, kTolerance, {});
  clock.Advance(seconds(20));
  const TimeMarks marks = keeper.MarksToPersist();
  ASSERT_TRUE(marks.boot);
  EXPECT_EQ(marks.boot->boot_id, "3f1c2a9e-0000-4000-8000-000000000001");
  EXPECT_EQ(marks.boot->since_boot_seconds, 520);
  EXPECT_EQ(marks.boot->high_water, kT0 + 20);
  EXPECT_EQ(ParseBootMark(FormatBootMark(*marks.boot)), marks.boot);
  EXPECT_FALSE(ParseBootMark(""));
  EXPECT_FALSE(ParseBootMark("id 12"));
  EXPECT_FALSE(ParseBootMark("id -1 5"));
  EXPECT_FALSE(ParseBootMark("id x 5"));
}

}  // namespace
}  // namespace gg::agent
