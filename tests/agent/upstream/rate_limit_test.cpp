// The rate-limit headers: read from every answer in both spellings of the
// seed pages, bounded, judged low, logged once, and reported with each
// attempt (retries included) to the client's observer.
#include "agent/upstream/rate_limit.h"

#include <future>
#include <mutex>
#include <sstream>

#include <gtest/gtest.h>

#include "agent/upstream/authorize_client.h"
#include "platform/log.h"
#include "tests/agent/upstream/test_keys.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_http_transport.h"
#include "tests/fakes/manual_scheduler.h"

namespace gg::upstream {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

HttpResponse WithHeaders(std::map<std::string, std::string> headers) {
  HttpResponse r;
  r.status = 200;
  r.headers = std::move(headers);
  return r;
}

// The full page's X-RateLimit-Remaining-<bucket> and the summary page's
// X-Ratelimit-Limit/Remaining/Reset are all read (names arrive lowercased).
TEST(RateLimitHeaders, BothSpellingsOfTheSeedPages) {
  auto info = ReadRateLimitHeaders(
      WithHeaders({{"x-ratelimit-remaining-key", "41"},
                   {"x-ratelimit-remaining-product", " 580 "},
                   {"x-ratelimit-remaining", "7"},
                   {"x-ratelimit-limit", "120"},
                   {"x-ratelimit-reset", "1640995200"},
                   {"retry-after", "60"}}));
  ASSERT_EQ(info.remaining.size(), 3u);
  EXPECT_EQ(info.remaining[0], (std::pair<std::string, long long>{"", 7}));
  EXPECT_EQ(info.remaining[1], (std::pair<std::string, long long>{"key", 41}));
  EXPECT_EQ(info.remaining[2],
            (std::pair<std::string, long long>{"product", 580}));
  EXPECT_EQ(info.limit, 120);
  EXPECT_EQ(info.reset, 1640995200);
  EXPECT_EQ(info.retry_after, seconds(60));
  EXPECT_EQ(TightestBudget(info)->second, 7);
}

// Malformed values are left out, lookalike names are not buckets, and a
// server cannot make the agent keep more than kMaxRateLimitBuckets.
TEST(RateLimitHeaders, MalformedIgnoredAndBucketsBounded) {
  std::map<std::string, std::string> h = {
      {"x-ratelimit-remaining-key", "-1"},
      {"x-ratelimit-remainingfoo", "3"},
      {"x-ratelimit-limit", "lots"},
      {"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  for (int i = 0; i < 50; ++i) {
    h["x-ratelimit-remaining-b" + std::to_string(i)] = "100";
  }
  auto info = ReadRateLimitHeaders(WithHeaders(h));
  EXPECT_EQ(info.remaining.size(), kMaxRateLimitBuckets);
  for (const auto& [bucket, left] : info.remaining) {
    EXPECT_NE(bucket, "key");
    EXPECT_EQ(left, 100);
  }
  EXPECT_FALSE(info.limit);
  EXPECT_FALSE(info.retry_after);
  EXPECT_TRUE(ReadRateLimitHeaders(WithHeaders({})).empty());
}

// Low is at or below max(5, a tenth of the limit).
TEST(RateLimitHeaders, LowMark) {
  RateLimitInfo info;
  EXPECT_FALSE(BudgetLow(info));
  info.remaining = {{"key", 6}};
  EXPECT_FALSE(BudgetLow(info));
  info.remaining = {{"key", 5}};
  EXPECT_TRUE(BudgetLow(info));
  info.limit = 1000;
  info.remaining = {{"key", 100}, {"product", 900}};
  EXPECT_TRUE(BudgetLow(info));
  info.remaining = {{"key", 101}};
  EXPECT_FALSE(BudgetLow(info));
  EXPECT_EQ(DescribeBudget(info), "X-RateLimit-Remaining-key=101 of 1000");
}

class HalfRandom final : public RandomSource {
 public:
  double Uniform01() override { return 0.5; }
};

// Every attempt is reported as it ends, retries included, with its status,
// code, request id and rate-limit headers; a low budget is logged once
// until it recovers.
TEST(AttemptReports, EveryAttemptWithItsHeadersAndOneLowBudgetWarning) {
  gg::testing::FakeClock clock;
  gg::testing::ManualScheduler scheduler(clock);
  HalfRandom random;
  auto transport = std::make_unique<gg::testing::FakeHttpTransport>();
  auto* t = transport.get();
  AuthorizeClientOptions o;
  o.base_url = "https://api.test";
  o.api_key = Secret("gg_test_key");
  o.signing_secret = Secret("test-secret");
  o.response_public_keys = {testing::VectorPublicKey()};
  o.max_attempts = 3;
  o.initial_backoff = milliseconds(1);
  o.max_backoff = milliseconds(2);
  auto client = AuthorizeClient::Create(std::move(o), clock, random, scheduler,
                                        std::move(transport));
  ASSERT_TRUE(client) << client.error().message;

  std::mutex mu;
  std::vector<AttemptReport> reports;
  (*client)->SetAttemptObserver([&](const AttemptReport& r) {
    std::lock_guard lock(mu);
    reports.push_back(r);
  });
  std::ostringstream log;
  log::Init(spdlog::level::info, log::Format::kText, &log);

  t->PushResponse(
      503,
      R"({"ok":false,"error":{"code":"SIGNING_UNAVAILABLE","message":"m"}})",
      {{"x-request-id", "r1"}, {"x-ratelimit-remaining-key", "2"}});
  t->PushResponse(
      503,
      R"({"ok":false,"error":{"code":"SIGNING_UNAVAILABLE","message":"m"}})",
      {{"x-request-id", "r2"}, {"x-ratelimit-remaining-key", "1"}});
  t->PushSigned(testing::VectorSeed(), 200,
                R"({"ok":true,"allow":true,"licenseId":"L"})");
  std::promise<Outcome> done;
  (*client)->Authorize({"prod", "KEY", "hw", 1, "inst"},
                       [&](Outcome out) { done.set_value(out); });
  auto future = done.get_future();
  // The two backoffs pass on the fake clock.
  while (future.wait_for(seconds(0)) != std::future_status::ready &&
         scheduler.AdvanceToNextTimer()) {
  }
  ASSERT_EQ(future.wait_for(seconds(10)), std::future_status::ready);
  ASSERT_TRUE(std::holds_alternative<Verdict>(future.get()));
  (*client)->Shutdown(seconds(2));
  log::Init(spdlog::level::info, log::Format::kText, nullptr);

  std::lock_guard lock(mu);
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_FALSE(reports[0].verdict);
  EXPECT_EQ(reports[0].product_id, "prod");
  EXPECT_EQ(reports[0].http_status, 503);
  EXPECT_EQ(reports[0].code, "SIGNING_UNAVAILABLE");
  EXPECT_EQ(reports[0].request_id, "r1");
  ASSERT_EQ(reports[0].rate_limit.remaining.size(), 1u);
  EXPECT_EQ(reports[0].rate_limit.remaining[0].second, 2);
  EXPECT_EQ(reports[1].request_id, "r2");
  EXPECT_TRUE(reports[2].verdict);
  EXPECT_TRUE(reports[2].allow);
  EXPECT_EQ(reports[2].http_status, 200);
  const std::string text = log.str();
  const auto first = text.find("rate-limit budget low");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_NE(text.find("X-RateLimit-Remaining-key=2"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("rate-limit budget low", first + 1), std::string::npos)
      << text;
}

}  // namespace
}  // namespace gg::upstream
