#include "agent/upstream/retry_policy.h"

#include <algorithm>
#include <cmath>

#include "agent/upstream/classify.h"

namespace gg::upstream {

using std::chrono::milliseconds;

milliseconds BackoffDelay(const RetryPolicy& policy,
                          int failures,
                          double uniform01,
                          std::optional<std::chrono::seconds> retry_after) {
  // Double without overflow: stop doubling once the cap is reached.
  milliseconds ceiling = policy.initial_backoff;
  for (int i = 1; i < failures && ceiling < policy.max_backoff; ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, policy.max_backoff);
  const double draw = std::clamp(uniform01, 0.0, 1.0);
  const milliseconds jitter(static_cast<milliseconds::rep>(
      std::floor(draw * static_cast<double>(ceiling.count()))));
  if (retry_after) {
    return std::chrono::duration_cast<milliseconds>(*retry_after) + jitter;
  }
  return jitter;
}

std::optional<std::chrono::seconds> CapRetryAfter(
    std::optional<std::chrono::seconds> retry_after,
    std::chrono::seconds cap) {
  if (retry_after && *retry_after > cap) {
    return cap;
  }
  return retry_after;
}

RetryDecision DecideRetry(const RetryPolicy& policy,
                          const Failure& failure,
                          RetryState& state,
                          RandomSource& random) {
  if (failure.failure_class == FailureClass::kClock) {
    bool& used = failure.code == "SIGNATURE_EXPIRED" ? state.clock_resync_used
                                                     : state.fresh_nonce_used;
    if (used) {
      return {};
    }
    used = true;
    return {RetryAction::kRetry, milliseconds(0)};
  }
  if (!IsRetriable(failure.failure_class) || failure.code == "SHUTDOWN") {
    return {};
  }
  ++state.transient_failures;
  if (state.transient_failures >= policy.max_attempts) {
    return {};
  }
  return {RetryAction::kRetry,
          BackoffDelay(policy, state.transient_failures, random.Uniform01(),
                       failure.retry_after)};
}

void RateLimitGate::Block(const std::string& product_id,
                          std::chrono::seconds retry_after) {
  const MonoTime until = clock_.Monotonic() + retry_after;
  std::lock_guard lock(mutex_);
  MonoTime& slot = until_[product_id];
  slot = std::max(slot, until);
}

std::optional<milliseconds> RateLimitGate::Remaining(
    const std::string& product_id) const {
  const MonoTime now = clock_.Monotonic();
  std::lock_guard lock(mutex_);
  auto it = until_.find(product_id);
  if (it == until_.end() || now >= it->second) {
    return std::nullopt;
  }
  return std::chrono::ceil<milliseconds>(it->second - now);
}

}  // namespace gg::upstream
