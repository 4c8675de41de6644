// Sliding one-minute windows per bucket (an API key, a product). Measured on
// the monotonic clock so the admin clock offset never refills a bucket. Not
// thread-safe: the server calls it under its state lock.
#ifndef GG_TESTS_DEVSERVER_RATE_LIMITER_H_
#define GG_TESTS_DEVSERVER_RATE_LIMITER_H_

#include <chrono>
#include <deque>
#include <map>
#include <string>

namespace gg::devserver {

struct RateDecision {
  bool allowed = true;
  int remaining = 0;            // calls left in the window after this one
  int retry_after_seconds = 0;  // when !allowed: until a slot frees, >= 1
};

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Counts one call against `bucket` unless `limit` calls already happened
  // in the last 60 s.
  RateDecision Take(const std::string& bucket, int limit, TimePoint now);
  void Clear() { calls_.clear(); }

 private:
  std::map<std::string, std::deque<TimePoint>> calls_;
};

}  // namespace gg::devserver

#endif  // GG_TESTS_DEVSERVER_RATE_LIMITER_H_
