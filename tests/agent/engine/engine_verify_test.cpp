// Cached rows are verified after start, never before they are used: Start
// checks no signature; a row asked for is checked on demand (a tampered one
// never answers: it is deleted and the ask goes upstream); the rest are
// checked in the background, each once.
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

  // Before the background pass has run: verified on demand.
  auto tampered = Ask("TAMPERED");
  EXPECT_EQ(store_.checks, 1);
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
  // Its first batch (all three rows) was taken at start, before the ask
  // checked TAMPERED on demand: that one was checked twice, the rest once.
  EXPECT_EQ(store_.checks, 4);
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 2u);
  auto later = Ask("LATER");
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ(SourceName((*later)->source), "cache");
  EXPECT_EQ(store_.checks, 4);  // verified once: no check on later asks
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

}  // namespace
}  // namespace gg::agent::test
