// Attack on the agent's rate-limit handling (issue 16 point 7): one
// unsigned 429 or 503 with a huge Retry-After, from the server or anyone
// who can answer in its place, must not silence a product for a day.
#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

using RetryAfterAttackTest = E2eTest;

// A day is the longest the dev server sends (and what the agent used to
// obey); the agent may hold back for server.maxRetryAfterSeconds only.
constexpr int kHugeRetryAfter = 86400;

const json kShortCap = {{"server", {{"maxRetryAfterSeconds", 2}}},
                        {"policy", {{"requestDeadlineMs", 1000}}}};

// Polls authorize of `key` until an allow; the last answer.
json AuthorizeUntilAllowed(NdjsonClient& client, const std::string& key) {
  json last;
  PollUntil(
      [&] {
        last = E2eTest::AuthorizeOnce(client, kProduct, key);
        return last.value("allow", false);
      },
      seconds(30));
  return last;
}

// After a 429 asking for a day, a key of the same product that was never
// asked reaches the server again once the cap has passed.
TEST_F(RetryAfterAttackTest, HugeRetryAfterOn429IsCapped) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->SetFault({{"times", 1},
                                 {"status", 429},
                                 {"code", "RATE_LIMITED"},
                                 {"retryAfter", kHugeRetryAfter}}));
  ASSERT_TRUE(MakeAgent(kShortCap));
  auto client = Connect();
  ASSERT_TRUE(client);
  json first = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_FALSE(first.value("allow", true)) << first.dump();

  json later = AuthorizeUntilAllowed(*client, "DEMO-ALLOW-STICKY");
  EXPECT_TRUE(later.value("allow", false)) << later.dump() << agent_->Log();
  EXPECT_EQ(later.value("source", ""), "online") << later.dump();
  // The server's own value is in the log, next to the cap applied.
  EXPECT_NE(agent_->Log().find("asked to wait 86400 s"), std::string::npos)
      << agent_->Log();
}

// A 503 asking for a day delays the retry of that request by the cap
// only: the same key is allowed again soon.
TEST_F(RetryAfterAttackTest, HugeRetryAfterOn503IsCapped) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->SetFault({{"times", 1},
                                 {"status", 503},
                                 {"code", "SIGNING_UNAVAILABLE"},
                                 {"retryAfter", kHugeRetryAfter}}));
  ASSERT_TRUE(MakeAgent(kShortCap));
  auto client = Connect();
  ASSERT_TRUE(client);
  json answer = AuthorizeUntilAllowed(*client, "DEMO-ALLOW-0001");
  EXPECT_TRUE(answer.value("allow", false)) << answer.dump() << agent_->Log();
  EXPECT_NE(agent_->Log().find("asked to wait 86400 s"), std::string::npos)
      << agent_->Log();
}

}  // namespace
}  // namespace gg::e2e
