// Unit tests of the per-uid token bucket for upstream requests.
#include "agent/engine/upstream_budget.h"

#include <chrono>

#include <gtest/gtest.h>

namespace gg::agent {
namespace {

using std::chrono::seconds;

// A uid gets per_minute requests at once, then RATE_LIMITED with the
// seconds until the next token; another uid has its own bucket.
TEST(UpstreamBudget, BucketPerUid) {
  UpstreamBudget budget(6);  // one token per 10 s
  const MonoTime t0{};
  for (int i = 0; i < 6; ++i)
    EXPECT_FALSE(budget.TryTake(1000, t0).has_value()) << i;
  auto retry = budget.TryTake(1000, t0);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(*retry, 10);
  EXPECT_FALSE(budget.TryTake(1001, t0).has_value());
  // Refilled evenly: one more after 10 s, not the whole minute's worth.
  EXPECT_FALSE(budget.TryTake(1000, t0 + seconds(10)).has_value());
  EXPECT_TRUE(budget.TryTake(1000, t0 + seconds(10)).has_value());
  // A full minute later the bucket is full again, never fuller.
  for (int i = 0; i < 6; ++i)
    EXPECT_FALSE(budget.TryTake(1000, t0 + seconds(600)).has_value()) << i;
  EXPECT_TRUE(budget.TryTake(1000, t0 + seconds(600)).has_value());
}

// A monotonic reading from before the last one adds no tokens.
TEST(UpstreamBudget, TimeGoingBackAddsNothing) {
  UpstreamBudget budget(1);
  const MonoTime t0 = MonoTime{} + seconds(100);
  EXPECT_FALSE(budget.TryTake(5, t0).has_value());
  EXPECT_TRUE(budget.TryTake(5, t0 - seconds(90)).has_value());
  EXPECT_TRUE(budget.TryTake(5, t0).has_value());
}

// Full buckets are forgotten, so the table is bounded by the uids that
// spent something lately, not by every uid ever seen.
TEST(UpstreamBudget, FullBucketsAreDropped) {
  UpstreamBudget budget(60);
  const MonoTime t0{};
  for (int uid = 0; uid < 256; ++uid)
    EXPECT_FALSE(budget.TryTake(uid, t0).has_value());
  EXPECT_EQ(budget.tracked_uids(), 256u);
  EXPECT_FALSE(budget.TryTake(9999, t0 + seconds(60)).has_value());
  EXPECT_EQ(budget.tracked_uids(), 1u);
}

}  // namespace
}  // namespace gg::agent
