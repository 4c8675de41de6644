#include "agent/upstream/rate_limit.h"

#include <algorithm>
#include <charconv>

#include "agent/upstream/response.h"

namespace gg::upstream {
namespace {

constexpr std::string_view kRemainingPrefix = "x-ratelimit-remaining";

std::optional<long long> NonNegative(std::string_view text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  long long value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

RateLimitInfo ReadRateLimitHeaders(const HttpResponse& response) {
  RateLimitInfo info;
  // Header names arrive lowercased, so X-RateLimit-* and X-Ratelimit-*
  // (the two spellings of the seed pages) are one.
  for (const auto& [name, value] : response.headers) {
    if (!name.starts_with(kRemainingPrefix)) {
      continue;
    }
    std::string_view bucket =
        std::string_view(name).substr(kRemainingPrefix.size());
    if (!bucket.empty() && bucket.front() != '-') {
      continue;  // some other header that shares the prefix
    }
    if (!bucket.empty()) {
      bucket.remove_prefix(1);
    }
    auto n = NonNegative(value);
    if (!n || info.remaining.size() >= kMaxRateLimitBuckets) {
      continue;
    }
    info.remaining.emplace_back(std::string(bucket), *n);
  }
  std::sort(info.remaining.begin(), info.remaining.end());
  info.limit = NonNegative(response.Header("x-ratelimit-limit"));
  info.reset = NonNegative(response.Header("x-ratelimit-reset"));
  if (auto retry = response.Header("retry-after"); !retry.empty()) {
    info.retry_after = ParseRetryAfter(retry);
  }
  return info;
}

std::optional<std::pair<std::string, long long>> TightestBudget(
    const RateLimitInfo& info) {
  if (info.remaining.empty()) {
    return std::nullopt;
  }
  return *std::min_element(
      info.remaining.begin(), info.remaining.end(),
      [](const auto& a, const auto& b) { return a.second < b.second; });
}

bool BudgetLow(const RateLimitInfo& info) {
  auto tightest = TightestBudget(info);
  if (!tightest) {
    return false;
  }
  const long long mark =
      std::max(kLowBudgetFloor, info.limit ? *info.limit / 10 : 0);
  return tightest->second <= mark;
}

std::string DescribeBudget(const RateLimitInfo& info) {
  auto tightest = TightestBudget(info);
  if (!tightest) {
    return "no X-RateLimit-Remaining header";
  }
  std::string text = "X-RateLimit-Remaining";
  if (!tightest->first.empty()) {
    text += "-" + tightest->first;
  }
  text += "=" + std::to_string(tightest->second);
  if (info.limit) {
    text += " of " + std::to_string(*info.limit);
  }
  if (info.reset) {
    text += ", resets at " + std::to_string(*info.reset);
  }
  return text;
}

}  // namespace gg::upstream
