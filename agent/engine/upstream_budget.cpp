#include "agent/engine/upstream_budget.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace gg::agent {
namespace {

// Past this many partly spent buckets, the full ones are swept out.
constexpr std::size_t kSweepAbove = 256;

}  // namespace

double UpstreamBudget::Refill(Bucket& b, MonoTime now) const {
  const double capacity = static_cast<double>(std::max(1LL, per_minute_));
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  // A clock that does not advance (or a reading from before) adds nothing.
  if (elapsed > 0) {
    b.tokens = std::min(capacity, b.tokens + elapsed * capacity / 60.0);
    b.updated = now;
  }
  b.tokens = std::min(b.tokens, capacity);
  return capacity;
}

std::optional<long long> UpstreamBudget::TryTake(long long uid, MonoTime now) {
  auto it = buckets_.find(uid);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kSweepAbove) {
      DropFullBuckets(now);
    }
    Bucket fresh;
    fresh.tokens = static_cast<double>(std::max(1LL, per_minute_));
    fresh.updated = now;
    it = buckets_.emplace(uid, fresh).first;
  }
  Bucket& b = it->second;
  const double capacity = Refill(b, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  const double missing = 1.0 - b.tokens;
  const double seconds = missing * 60.0 / capacity;
  return std::max(1LL, static_cast<long long>(std::ceil(seconds)));
}

void UpstreamBudget::DropFullBuckets(MonoTime now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double capacity = Refill(it->second, now);
    it = it->second.tokens >= capacity ? buckets_.erase(it) : std::next(it);
  }
}

}  // namespace gg::agent
