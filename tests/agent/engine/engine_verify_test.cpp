// Cached rows are verified after start, never before they are used: Start
// checks no signature and reads no row; the worker reads every row's
// claimed signed times a page at a time (the newest is the clock's floor),
// and every authorize waits for that pass; then it checks every row in
// the background, and a row asked for before that is checked on demand. A
// tampered row never answers: it is deleted and the ask goes upstream.
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

  // Before the floor pass has run: the asks wait for it.
  auto tampered = Ask("TAMPERED");
  auto good = Ask("GOOD");
  EXPECT_FALSE(tampered->has_value());
  EXPECT_FALSE(good->has_value());
  EXPECT_EQ(upstream_.calls(), 0u);

  scheduler_.RunUntilIdle();  // both passes, and the asked rows' reads
  EXPECT_TRUE(Logged(store_.log, "load:TAMPERED"));
  EXPECT_TRUE(Logged(store_.log, "load:GOOD"));
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
  const int checks = store_.checks;
  auto later = Ask("LATER");  // verified by the background pass
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ(SourceName((*later)->source), "cache");
  EXPECT_EQ(store_.checks, checks);  // no check on later asks
  EXPECT_FALSE(Logged(store_.log, "load:LATER"));
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
// newest time a server signed into the cache. That floor needs every
// row's signed times read, so the first decision after start waits for
// the floor pass (one row signed an hour after the clock here): the old
// row's grace has run out, even asked at once.
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
  ASSERT_FALSE(old->has_value());  // not from the cache: upstream
  Answer(0, Offline());
  ASSERT_TRUE(old->has_value());
  EXPECT_FALSE((*old)->allow);
  EXPECT_EQ((*old)->reason_code, "OFFLINE_GRACE_EXPIRED");
}

// The passes read a page at a time: more rows than one page all arrive,
// and the memory bound holds while they do.
TEST_F(EngineTest, StartPassReadsPagesAndKeepsTheBound) {
  options_.max_cached_verdicts = 50;
  for (int i = 0; i < 150; ++i) {
    Seed(VerdictSpec{.license_key = "K" + std::to_string(1000 + i)}, kT0);
  }
  StartEngine();
  EXPECT_EQ(store_.page_reads, 1 + 3);  // floor: 150; verify: 64 + 64 + 22
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

// A forged row (no signing key) that claims a signed time far ahead only
// moves the clock's floor forward: a genuine verdict then looks older,
// never younger (fail closed), and the forged row itself never answers.
TEST_F(EngineTest, ForgedClaimedTimeOnlyRaisesTheFloor) {
  Seed(VerdictSpec{.license_key = "REAL", .grace_seconds = 1800}, kT0);
  Seed(VerdictSpec{.license_key = "FORGED", .server_time = kT0 + 7200}, kT0);
  store_.bad_signatures.insert("FORGED");
  StartEngine();
  auto real = Ask("REAL");
  scheduler_.RunUntilIdle();
  ASSERT_FALSE(real->has_value());  // past its grace by the floor: upstream
  Answer(0, Offline());
  ASSERT_TRUE(real->has_value());
  EXPECT_FALSE((*real)->allow);
  EXPECT_EQ((*real)->reason_code, "OFFLINE_GRACE_EXPIRED");
  auto forged = Ask("FORGED");
  scheduler_.RunUntilIdle();
  EXPECT_FALSE(forged->has_value() && (*forged)->allow);
  EXPECT_TRUE(Logged(store_.log, "delete:FORGED"));
}

// A forged claim at the end of year 9999 (past what a clock holds) is
// clamped, not wrapped into the past: nothing cached answers an allow.
TEST_F(EngineTest, ForgedFarFutureClaimIsClampedNotWrapped) {
  Seed(VerdictSpec{.license_key = "REAL"}, kT0);
  Seed(VerdictSpec{.license_key = "FORGED", .server_time = 253402300799LL},
       kT0);
  store_.bad_signatures.insert("FORGED");
  StartEngine();
  auto real = Ask("REAL");
  scheduler_.RunUntilIdle();
  ASSERT_FALSE(real->has_value());  // stale by the floor: upstream
  Answer(0, Offline());
  ASSERT_TRUE(real->has_value());
  EXPECT_FALSE((*real)->allow);
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
