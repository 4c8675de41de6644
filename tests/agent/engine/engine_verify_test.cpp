// Cached rows are verified after start, never before they are used: Start
// checks no signature and reads no row; the worker reads and checks them a
// page at a time, and every authorize waits for that pass (the newest
// signed time among the rows is the clock's floor). A tampered row never
// answers: it is deleted and the ask goes upstream.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

using std::chrono::milliseconds;
using testing::VerdictSpec;

bool Logged(const std::vector<std::string>& log, const std::string& line) {
  return std::find(log.begin(), log.end(), line) != log.end();
}

TEST_F(EngineTest, TamperedRowAskedRightAfterStartNeverAllows) {
  Seed(VerdictSpec{.license_key = "GOOD"}, kT0);
  Seed(VerdictSpec{.license_key = "TAMPERED"}, kT0);
  Seed(VerdictSpec{.license_key = "LATER"}, kT0);
  store_.bad_signatures.insert("TAMPERED");
  StartEngine(/*finish_start_pass=*/false);
  EXPECT_EQ(store_.checks, 0);  // READY did not wait for them
  EXPECT_EQ(store_.page_reads, 0);

  // Before the pass has run: the asks wait for it.
  auto tampered = Ask("TAMPERED");
  auto good = Ask("GOOD");
  EXPECT_FALSE(tampered->has_value());
  EXPECT_FALSE(good->has_value());
  EXPECT_EQ(upstream_.calls(), 0u);

  scheduler_.RunUntilIdle();    // the pass
  EXPECT_EQ(store_.checks, 3);  // each row once
  EXPECT_TRUE(Logged(store_.log, "delete:TAMPERED"));
  ASSERT_TRUE(good->has_value());
  EXPECT_TRUE((*good)->allow);
  EXPECT_EQ(SourceName((*good)->source), "cache");
  // Not from the cache: upstream.
  EXPECT_FALSE(tampered->has_value());
  ASSERT_EQ(upstream_.calls(), 1u);
  Answer(0, Offline());
  ASSERT_TRUE(tampered->has_value());
  EXPECT_FALSE((*tampered)->allow);
  EXPECT_EQ((*tampered)->reason_code, "AGENT_OFFLINE");

  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 2u);
  auto later = Ask("LATER");
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ(SourceName((*later)->source), "cache");
  EXPECT_EQ(store_.checks, 3);  // no check on later asks
}

TEST_F(EngineTest, StartPassDropsTamperedRows) {
  Seed(VerdictSpec{.license_key = "GOOD"}, kT0);
  Seed(VerdictSpec{.license_key = "TAMPERED"}, kT0);
  store_.bad_signatures.insert("TAMPERED");
  StartEngine(/*finish_start_pass=*/false);
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
// signature checked, so the first decision after start waits for the
// whole pass (one row signed an hour after the clock here): the old row's
// grace has run out, even asked at once.
TEST_F(EngineTest, FirstAskAfterStartSeesTheNewestSignedTime) {
  Seed(
      VerdictSpec{
          .license_key = "OLD", .server_time = kT0, .grace_seconds = 1800},
      kT0);
  Seed(VerdictSpec{.license_key = "NEWER", .server_time = kT0 + 3600}, kT0);
  StartEngine(/*finish_start_pass=*/false);
  EXPECT_EQ(store_.checks, 0);  // READY did not wait for them

  auto old = Ask("OLD");  // before the pass has run
  scheduler_.RunUntilIdle();
  EXPECT_EQ(store_.checks, 2);
  ASSERT_FALSE(old->has_value());  // not from the cache: upstream
  Answer(0, Offline());
  ASSERT_TRUE(old->has_value());
  EXPECT_FALSE((*old)->allow);
  EXPECT_EQ((*old)->reason_code, "OFFLINE_GRACE_EXPIRED");
}

// The pass reads a page at a time: more rows than one page all arrive,
// and the memory bound holds while they do.
TEST_F(EngineTest, StartPassReadsPagesAndKeepsTheBound) {
  options_.max_cached_verdicts = 50;
  for (int i = 0; i < 150; ++i) {
    Seed(VerdictSpec{.license_key = "K" + std::to_string(1000 + i)}, kT0);
  }
  StartEngine();
  EXPECT_EQ(store_.page_reads, 3);  // 64 + 64 + 22
  EXPECT_EQ(store_.checks, 150);
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 150u);
  EXPECT_LE(engine_->StatusSnapshot().tracked_keys, 50u);
  // One past the bound is read back from disk, verified again, and
  // answers from the cache with no upstream call.
  auto far = Ask("K1149");
  EXPECT_FALSE(far->has_value());  // waits for the worker
  scheduler_.RunUntilIdle();
  ASSERT_TRUE(far->has_value());
  EXPECT_TRUE((*far)->allow);
  EXPECT_EQ(SourceName((*far)->source), "cache");
  EXPECT_TRUE(Logged(store_.log, "load:K1149"));
  EXPECT_EQ(store_.checks, 151);
  EXPECT_EQ(upstream_.calls(), 0u);
}

// A read error of the pass is retried; asks meanwhile are refused at their
// deadline with AGENT_OFFLINE, never decided without H's floor.
TEST_F(EngineTest, StartPassReadErrorIsRetriedAndAsksFailClosed) {
  Seed(VerdictSpec{.license_key = "GOOD"}, kT0);
  store_.fail_reads = true;
  StartEngine();
  auto ask = Ask("GOOD");
  scheduler_.RunUntilIdle();
  EXPECT_FALSE(ask->has_value());
  scheduler_.Advance(options_.request_deadline);
  ASSERT_TRUE(ask->has_value());
  EXPECT_FALSE((*ask)->allow);
  EXPECT_EQ((*ask)->reason_code, "AGENT_OFFLINE");
  EXPECT_EQ(upstream_.calls(), 0u);
  const auto& errors = engine_->MetricsSnapshot().counters.store_errors;
  EXPECT_GE(errors[static_cast<std::size_t>(StoreOp::kLoadVerdict)], 1u);

  store_.fail_reads = false;
  scheduler_.Advance(std::chrono::seconds(1));  // the retry
  auto again = Ask("GOOD");
  ASSERT_TRUE(again->has_value());
  EXPECT_TRUE((*again)->allow);
  EXPECT_EQ(SourceName((*again)->source), "cache");
}

}  // namespace
}  // namespace gg::agent::test
