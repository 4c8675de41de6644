// The rate-limit headers of an API answer (seeds/api-errors.txt "Rate
// limiting", api-errors-summary.txt "Response headers include"). Pure: the
// client reads them from every answer, logs when a budget runs low and
// reports them so `status` can show the last values. Honouring Retry-After
// (the 429 window) is retry_policy.h's business, not this file's.
#ifndef GG_AGENT_UPSTREAM_RATE_LIMIT_H_
#define GG_AGENT_UPSTREAM_RATE_LIMIT_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/upstream/http_transport.h"

namespace gg::upstream {

// At most this many X-RateLimit-Remaining-* buckets are kept from one
// answer: a server cannot grow the agent's state with headers.
inline constexpr std::size_t kMaxRateLimitBuckets = 8;

// A budget is low at or below max(kLowBudgetFloor, 10 % of the limit).
inline constexpr long long kLowBudgetFloor = 5;

struct RateLimitInfo {
  // X-RateLimit-Remaining-<Bucket> as ("key", 41), ("product", 580): the
  // bucket lowercased; a bare X-Ratelimit-Remaining is bucket "". Sorted
  // by bucket name.
  std::vector<std::pair<std::string, long long>> remaining;
  std::optional<long long> limit;  // X-Ratelimit-Limit
  std::optional<long long> reset;  // X-Ratelimit-Reset (Unix seconds)
  std::optional<std::chrono::seconds> retry_after;  // Retry-After, as sent

  bool empty() const {
    return remaining.empty() && !limit && !reset && !retry_after;
  }
};

// Reads the headers; absent or malformed ones (not a non-negative decimal
// integer) are left out.
RateLimitInfo ReadRateLimitHeaders(const HttpResponse& response);

// The bucket with the fewest calls left, or nullopt when none was sent.
std::optional<std::pair<std::string, long long>> TightestBudget(
    const RateLimitInfo& info);

// True when the tightest budget is at or below the low mark.
bool BudgetLow(const RateLimitInfo& info);

// "X-RateLimit-Remaining-Key=3" style text of the tightest budget, for logs.
std::string DescribeBudget(const RateLimitInfo& info);

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_RATE_LIMIT_H_
