// End to end, `status` tells the truth: the real gg-agent and ggctl against
// gg-devserver. Online means the last attempt got a verdict, whatever the
// last finished call said; the rate-limit headers of the last answer show.
#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kRateLimitedProduct[] = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d";

json Status(NdjsonClient& client) {
  auto answer = client.Call({{"op", "status"}});
  return answer ? *answer : json{{"transportError", answer.error().message}};
}

// After an online allow, the server fails one attempt (503) and hangs the
// retry: while that call is still retrying, status says offline with the
// 503's code and since when (the demo's `online: true` bug), and ggctl
// prints it; when the retry succeeds, online again.
TEST_F(E2eTest, StatusOfflineWhileRetriesFailAndSaysSinceWhen) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  auto client = Connect();
  auto status_client = Connect();
  ASSERT_TRUE(client && status_client);
  json first = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  ASSERT_EQ(first.value("source", ""), "online") << first.dump();
  json before = Status(*status_client);
  EXPECT_EQ(before.value("online", false), true) << before.dump();
  EXPECT_TRUE(before["lastError"].is_null()) << before.dump();
  EXPECT_TRUE(before["lastAttemptAt"].is_string()) << before.dump();

  ASSERT_TRUE(server_->SetFault(
      {{"times", 1}, {"status", 503}, {"code", "SIGNING_UNAVAILABLE"}}));
  ASSERT_TRUE(server_->SetFault({{"times", 1}, {"action", "hang"}}));
  ASSERT_TRUE(client->Send({{"id", 2},
                            {"op", "authorize"},
                            {"productId", kProduct},
                            {"licenseKey", "DEMO-ALLOW-SESSIONS-2"}}));
  json during;
  ASSERT_TRUE(PollUntil(
      [&] {
        during = Status(*status_client);
        return during.value("online", true) == false;
      },
      seconds(20)))
      << during.dump();
  ASSERT_TRUE(during["lastError"].is_object()) << during.dump();
  EXPECT_EQ(during["lastError"].value("code", ""), "SIGNING_UNAVAILABLE");
  EXPECT_TRUE(during["lastError"].value("requestId", "").starts_with("req_"))
      << during.dump();
  EXPECT_TRUE(during["lastError"]["since"].is_string()) << during.dump();
  EXPECT_GE(during["lastError"].value("failedAttempts", 0), 1);
  // The call has not finished: the retry hangs on the server.
  EXPECT_LT(UpstreamRequestsFor("DEMO-ALLOW-SESSIONS-2"), 3);

  auto printed = agent_->RunGgctl({"status"});
  ASSERT_TRUE(printed) << printed.error().message;
  EXPECT_EQ(printed->code, 0) << printed->output;
  EXPECT_NE(printed->output.find("online:           false (failing since "),
            std::string::npos)
      << printed->output;
  EXPECT_NE(printed->output.find("SIGNING_UNAVAILABLE"), std::string::npos)
      << printed->output;

  auto answer = client->ReadAnswer();
  ASSERT_TRUE(answer) << answer.error().message;
  json after;
  ASSERT_TRUE(PollUntil(
      [&] {
        after = Status(*status_client);
        return after.value("online", false) == true;
      },
      seconds(30)))
      << after.dump();
  EXPECT_TRUE(after["lastError"].is_null()) << after.dump();
}

// The X-RateLimit-Remaining-* headers of the last answer show in status
// (and in ggctl's), and a low budget (the product allows 2 calls a
// minute) is logged at warning.
TEST_F(E2eTest, RateLimitHeadersInStatusAndLowBudgetWarned) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  auto client = Connect();
  ASSERT_TRUE(client);
  json allow =
      AuthorizeOnce(*client, kRateLimitedProduct, "DEMO-PRODUCT-RATE-LIMITED");
  ASSERT_EQ(allow.value("allow", false), true) << allow.dump();
  json s = Status(*client);
  ASSERT_TRUE(s["rateLimit"].is_object()) << s.dump();
  EXPECT_EQ(s["rateLimit"]["remaining"].value("product", -1), 1) << s.dump();
  EXPECT_GT(s["rateLimit"]["remaining"].value("key", -1), 100) << s.dump();
  EXPECT_TRUE(s["rateLimit"]["observedAt"].is_string()) << s.dump();
  EXPECT_NE(agent_->Log().find("rate-limit budget low "
                               "(X-RateLimit-Remaining-product=1)"),
            std::string::npos)
      << agent_->Log();

  auto printed = agent_->RunGgctl({"status"});
  ASSERT_TRUE(printed) << printed.error().message;
  EXPECT_NE(printed->output.find("rate limit:       remaining key "),
            std::string::npos)
      << printed->output;
  EXPECT_NE(printed->output.find("product 1"), std::string::npos)
      << printed->output;
}

}  // namespace
}  // namespace gg::e2e
