// When to try an authorize again (upstream.md §4), as pure functions, and
// the per-product 429 window.
//
// Schedule: after the n-th failed transient attempt, wait a uniformly random
// time in [0, min(cap, initial * 2^(n-1))] ("full jitter"); with a
// Retry-After the wait is Retry-After plus that jitter, so the floor is never
// cut. At most `max_attempts` transient attempts. The clock codes get one
// immediate retry each, outside that budget. Misconfiguration and request
// errors are never retried.
#ifndef GG_AGENT_UPSTREAM_RETRY_POLICY_H_
#define GG_AGENT_UPSTREAM_RETRY_POLICY_H_

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "agent/upstream/types.h"
#include "platform/clock.h"
#include "platform/random.h"

namespace gg::upstream {

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
};

// What one authorize has used so far.
struct RetryState {
  int transient_failures = 0;  // failed attempts counted against the budget
  bool clock_resync_used = false;
  bool fresh_nonce_used = false;
};

enum class RetryAction { kGiveUp, kRetry };

struct RetryDecision {
  RetryAction action = RetryAction::kGiveUp;
  std::chrono::milliseconds delay{0};
};

// The wait before the next attempt after `failures` (>= 1) failed ones.
// `uniform01` in [0, 1) is the jitter draw.
std::chrono::milliseconds BackoffDelay(
    const RetryPolicy& policy,
    int failures,
    double uniform01,
    std::optional<std::chrono::seconds> retry_after);

// An unsigned Retry-After held to at most `cap` (server.maxRetryAfterSeconds).
std::optional<std::chrono::seconds> CapRetryAfter(
    std::optional<std::chrono::seconds> retry_after,
    std::chrono::seconds cap);

// Decides after `failure`; updates `state`. Draws from `random` only when
// it schedules a backoff.
RetryDecision DecideRetry(const RetryPolicy& policy,
                          const Failure& failure,
                          RetryState& state,
                          RandomSource& random);

// No upstream call for a product inside its 429 window. Thread-safe.
// Uses the monotonic clock so a wall-clock jump cannot shorten the window.
class RateLimitGate {
 public:
  explicit RateLimitGate(const Clock& clock) : clock_(clock) {}

  // Opens (or extends) the window for `product_id` by `retry_after`.
  void Block(const std::string& product_id, std::chrono::seconds retry_after);

  // Time left in the window for `product_id`; nullopt when calls may go.
  std::optional<std::chrono::milliseconds> Remaining(
      const std::string& product_id) const;

 private:
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, MonoTime> until_;  // guarded by mutex_
};

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_RETRY_POLICY_H_
