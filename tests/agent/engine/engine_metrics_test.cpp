// The engine's metrics: answers by op, source, result and code with the
// latency of the cached and the upstream path, upstream attempts by outcome
// and class, store errors, and the earliest graceEndsAt per product.
#include <gtest/gtest.h>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::VerdictSpec;

std::uint64_t Answers(const EngineCounters& c,
                      AnswerOp op,
                      Source source,
                      AnswerResult result,
                      std::string_view code) {
  return c.answers[static_cast<std::size_t>(op)][static_cast<std::size_t>(
      source)][static_cast<std::size_t>(result)][ReasonLabelIndex(code)];
}

std::uint64_t Errors(const EngineCounters& c,
                     AnswerOp op,
                     Source source,
                     RequestErrorCode code) {
  return c.answers[static_cast<std::size_t>(op)][static_cast<std::size_t>(
      source)][static_cast<std::size_t>(AnswerResult::kError)]
                  [static_cast<std::size_t>(code)];
}

std::uint64_t Attempts(const EngineCounters& c,
                       AttemptOutcome outcome,
                       std::size_t klass) {
  return c.attempts[static_cast<std::size_t>(outcome)][klass];
}

// An online allow waits for upstream (its latency on the upstream path, as
// long as the fake server took), the repeat comes from the cache (the
// cached path), and each attempt is counted by outcome and class.
TEST_F(EngineTest, MetricsCountAnswersLatencyAndAttempts) {
  StartEngine();
  auto first = Ask();
  scheduler_.RunUntilIdle();
  clock_.Advance(milliseconds(250));
  Answer(0, VerdictFor(0, VerdictSpec{}));
  auto second = Ask();
  ASSERT_TRUE(first->has_value() && second->has_value());
  EXPECT_EQ(SourceName((*second)->source), "cache");

  const EngineMetrics m = engine_->MetricsSnapshot();
  const EngineCounters& c = m.counters;
  EXPECT_EQ(Answers(c, AnswerOp::kAuthorize, Source::kOnline,
                    AnswerResult::kAllow, ""),
            1u);
  EXPECT_EQ(Answers(c, AnswerOp::kAuthorize, Source::kCache,
                    AnswerResult::kAllow, ""),
            1u);
  const auto& upstream =
      c.latency[static_cast<std::size_t>(AnswerPath::kUpstream)];
  const auto& cached = c.latency[static_cast<std::size_t>(AnswerPath::kCached)];
  EXPECT_EQ(upstream.count, 1u);
  EXPECT_EQ(upstream.sum_ns, 250'000'000u);
  // 0.25 s falls in the 0.5 s bucket (index 9), not below.
  EXPECT_EQ(upstream.buckets[9], 1u);
  EXPECT_EQ(cached.count, 1u);
  EXPECT_EQ(cached.sum_ns, 0u);  // the fake clock did not move
  EXPECT_EQ(cached.buckets[0], 1u);
  EXPECT_EQ(Attempts(c, AttemptOutcome::kAllow, 0), 1u);
  EXPECT_EQ(m.sessions, 2u);
  EXPECT_EQ(m.cached_verdicts, 1u);
  EXPECT_TRUE(m.online);
}

// Denials count under their reason code, codes outside the fixed table as
// OTHER (a server cannot grow the series), failed attempts by class, and
// error answers under their error code.
TEST_F(EngineTest, MetricsReasonCodesBoundedAndErrors) {
  StartEngine();
  auto revoked = Ask("KEY-R");
  scheduler_.RunUntilIdle();
  Answer(0, VerdictFor(0, VerdictSpec{.license_key = "KEY-R",
                                      .allow = false,
                                      .reason_code = "LICENSE_REVOKED"}));
  auto odd = Ask("KEY-O");
  scheduler_.RunUntilIdle();
  Answer(1, VerdictFor(1, VerdictSpec{.license_key = "KEY-O",
                                      .allow = false,
                                      .reason_code = "SOMETHING_NEW"}));
  auto offline = Ask("KEY-N");
  scheduler_.RunUntilIdle();
  Answer(2, Offline());
  auto bad = std::make_shared<std::optional<Decision>>();
  AuthorizeInput in;
  in.product_id = "not-a-uuid";
  in.license_key = "K";
  engine_->Authorize(in, [bad](Decision d) { *bad = std::move(d); });
  ASSERT_TRUE(revoked->has_value() && odd->has_value() &&
              offline->has_value() && bad->has_value());

  const EngineCounters c = engine_->MetricsSnapshot().counters;
  EXPECT_EQ(Answers(c, AnswerOp::kAuthorize, Source::kOnline,
                    AnswerResult::kDeny, "LICENSE_REVOKED"),
            1u);
  EXPECT_EQ(Answers(c, AnswerOp::kAuthorize, Source::kOnline,
                    AnswerResult::kDeny, "OTHER"),
            1u);
  EXPECT_EQ(ReasonLabelIndex("SOMETHING_NEW"), ReasonLabelIndex("OTHER"));
  EXPECT_EQ(Answers(c, AnswerOp::kAuthorize, Source::kLocal,
                    AnswerResult::kDeny, "AGENT_OFFLINE"),
            1u);
  EXPECT_EQ(Errors(c, AnswerOp::kAuthorize, Source::kLocal,
                   RequestErrorCode::kValidation),
            1u);
  EXPECT_EQ(Attempts(c, AttemptOutcome::kDeny, 0), 2u);
  EXPECT_EQ(Attempts(c, AttemptOutcome::kFailure, 1), 1u);  // transient
}

// A failed store write is counted by operation.
TEST_F(EngineTest, MetricsCountStoreErrors) {
  StartEngine();
  store_.fail_writes = true;
  auto reply = Ask();
  scheduler_.RunUntilIdle();
  Answer(0, VerdictFor(0, VerdictSpec{}));
  ASSERT_TRUE(reply->has_value());
  const EngineCounters c = engine_->MetricsSnapshot().counters;
  EXPECT_EQ(c.store_errors[static_cast<std::size_t>(StoreOp::kPutVerdict)], 1u);
  EXPECT_EQ(c.store_errors[static_cast<std::size_t>(StoreOp::kAppendEvent)],
            1u);
}

// graceEndsAt per product is the earliest over that product's cached
// allows; denials have none; products are sorted earliest first.
TEST_F(EngineTest, MetricsEarliestGracePerProduct) {
  const std::string other = "0f0f0f0f-0000-4000-8000-000000000001";
  Seed(
      VerdictSpec{
          .license_key = "A", .server_time = kT0 - 100, .grace_seconds = 1000},
      kT0 - 100);
  Seed(
      VerdictSpec{
          .license_key = "B", .server_time = kT0 - 50, .grace_seconds = 500},
      kT0 - 50);
  Seed(VerdictSpec{.product_id = other,
                   .license_key = "C",
                   .server_time = kT0,
                   .grace_seconds = 100},
       kT0);
  Seed(VerdictSpec{.license_key = "D",
                   .allow = false,
                   .reason_code = "LICENSE_REVOKED",
                   .server_time = kT0},
       kT0);
  StartEngine();
  scheduler_.RunUntilIdle();  // rows count once verified, after start
  const EngineMetrics m = engine_->MetricsSnapshot();
  ASSERT_EQ(m.grace_ends_at.size(), 2u);
  EXPECT_EQ(m.products_with_grace, 2u);
  EXPECT_EQ(m.grace_ends_at[0].first, other);
  EXPECT_EQ(UnixSeconds(m.grace_ends_at[0].second), kT0 + 100);
  EXPECT_EQ(m.grace_ends_at[1].first, testing::kProduct);
  EXPECT_EQ(UnixSeconds(m.grace_ends_at[1].second), kT0 + 450);
}

}  // namespace
}  // namespace gg::agent::test
