// An attempt that reaches no server (refused, unreachable, TLS) answers
// every ask waiting for that key by the offline rules at once, not at
// requestDeadlineMs; the retries go on behind and their verdict still
// fills the cache. A server that answered (a 503) is waited for as before.
#include <gtest/gtest.h>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

using testing::VerdictSpec;

upstream::AttemptReport Unreachable(const std::string& key, int status = 0) {
  upstream::AttemptReport r;
  r.product_id = testing::kProduct;
  r.license_key = key;
  r.failure_class = upstream::FailureClass::kTransient;
  r.http_status = status;
  r.code = status == 0 ? "NETWORK" : "SIGNING_UNAVAILABLE";
  r.message = "injected";
  return r;
}

TEST_F(EngineTest, RefusedConnectionAnswersOfflineAtOnce) {
  Seed(VerdictSpec{.server_time = kT0 - 1000}, kT0 - 1000);
  StartEngine();
  auto reply = Ask();  // stale: needs the server
  ASSERT_EQ(upstream_.calls(), 1u);
  EXPECT_FALSE(reply->has_value());
  upstream_.ReportAttempt(Unreachable("KEY-1"));
  scheduler_.RunUntilIdle();  // no time passes
  ASSERT_TRUE(reply->has_value());
  EXPECT_TRUE((*reply)->allow);
  EXPECT_EQ(SourceName((*reply)->source), "offline");

  // Asked again while the retries go on: answered at once, same request.
  auto again = Ask();
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ(SourceName((*again)->source), "offline");
  EXPECT_EQ(upstream_.calls(), 1u);

  // The retry reaches the server: its verdict fills the cache.
  Answer(0, VerdictFor(0, {.server_time = kT0 + 5}));
  auto next = Ask();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(SourceName((*next)->source), "cache");
  EXPECT_EQ(upstream_.calls(), 1u);
}

TEST_F(EngineTest, RefusedConnectionWithNothingCachedIsAgentOffline) {
  StartEngine();
  auto reply = Ask("KEY-NEW");
  upstream_.ReportAttempt(Unreachable("KEY-NEW"));
  scheduler_.RunUntilIdle();
  ASSERT_TRUE(reply->has_value());
  EXPECT_FALSE((*reply)->allow);
  EXPECT_EQ((*reply)->reason_code, "AGENT_OFFLINE");
  // Another key's failure answers nobody else.
  auto other = Ask("KEY-OTHER");
  upstream_.ReportAttempt(Unreachable("KEY-NEW"));
  scheduler_.RunUntilIdle();
  EXPECT_FALSE(other->has_value());
}

TEST_F(EngineTest, ServerThatAnsweredIsWaitedForUntilTheDeadline) {
  StartEngine();
  auto reply = Ask();
  upstream_.ReportAttempt(Unreachable("KEY-1", 503));
  scheduler_.RunUntilIdle();
  EXPECT_FALSE(reply->has_value());
  // A later attempt that then reaches nobody answers at once.
  upstream_.ReportAttempt(Unreachable("KEY-1"));
  scheduler_.RunUntilIdle();
  ASSERT_TRUE(reply->has_value());
  EXPECT_EQ((*reply)->reason_code, "AGENT_OFFLINE");
  // A server that answers again: the next ask waits for it once more.
  upstream_.ReportAttempt(Unreachable("KEY-1", 503));
  scheduler_.RunUntilIdle();
  auto waiting = Ask();
  EXPECT_FALSE(waiting->has_value());
  scheduler_.Advance(options_.request_deadline);
  ASSERT_TRUE(waiting->has_value());
  EXPECT_EQ((*waiting)->reason_code, "AGENT_OFFLINE");
}

}  // namespace
}  // namespace gg::agent::test
