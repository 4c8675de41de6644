#include "tests/devserver/rate_limiter.h"

namespace gg::devserver {

RateDecision RateLimiter::Take(const std::string& bucket,
                               int limit,
                               TimePoint now) {
  constexpr auto kWindow = std::chrono::seconds(60);
  auto& calls = calls_[bucket];
  while (!calls.empty() && now - calls.front() >= kWindow) {
    calls.pop_front();
  }
  RateDecision d;
  if (static_cast<int>(calls.size()) >= limit) {
    auto wait = kWindow - (now - calls.front());
    auto secs = std::chrono::ceil<std::chrono::seconds>(wait).count();
    d.allowed = false;
    d.remaining = 0;
    d.retry_after_seconds = static_cast<int>(secs < 1 ? 1 : secs);
    return d;
  }
  calls.push_back(now);
  d.remaining = limit - static_cast<int>(calls.size());
  return d;
}

}  // namespace gg::devserver
