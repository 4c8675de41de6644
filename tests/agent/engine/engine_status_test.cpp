// `status` tells the truth: it follows every upstream attempt as it ends,
// so while retries fail it says offline, with the error and since when,
// even though the last finished call was a verdict.
#include <gtest/gtest.h>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

using std::chrono::seconds;
using testing::VerdictSpec;

upstream::AttemptReport Failed(std::string code, int status) {
  upstream::AttemptReport r;
  r.product_id = testing::kProduct;
  r.failure_class = upstream::FailureClass::kTransient;
  r.http_status = status;
  r.code = std::move(code);
  r.message = "injected";
  r.request_id = status != 0 ? "req-x" : "";
  return r;
}

// Online after a verdict; then a new key's call fails attempt after
// attempt: offline at once, since the first failure, counting attempts,
// before the call has finished; a verdict clears it again.
TEST_F(EngineTest, StatusFollowsAttemptsNotFinishedCalls) {
  StartEngine();
  auto first = Ask("KEY-1");
  scheduler_.RunUntilIdle();
  Answer(0, VerdictFor(0, VerdictSpec{}));
  ASSERT_TRUE(first->has_value());
  EXPECT_TRUE(engine_->StatusSnapshot().online);
  EXPECT_FALSE(engine_->StatusSnapshot().last_error);
  EXPECT_EQ(UnixSeconds(*engine_->StatusSnapshot().last_attempt_at), kT0);

  auto second = Ask("KEY-2");
  scheduler_.RunUntilIdle();
  ASSERT_EQ(upstream_.calls(), 2u);
  clock_.Advance(seconds(10));
  upstream_.ReportAttempt(Failed("SIGNING_UNAVAILABLE", 503));
  scheduler_.RunUntilIdle();
  auto s = engine_->StatusSnapshot();
  EXPECT_FALSE(s.online);
  ASSERT_TRUE(s.last_error);
  EXPECT_EQ(s.last_error->code, "SIGNING_UNAVAILABLE");
  EXPECT_EQ(s.last_error->request_id, "req-x");
  EXPECT_EQ(UnixSeconds(s.last_error->since), kT0 + 10);
  EXPECT_EQ(s.last_error->failed_attempts, 1);
  EXPECT_EQ(UnixSeconds(*s.last_contact_at), kT0 + 10);

  clock_.Advance(seconds(3));
  upstream_.ReportAttempt(Failed("NETWORK", 0));
  scheduler_.RunUntilIdle();
  s = engine_->StatusSnapshot();
  EXPECT_FALSE(s.online);
  EXPECT_EQ(s.last_error->code, "NETWORK");
  EXPECT_EQ(UnixSeconds(s.last_error->since), kT0 + 10);
  EXPECT_EQ(UnixSeconds(s.last_error->at), kT0 + 13);
  EXPECT_EQ(s.last_error->failed_attempts, 2);
  EXPECT_EQ(UnixSeconds(*s.last_attempt_at), kT0 + 13);
  EXPECT_EQ(UnixSeconds(*s.last_contact_at), kT0 + 10);  // no HTTP answer

  Answer(1, VerdictFor(1, VerdictSpec{.license_key = "KEY-2"}));
  s = engine_->StatusSnapshot();
  EXPECT_TRUE(s.online);
  EXPECT_FALSE(s.last_error);
}

// The rate-limit headers of the last answer that carried any are kept;
// an answer without them does not erase them.
TEST_F(EngineTest, StatusKeepsLastRateLimitHeaders) {
  StartEngine();
  EXPECT_FALSE(engine_->StatusSnapshot().rate_limit);
  auto r = Failed("RATE_LIMITED", 429);
  r.rate_limit.remaining = {{"key", 0}};
  r.rate_limit.retry_after = seconds(60);
  upstream_.ReportAttempt(r);
  scheduler_.RunUntilIdle();
  upstream_.ReportAttempt(Failed("NETWORK", 0));
  scheduler_.RunUntilIdle();
  auto s = engine_->StatusSnapshot();
  ASSERT_TRUE(s.rate_limit);
  EXPECT_EQ(s.rate_limit->info.remaining.at(0).second, 0);
  EXPECT_EQ(s.rate_limit->info.retry_after, seconds(60));
  EXPECT_EQ(UnixSeconds(s.rate_limit->observed_at), kT0);
}

}  // namespace
}  // namespace gg::agent::test
