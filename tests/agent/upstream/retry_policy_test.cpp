// The retry schedule and decisions of §4, with fixed jitter draws and a
// fake clock for the 429 window.
#include "agent/upstream/retry_policy.h"

#include <gtest/gtest.h>

#include "tests/fakes/fake_clock.h"

namespace gg::upstream {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(double v) : v_(v) {}
  double Uniform01() override {
    ++draws;
    return v_;
  }
  int draws = 0;

 private:
  double v_;
};

Failure Make(FailureClass cls,
             std::string code,
             std::optional<seconds> retry_after = std::nullopt) {
  Failure f;
  f.failure_class = cls;
  f.code = std::move(code);
  f.retry_after = retry_after;
  return f;
}

// An unsigned Retry-After is held to the cap; shorter ones and none pass.
TEST(RetryPolicyTest, RetryAfterIsCapped) {
  EXPECT_EQ(CapRetryAfter(seconds(1000000000000LL), seconds(300)),
            seconds(300));
  EXPECT_EQ(CapRetryAfter(seconds(301), seconds(300)), seconds(300));
  EXPECT_EQ(CapRetryAfter(seconds(300), seconds(300)), seconds(300));
  EXPECT_EQ(CapRetryAfter(seconds(5), seconds(300)), seconds(5));
  EXPECT_FALSE(CapRetryAfter(std::nullopt, seconds(300)));
}

// The ceiling doubles from 1 s to the 60 s cap; jitter scales it fully.
TEST(RetryPolicyTest, BackoffScheduleTable) {
  const RetryPolicy p;
  struct {
    int failures;
    double draw;
    long long want_ms;
  } rows[] = {
      {1, 0.999, 999},  {1, 0.5, 500},      {2, 0.5, 1000},  {3, 0.5, 2000},
      {4, 0.5, 4000},   {5, 0.5, 8000},     {6, 1.0, 32000}, {7, 0.999, 59940},
      {30, 0.5, 30000}, {1000, 0.5, 30000}, {3, 0.0, 0},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.failures);
    EXPECT_EQ(BackoffDelay(p, r.failures, r.draw, std::nullopt).count(),
              r.want_ms);
  }
}

// Retry-After is a floor that jitter only adds to, never cuts.
TEST(RetryPolicyTest, RetryAfterIsAFloor) {
  const RetryPolicy p;
  EXPECT_EQ(BackoffDelay(p, 1, 0.0, seconds(2)), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(p, 1, 0.5, seconds(2)), milliseconds(2500));
  EXPECT_EQ(BackoffDelay(p, 3, 0.25, seconds(60)), milliseconds(61000));
}

// Transient failures retry until max_attempts attempts have been made.
TEST(RetryPolicyTest, TransientRetriesUpToMaxAttempts) {
  const RetryPolicy p;  // 5 attempts
  FixedRandom random(0.5);
  RetryState state;
  std::vector<long long> delays;
  while (true) {
    auto d = DecideRetry(p, Make(FailureClass::kTransient, "INTERNAL"), state,
                         random);
    if (d.action == RetryAction::kGiveUp) {
      break;
    }
    delays.push_back(d.delay.count());
  }
  EXPECT_EQ(delays, (std::vector<long long>{500, 1000, 2000, 4000}));
  EXPECT_EQ(state.transient_failures, 5);
  EXPECT_EQ(random.draws, 4);
}

// Misconfiguration and request errors are never retried.
TEST(RetryPolicyTest, NeverRetriesConfigAndRequestErrors) {
  const RetryPolicy p;
  FixedRandom random(0.5);
  for (auto cls :
       {FailureClass::kMisconfiguration, FailureClass::kRequestError}) {
    RetryState state;
    EXPECT_EQ(DecideRetry(p, Make(cls, "X"), state, random).action,
              RetryAction::kGiveUp);
  }
  EXPECT_EQ(random.draws, 0);
}

// Unknown codes are retried like transient ones.
TEST(RetryPolicyTest, UnknownIsRetried) {
  const RetryPolicy p;
  FixedRandom random(0.5);
  RetryState state;
  EXPECT_EQ(
      DecideRetry(p, Make(FailureClass::kUnknown, "NEW"), state, random).action,
      RetryAction::kRetry);
}

// SIGNATURE_EXPIRED and NONCE_REUSED each get one immediate retry, outside
// the transient budget.
TEST(RetryPolicyTest, ClockCodesRetryOnceAtOnce) {
  RetryPolicy p;
  p.max_attempts = 1;
  FixedRandom random(0.5);
  RetryState state;
  auto expired = Make(FailureClass::kClock, "SIGNATURE_EXPIRED");
  auto reused = Make(FailureClass::kClock, "NONCE_REUSED");
  auto first = DecideRetry(p, expired, state, random);
  EXPECT_EQ(first.action, RetryAction::kRetry);
  EXPECT_EQ(first.delay, milliseconds(0));
  EXPECT_EQ(DecideRetry(p, expired, state, random).action,
            RetryAction::kGiveUp);
  EXPECT_EQ(DecideRetry(p, reused, state, random).action, RetryAction::kRetry);
  EXPECT_EQ(DecideRetry(p, reused, state, random).action, RetryAction::kGiveUp);
  EXPECT_EQ(random.draws, 0);
}

// A 429 with Retry-After waits at least that long, plus jitter.
TEST(RetryPolicyTest, RateLimitedWaitsRetryAfterPlusJitter) {
  const RetryPolicy p;
  FixedRandom random(0.5);
  RetryState state;
  auto d =
      DecideRetry(p, Make(FailureClass::kTransient, "RATE_LIMITED", seconds(2)),
                  state, random);
  EXPECT_EQ(d.action, RetryAction::kRetry);
  EXPECT_EQ(d.delay, milliseconds(2500));
}

// The gate closes a product for Retry-After seconds of monotonic time,
// other products unaffected; a shorter later window never shortens it.
TEST(RateLimitGateTest, WindowPerProduct) {
  gg::testing::FakeClock clock;
  RateLimitGate gate(clock);
  EXPECT_FALSE(gate.Remaining("a"));
  gate.Block("a", seconds(10));
  EXPECT_EQ(gate.Remaining("a"), milliseconds(10000));
  EXPECT_FALSE(gate.Remaining("b"));
  clock.Advance(seconds(4));
  gate.Block("a", seconds(1));
  EXPECT_EQ(gate.Remaining("a"), milliseconds(6000));
  // A wall-clock jump does not move the monotonic window.
  clock.SetWall(FromUnixSeconds(0));
  EXPECT_EQ(gate.Remaining("a"), milliseconds(6000));
  clock.Advance(seconds(6));
  EXPECT_FALSE(gate.Remaining("a"));
}

}  // namespace
}  // namespace gg::upstream
