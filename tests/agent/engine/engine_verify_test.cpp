// Cached rows are verified after start, never before they are used: Start
// checks no signature; the first decision checks every row the background
// pass has not reached (a tampered one never answers: it is deleted and the
// ask goes upstream), since the newest signed time among them is the
// clock's floor; the background pass checks the rest.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

using testing::VerdictSpec;

bool Logged(const std::vector<std::string>& log, const std::string& line) {
  return std::find(log.begin(), log.end(), line) != log.end();
}

TEST_F(EngineTest, TamperedRowAskedRightAfterStartNeverAllows) {
  Seed(VerdictSpec{.license_key = "GOOD"}, kT0);
  Seed(VerdictSpec{.license_key = "TAMPERED"}, kT0);
  Seed(VerdictSpec{.license_key = "LATER"}, kT0);
  store_.bad_signatures.insert("TAMPERED");
  StartEngine();
  EXPECT_EQ(store_.checks, 0);  // READY did not wait for them

  // Before the background pass has run: all three verified at once.
  auto tampered = Ask("TAMPERED");
  EXPECT_EQ(store_.checks, 3);
  EXPECT_FALSE(tampered->has_value());  // not from the cache: upstream
  ASSERT_EQ(upstream_.calls(), 1u);
  Answer(0, Offline());
  ASSERT_TRUE(tampered->has_value());
  EXPECT_FALSE((*tampered)->allow);
  EXPECT_EQ((*tampered)->reason_code, "AGENT_OFFLINE");
  EXPECT_TRUE(Logged(store_.log, "delete:TAMPERED"));

  auto good = Ask("GOOD");
  ASSERT_TRUE(good->has_value());
  EXPECT_TRUE((*good)->allow);
  EXPECT_EQ(SourceName((*good)->source), "cache");

  scheduler_.RunUntilIdle();  // the background pass
  // Its first batch (all three rows) was taken at start, before the first
  // ask checked them on the loop: each was checked twice, and no more.
  EXPECT_EQ(store_.checks, 6);
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 2u);
  auto later = Ask("LATER");
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ(SourceName((*later)->source), "cache");
  EXPECT_EQ(store_.checks, 6);  // no check on later asks
}

TEST_F(EngineTest, BackgroundPassDropsTamperedRows) {
  Seed(VerdictSpec{.license_key = "GOOD"}, kT0);
  Seed(VerdictSpec{.license_key = "TAMPERED"}, kT0);
  store_.bad_signatures.insert("TAMPERED");
  StartEngine();
  // Counted until verified: each is checked before it answers.
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 2u);
  scheduler_.RunUntilIdle();
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 1u);
  EXPECT_TRUE(Logged(store_.log, "delete:TAMPERED"));
  auto tampered = Ask("TAMPERED");
  EXPECT_FALSE(tampered->has_value());  // nothing cached: upstream
  Answer(0, Offline());
  EXPECT_EQ((*tampered)->reason_code, "AGENT_OFFLINE");
}

// Root set the clock back and deleted the time marks: H then rests on the
// newest time a server signed into the cache. That floor needs every row's
// signature checked, so the first decision after start waits for the rows
// the background pass has not reached (one signed an hour after the clock
// here): the old row's grace has run out, even asked at once.
TEST_F(EngineTest, FirstAskAfterStartSeesTheNewestSignedTime) {
  Seed(
      VerdictSpec{
          .license_key = "OLD", .server_time = kT0, .grace_seconds = 1800},
      kT0);
  Seed(VerdictSpec{.license_key = "NEWER", .server_time = kT0 + 3600}, kT0);
  StartEngine();
  EXPECT_EQ(store_.checks, 0);  // READY did not wait for them

  auto old = Ask("OLD");  // before the background pass has run
  EXPECT_EQ(store_.checks, 2);
  ASSERT_FALSE(old->has_value());  // not from the cache: upstream
  Answer(0, Offline());
  ASSERT_TRUE(old->has_value());
  EXPECT_FALSE((*old)->allow);
  EXPECT_EQ((*old)->reason_code, "OFFLINE_GRACE_EXPIRED");
}

}  // namespace
}  // namespace gg::agent::test
