// The bounded in-memory cache (EngineOptions::max_cached_verdicts): the
// most recently used verdicts stay in memory, the rest stay on disk only
// and are read back and verified again when asked for; a key with a
// session never leaves memory; a row edited on disk meanwhile never
// answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

using testing::VerdictSpec;

bool Logged(const std::vector<std::string>& log, const std::string& line) {
  return std::find(log.begin(), log.end(), line) != log.end();
}

class EngineCacheTest : public EngineTest {
 protected:
  // Asks for `key` online (upstream call `call`), and releases its session.
  void AllowOnlineAndRelease(const std::string& key, std::size_t call) {
    auto r = Ask(key);
    ASSERT_FALSE(r->has_value());
    ASSERT_EQ(upstream_.calls(), call + 1);
    Answer(call, VerdictFor(call, {}));
    ASSERT_TRUE(r->has_value());
    ASSERT_TRUE((*r)->allow);
    ASSERT_TRUE(engine_->Release((*r)->session_id, kPrivileged));
  }
};

TEST_F(EngineCacheTest, LeastRecentlyUsedGoesToDiskAndComesBack) {
  options_.max_cached_verdicts = 2;
  StartEngine();
  AllowOnlineAndRelease("A", 0);
  AllowOnlineAndRelease("B", 1);
  auto hit = Ask("A");  // A is now the most recently used
  ASSERT_TRUE(hit->has_value());
  ASSERT_TRUE(engine_->Release((*hit)->session_id, kPrivileged));
  AllowOnlineAndRelease("C", 2);  // B goes to disk
  EngineStatus s = engine_->StatusSnapshot();
  EXPECT_EQ(s.cached_verdicts, 3u);
  EXPECT_EQ(s.tracked_keys, 2u);  // B's state went with its verdict

  auto a = Ask("A");  // still in memory: synchronous, no read
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(SourceName((*a)->source), "cache");
  EXPECT_FALSE(Logged(store_.log, "load:A"));

  auto b = Ask("B");
  EXPECT_FALSE(b->has_value());  // read back on the worker
  auto b2 = Ask("B");            // joins that read
  scheduler_.RunUntilIdle();
  ASSERT_TRUE(b->has_value());
  ASSERT_TRUE(b2->has_value());
  EXPECT_TRUE((*b)->allow);
  EXPECT_EQ(SourceName((*b)->source), "cache");
  EXPECT_EQ(SourceName((*b2)->source), "cache");
  EXPECT_EQ(std::count(store_.log.begin(), store_.log.end(), "load:B"), 1);
  EXPECT_EQ(upstream_.calls(), 3u);
}

// A key with an open session is never evicted, however many keys follow.
TEST_F(EngineCacheTest, KeyWithSessionStaysInMemory) {
  options_.max_cached_verdicts = 1;
  StartEngine();
  auto held = Ask("HELD");
  Answer(0, VerdictFor(0, {}));
  ASSERT_TRUE(held->has_value() && (*held)->allow);
  for (int i = 0; i < 5; ++i) {
    AllowOnlineAndRelease("K" + std::to_string(i), 1 + i);
  }
  auto again = Ask("HELD");
  ASSERT_TRUE(again->has_value());  // synchronously: never left memory
  EXPECT_EQ(SourceName((*again)->source), "cache");
  EXPECT_FALSE(Logged(store_.log, "load:HELD"));
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 6u);
  EXPECT_LE(engine_->StatusSnapshot().tracked_keys, 2u);
}

// Root edits the row of a verdict that is on disk only: read back, it
// fails its check, is deleted, and the ask goes upstream (here: offline,
// so no allow at all).
TEST_F(EngineCacheTest, TamperedDiskOnlyRowNeverAnswers) {
  options_.max_cached_verdicts = 1;
  StartEngine();
  AllowOnlineAndRelease("VICTIM", 0);
  AllowOnlineAndRelease("OTHER", 1);  // VICTIM goes to disk
  store_.bad_signatures.insert("VICTIM");
  auto r = Ask("VICTIM");
  scheduler_.RunUntilIdle();
  EXPECT_TRUE(Logged(store_.log, "delete:VICTIM"));
  ASSERT_FALSE(r->has_value());
  ASSERT_EQ(upstream_.calls(), 3u);
  Answer(2, Offline());
  ASSERT_TRUE(r->has_value());
  EXPECT_FALSE((*r)->allow);
  EXPECT_EQ((*r)->reason_code, "AGENT_OFFLINE");
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 1u);
}

// A failed read of a disk-only row: counted, logged, and the ask goes
// upstream as for a key with nothing cached.
TEST_F(EngineCacheTest, DiskReadErrorAsksTheServer) {
  options_.max_cached_verdicts = 1;
  StartEngine();
  AllowOnlineAndRelease("A", 0);
  AllowOnlineAndRelease("B", 1);  // A goes to disk
  store_.fail_reads = true;
  auto r = Ask("A");
  scheduler_.RunUntilIdle();
  ASSERT_EQ(upstream_.calls(), 3u);
  Answer(2, VerdictFor(2, {}));
  ASSERT_TRUE(r->has_value());
  EXPECT_TRUE((*r)->allow);
  EXPECT_EQ(SourceName((*r)->source), "online");
  const auto& errors = engine_->MetricsSnapshot().counters.store_errors;
  EXPECT_EQ(errors[static_cast<std::size_t>(StoreOp::kLoadVerdict)], 1u);
}

// Many keys asked once: memory holds the bound, the disk the rest, and
// no per-key state is left for the keys that went to disk.
TEST_F(EngineCacheTest, ManyKeysStayWithinTheBound) {
  options_.max_cached_verdicts = 8;
  options_.upstream_per_uid_per_minute = 1000;
  StartEngine();
  for (int i = 0; i < 100; ++i) {
    AllowOnlineAndRelease("K" + std::to_string(i), i);
  }
  EngineStatus s = engine_->StatusSnapshot();
  EXPECT_EQ(s.cached_verdicts, 100u);
  EXPECT_EQ(s.tracked_keys, 8u);
  EXPECT_EQ(store_.verdicts.size(), 100u);
}

// Sessions held every key past the bound; when their app's connection
// closes, the keys go to disk only at once, not at the next new verdict.
TEST_F(EngineCacheTest, ClosedConnectionBringsTheCacheBackUnderItsBound) {
  options_.max_cached_verdicts = 4;
  options_.upstream_per_uid_per_minute = 1000;
  StartEngine();
  for (int i = 0; i < 40; ++i) {
    auto r = Ask("K" + std::to_string(i), /*conn=*/7);
    Answer(static_cast<std::size_t>(i), VerdictFor(i, {}));
    ASSERT_TRUE(r->has_value() && (*r)->allow);
  }
  EXPECT_EQ(engine_->StatusSnapshot().tracked_keys, 40u);  // all held
  engine_->ConnectionClosed(7);
  EngineStatus s = engine_->StatusSnapshot();
  EXPECT_EQ(s.sessions, 0u);
  EXPECT_EQ(s.tracked_keys, 4u);
  EXPECT_EQ(s.cached_verdicts, 40u);
  // Each answers from the cache: at most the 4 in memory at once, the rest
  // read back (each read may push one of the 4 out first).
  int read_back = 0;
  for (int i = 0; i < 40; ++i) {
    auto again = Ask("K" + std::to_string(i), /*conn=*/8);
    if (!again->has_value()) {
      ++read_back;
      scheduler_.RunUntilIdle();
    }
    ASSERT_TRUE(again->has_value());
    EXPECT_EQ(SourceName((*again)->source), "cache");
  }
  EXPECT_GE(read_back, 36);
  EXPECT_EQ(upstream_.calls(), 40u);
}

}  // namespace
}  // namespace gg::agent::test
