// AuthorizeClient over a scripted transport: every classification row, the
// retries, the clock fixes, the 429 window and shutdown. The client's loop
// is a ManualScheduler on the test thread: backoff timers fire when the
// test moves the fake clock, never after a real wait.
#include "agent/upstream/authorize_client.h"

#include <algorithm>
#include <fstream>
#include <future>
#include <optional>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "agent/upstream/classify.h"
#include "tests/agent/upstream/test_keys.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_http_transport.h"
#include "tests/fakes/manual_scheduler.h"
#include "tests/test_paths.h"

namespace gg::upstream {
namespace {

using gg::testing::FakeClock;
using gg::testing::FakeHttpTransport;
using gg::testing::ManualScheduler;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kAllow[] = R"({"ok":true,"allow":true,"licenseId":"L"})";

class HalfRandom final : public RandomSource {
 public:
  double Uniform01() override { return 0.5; }
};

std::string ErrorBody(const std::string& code) {
  return R"({"ok":false,"error":{"code":")" + code + R"(","message":"m"}})";
}

class AuthorizeClientTest : public ::testing::Test {
 protected:
  void Make(int max_attempts = 3,
            milliseconds initial_backoff = milliseconds(1)) {
    auto transport = std::make_unique<FakeHttpTransport>();
    transport_ = transport.get();
    AuthorizeClientOptions o;
    o.base_url = "https://api.test/gw";
    o.api_key = Secret("gg_test_key");
    o.signing_secret = Secret("test-secret");
    o.response_public_keys = {testing::VectorPublicKey()};
    o.max_attempts = max_attempts;
    o.initial_backoff = initial_backoff;
    o.max_backoff = std::max(initial_backoff, milliseconds(4));
    auto client = AuthorizeClient::Create(std::move(o), clock_, random_,
                                          scheduler_, std::move(transport));
    ASSERT_TRUE(client) << client.error().message;
    client_ = *std::move(client);
  }

  Outcome Run(const std::string& product = "prod") {
    std::promise<Outcome> promise;
    auto future = promise.get_future();
    client_->Authorize({product, "KEY", "hw", 1, "inst"},
                       [&promise](Outcome o) { promise.set_value(o); });
    // Each backoff passes on the fake clock, as long as it asks.
    while (future.wait_for(seconds(0)) != std::future_status::ready &&
           scheduler_.AdvanceToNextTimer()) {
    }
    EXPECT_EQ(future.wait_for(seconds(0)), std::future_status::ready);
    return future.get();
  }

  std::string Header(std::size_t i, const std::string& name) {
    return FakeHttpTransport::HeaderOf(transport_->requests().at(i), name);
  }

  FakeClock clock_;
  ManualScheduler scheduler_{clock_};
  HalfRandom random_;
  FakeHttpTransport* transport_ = nullptr;
  std::unique_ptr<AuthorizeClient> client_;
  std::string seed_ = testing::VectorSeed();
};

// A signed allow comes back as a verdict after one well-formed request.
TEST_F(AuthorizeClientTest, SignedAllow) {
  Make();
  transport_->PushSigned(seed_, 200, kAllow);
  auto out = Run();
  ASSERT_TRUE(std::holds_alternative<Verdict>(out));
  EXPECT_TRUE(std::get<Verdict>(out).allow);
  ASSERT_EQ(transport_->request_count(), 1u);
  const auto req = transport_->requests()[0];
  EXPECT_EQ(req.url, "https://api.test/gw/v1/licenses/authorize");
  EXPECT_EQ(Header(0, "X-GG-Timestamp"), "1763790000");
  EXPECT_TRUE(
      std::regex_match(Header(0, "X-GG-Nonce"), std::regex("[0-9a-f]{32}")));
  EXPECT_EQ(Header(0, "X-GG-Signature"),
            *signing::RequestSignature(
                "test-secret", "POST", "/gw/v1/licenses/authorize",
                "1763790000", Header(0, "X-GG-Nonce"), req.body));
}

// Every seed code, answered by the fake server, gives the classified
// outcome with the right number of requests: one for no-retry classes,
// max_attempts for transient ones, two for the clock codes.
TEST_F(AuthorizeClientTest, EveryClassificationRow) {
  std::ifstream in(std::string(gg::test::SharedDir()) +
                   "/seeds/api-errors.txt");
  std::stringstream text;
  text << in.rdbuf();
  const std::string page = text.str();
  std::vector<std::pair<std::string, int>> rows = {
      {"RATE_LIMIT_EXCEEDED", 429}};
  const std::regex line(R"(^([A-Z_]+) \| (\d{3}) \|)", std::regex::multiline);
  for (auto it = std::sregex_iterator(page.begin(), page.end(), line);
       it != std::sregex_iterator(); ++it) {
    rows.push_back({(*it)[1], std::stoi((*it)[2])});
  }
  ASSERT_GE(rows.size(), 46u);
  for (const auto& [code, status] : rows) {
    SCOPED_TRACE(code);
    Make(/*max_attempts=*/2);
    for (int i = 0; i < 3; ++i) {
      transport_->PushResponse(status, ErrorBody(code),
                               {{"retry-after", "0"}, {"x-request-id", "r"}});
    }
    const Classification c = Classify(status, code);
    auto out = Run("prod-" + code);
    if (c.kind == AnswerKind::kUnsignedDenial) {
      ASSERT_TRUE(std::holds_alternative<Verdict>(out));
      EXPECT_EQ(std::get<Verdict>(out).reason_code, code);
      EXPECT_EQ(transport_->request_count(), 1u);
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<Failure>(out));
    const auto& f = std::get<Failure>(out);
    EXPECT_EQ(f.code, code);
    EXPECT_EQ(f.http_status, status);
    EXPECT_EQ(f.request_id, "r");
    EXPECT_EQ(f.failure_class, c.failure_class);
    EXPECT_EQ(f.credentials_rejected, c.credentials_rejected);
    std::size_t want = 1;
    if (c.failure_class == FailureClass::kClock) {
      want = 2;
    } else if (IsRetriable(c.failure_class)) {
      want = 2;
    }
    EXPECT_EQ(transport_->request_count(), want);
  }
}

// 503 then a signed allow: retried with a fresh nonce, verdict delivered.
TEST_F(AuthorizeClientTest, TransientThenSuccess) {
  Make();
  transport_->PushResponse(503, ErrorBody("SIGNING_UNAVAILABLE"));
  transport_->PushError(TransportErrorKind::kTimeout);
  transport_->PushSigned(seed_, 200, kAllow);
  auto out = Run();
  ASSERT_TRUE(std::holds_alternative<Verdict>(out));
  ASSERT_EQ(transport_->request_count(), 3u);
  EXPECT_NE(Header(0, "X-GG-Nonce"), Header(1, "X-GG-Nonce"));
  EXPECT_NE(Header(1, "X-GG-Nonce"), Header(2, "X-GG-Nonce"));
}

// A backoff is a timer on the client's scheduler: the retry goes out when
// the clock reaches it (500 ms: half the 1 s ceiling), not before.
TEST_F(AuthorizeClientTest, BackoffWaitsForTheSchedulersClock) {
  Make(3, milliseconds(1000));
  transport_->PushResponse(503, ErrorBody("SIGNING_UNAVAILABLE"));
  transport_->PushSigned(seed_, 200, kAllow);
  std::optional<Outcome> out;
  client_->Authorize({"prod", "KEY", "hw", 1, "inst"},
                     [&out](Outcome o) { out = std::move(o); });
  scheduler_.RunUntilIdle();
  EXPECT_EQ(transport_->request_count(), 1u);
  EXPECT_EQ(scheduler_.pending_timers(), 1u);
  scheduler_.Advance(milliseconds(499));
  EXPECT_EQ(transport_->request_count(), 1u);
  EXPECT_FALSE(out);
  scheduler_.Advance(milliseconds(1));
  EXPECT_EQ(transport_->request_count(), 2u);
  ASSERT_TRUE(out);
  EXPECT_TRUE(std::holds_alternative<Verdict>(*out));
  EXPECT_EQ(scheduler_.pending_timers(), 0u);
}

// An unsigned verdict is retried, and after the budget is a transient
// UNSIGNED failure, never a verdict.
TEST_F(AuthorizeClientTest, UnsignedVerdictNeverUsed) {
  Make(2);
  transport_->PushResponse(200, kAllow);
  transport_->PushResponse(200, kAllow);
  auto out = Run();
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).code, "UNSIGNED");
  EXPECT_EQ(transport_->request_count(), 2u);
}

// SIGNATURE_EXPIRED: the offset from `Date` is applied to the retry and
// kept for later calls.
TEST_F(AuthorizeClientTest, SignatureExpiredCorrectsClockFromDate) {
  Make();
  // The fake clock starts at 1763790000 = Sat, 22 Nov 2025 05:40:00 GMT.
  transport_->PushResponse(401, ErrorBody("SIGNATURE_EXPIRED"),
                           {{"date", "Sat, 22 Nov 2025 05:46:40 GMT"}});
  transport_->PushSigned(seed_, 200, kAllow);
  transport_->PushSigned(seed_, 200, kAllow);
  ASSERT_TRUE(std::holds_alternative<Verdict>(Run()));
  EXPECT_EQ(client_->clock_offset_seconds(), 400);
  EXPECT_EQ(Header(0, "X-GG-Timestamp"), "1763790000");
  EXPECT_EQ(Header(1, "X-GG-Timestamp"), "1763790400");
  EXPECT_NE(Header(0, "X-GG-Nonce"), Header(1, "X-GG-Nonce"));
  ASSERT_TRUE(std::holds_alternative<Verdict>(Run()));
  EXPECT_EQ(Header(2, "X-GG-Timestamp"), "1763790400");
}

// A second SIGNATURE_EXPIRED after the correction is a clock failure.
TEST_F(AuthorizeClientTest, SignatureExpiredOnlyCorrectedOnce) {
  Make();
  for (int i = 0; i < 3; ++i) {
    transport_->PushResponse(401, ErrorBody("SIGNATURE_EXPIRED"),
                             {{"date", "Sat, 22 Nov 2025 05:46:40 GMT"}});
  }
  auto out = Run();
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).failure_class, FailureClass::kClock);
  EXPECT_EQ(transport_->request_count(), 2u);
}

// NONCE_REUSED: one immediate retry with a fresh nonce.
TEST_F(AuthorizeClientTest, NonceReusedRetriedWithFreshNonce) {
  Make();
  transport_->PushResponse(401, ErrorBody("NONCE_REUSED"));
  transport_->PushSigned(seed_, 200, kAllow);
  ASSERT_TRUE(std::holds_alternative<Verdict>(Run()));
  ASSERT_EQ(transport_->request_count(), 2u);
  EXPECT_NE(Header(0, "X-GG-Nonce"), Header(1, "X-GG-Nonce"));
}

// Inside a 429 window calls for that product fail at once with
// retry_after and no request; other products and later calls go through.
TEST_F(AuthorizeClientTest, RateLimitWindowBlocksProduct) {
  Make(1);
  transport_->PushResponse(429, ErrorBody("RATE_LIMITED"),
                           {{"retry-after", "60"}});
  auto first = Run("p1");
  ASSERT_TRUE(std::holds_alternative<Failure>(first));
  EXPECT_EQ(std::get<Failure>(first).retry_after, seconds(60));
  EXPECT_EQ(transport_->request_count(), 1u);

  clock_.Advance(seconds(30));
  auto blocked = Run("p1");
  ASSERT_TRUE(std::holds_alternative<Failure>(blocked));
  EXPECT_EQ(std::get<Failure>(blocked).code, "RATE_LIMITED");
  EXPECT_EQ(std::get<Failure>(blocked).retry_after, seconds(30));
  EXPECT_EQ(transport_->request_count(), 1u);

  transport_->PushSigned(seed_, 200, kAllow);
  EXPECT_TRUE(std::holds_alternative<Verdict>(Run("p2")));
  EXPECT_EQ(transport_->request_count(), 2u);

  clock_.Advance(seconds(30));
  transport_->PushSigned(seed_, 200, kAllow);
  EXPECT_TRUE(std::holds_alternative<Verdict>(Run("p1")));
  EXPECT_EQ(transport_->request_count(), 3u);
}

// Shutdown fails a call waiting on a retry timer, and later calls at once.
TEST_F(AuthorizeClientTest, ShutdownFailsPendingCalls) {
  auto transport = std::make_unique<FakeHttpTransport>();
  transport_ = transport.get();
  AuthorizeClientOptions o;
  o.base_url = "http://h";
  o.api_key = Secret("k");
  o.signing_secret = Secret("s");
  o.response_public_keys = {testing::VectorPublicKey()};
  o.initial_backoff = std::chrono::hours(1);
  o.max_backoff = std::chrono::hours(1);
  client_ = *AuthorizeClient::Create(std::move(o), clock_, random_, scheduler_,
                                     std::move(transport));
  transport_->PushResponse(503, ErrorBody("INTERNAL"));
  std::promise<Outcome> promise;
  auto future = promise.get_future();
  client_->Authorize({"p", "K", "h", 1, "i"},
                     [&promise](Outcome out) { promise.set_value(out); });
  // The first attempt is answered; the retry waits on an hour's timer.
  scheduler_.RunUntilIdle();
  ASSERT_EQ(transport_->request_count(), 1u);
  ASSERT_EQ(scheduler_.pending_timers(), 1u);
  client_->Shutdown(seconds(5));
  EXPECT_EQ(scheduler_.pending_timers(), 0u);
  ASSERT_EQ(future.wait_for(seconds(5)), std::future_status::ready);
  auto out = future.get();
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).code, "SHUTDOWN");

  bool called = false;
  client_->Authorize({"p", "K", "h", 1, "i"}, [&called](Outcome o2) {
    called = std::get<Failure>(o2).code == "SHUTDOWN";
  });
  EXPECT_TRUE(called);
}

// Create refuses configurations that could never produce a trusted verdict.
TEST(AuthorizeClientCreateTest, RejectsBadOptions) {
  FakeClock clock;
  ManualScheduler scheduler(clock);
  HalfRandom random;
  AuthorizeClientOptions o;
  o.base_url = "https://h";
  o.api_key = Secret("k");
  o.signing_secret = Secret("s");
  auto no_keys = AuthorizeClient::Create(o, clock, random, scheduler,
                                         std::make_unique<FakeHttpTransport>());
  ASSERT_FALSE(no_keys);
  EXPECT_EQ(no_keys.error().code, ErrorCode::kConfig);
  o.response_public_keys = {std::string(32, 'k')};
  o.base_url = "ftp://h";
  auto bad_url = AuthorizeClient::Create(o, clock, random, scheduler,
                                         std::make_unique<FakeHttpTransport>());
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.error().code, ErrorCode::kInvalidBaseUrl);
}

}  // namespace
}  // namespace gg::upstream
