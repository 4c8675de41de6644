// A flood of made-up license keys from one local user (issue 10 point 9):
// a per-uid budget of upstream requests for uncached keys, answered
// locally with RATE_LIMITED past it; per-key state that does not grow.
#include <sys/stat.h>

#include <chrono>
#include <string>

#include "tests/attacks/attack_support.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using attacks::ForeignClient;
using nlohmann::json;
using std::chrono::seconds;

int CountBogusRequests(const json& requests) {
  int n = 0;
  for (const auto& r : requests) {
    if (r.value("path", "") != "/v1/licenses/authorize")
      continue;
    auto body = json::parse(r.value("body", ""), nullptr, false);
    if (body.is_object() &&
        body.value("licenseKey", "").rfind("BOGUS-", 0) == 0)
      ++n;
  }
  return n;
}

// Mallory asks for 40 distinct bogus keys. Only her budget (5 a minute)
// reaches the server; the rest are RATE_LIMITED (ok:false, allow:false,
// retryAfterSeconds). Alice's key still goes upstream and is allowed.
TEST_F(E2eTest, MadeUpKeysSpendOnlyTheirUsersBudget) {
  if (!attacks::CanSwitchUsers())
    GTEST_SKIP() << "needs root to act as other users";
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"ipc", {{"mode", "0666"}}},
                         {"policy", {{"upstreamPerUidPerMinute", 5}}}},
                        /*start=*/false));
  ASSERT_EQ(::chmod(agent_->Dir().c_str(), 0755), 0);
  ASSERT_TRUE(agent_->Start());

  auto mallory =
      ForeignClient::Connect(agent_->SocketPath(), attacks::kMallory);
  ASSERT_TRUE(mallory) << mallory.error().message;
  int limited = 0;
  for (int i = 0; i < 40; ++i) {
    auto answer =
        (**mallory)->Authorize(kProduct, "BOGUS-" + std::to_string(i));
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->value("allow", true), false) << answer->dump();
    EXPECT_EQ(answer->value("ok", true), false) << answer->dump();
    if (answer->contains("error") &&
        (*answer)["error"].value("code", "") == "RATE_LIMITED") {
      ++limited;
      EXPECT_GE(answer->value("retryAfterSeconds", 0), 1) << answer->dump();
    }
  }
  auto requests = server_->Requests();
  ASSERT_TRUE(requests) << requests.error().message;
  // 5 at once, and one more per 12 s the test took.
  EXPECT_LE(CountBogusRequests(*requests), 7);
  EXPECT_GE(limited, 33);

  auto alice = ForeignClient::Connect(agent_->SocketPath(), attacks::kAlice);
  ASSERT_TRUE(alice) << alice.error().message;
  auto allow = (**alice)->Authorize(kProduct, "DEMO-ALLOW-0001");
  ASSERT_TRUE(allow) << allow.error().message;
  EXPECT_EQ(allow->value("allow", false), true) << allow->dump();
  EXPECT_EQ(allow->value("source", ""), "online") << allow->dump();
}

// A signed LICENSE_NOT_FOUND is cached like other denials: asking again
// within denyCacheSeconds costs no upstream request (and no budget).
TEST_F(E2eTest, SignedLicenseNotFoundIsCached) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"policy", {{"upstreamPerUidPerMinute", 1}}}}));
  auto client = Connect();
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) {
    auto deny = client->Authorize(kProduct, "DEMO-NOT-FOUND");
    ASSERT_TRUE(deny) << deny.error().message;
    EXPECT_EQ(deny->value("reasonCode", json()), "LICENSE_NOT_FOUND")
        << deny->dump();
    EXPECT_EQ(deny->value("source", ""), i == 0 ? "online" : "cache")
        << deny->dump();
  }
  EXPECT_EQ(UpstreamRequestsFor("DEMO-NOT-FOUND"), 1);
}

// 20,000 distinct keys (long ones, under random products) from one
// connection: the agent's memory does not grow with them, because state
// for a key with no session and no cached verdict is dropped.
TEST_F(E2eTest, DistinctKeysDoNotGrowMemory) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"policy", {{"upstreamPerUidPerMinute", 2}}},
                         {"log", {{"level", "info"}}}}));
  if (SanitizedBuild())
    GTEST_SKIP() << "RSS measures the sanitizer's allocator here (ASan keeps "
                    "256 MB of freed memory in quarantine), not the agent; "
                    "LeakSanitizer checks leaks, the plain build this bound";
  auto client = Connect();
  ASSERT_TRUE(client);
  // Warm up (allocator arenas, the first upstream calls).
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(client->Authorize(kProduct, "WARM-" + std::to_string(i)));
  const long long before = attacks::RssKib(agent_->Pid());
  const std::string pad(200, 'k');
  constexpr int kKeys = 20000;
  constexpr int kWindow = 16;  // pipelined, below the in-flight limit
  int sent = 0;
  int answered = 0;
  while (answered < kKeys) {
    while (sent < kKeys && sent - answered < kWindow) {
      char product[40];
      std::snprintf(product, sizeof(product), "%08x-0000-4000-8000-%012x",
                    static_cast<unsigned>(sent), static_cast<unsigned>(sent));
      ASSERT_TRUE(client->Send({{"id", sent},
                                {"op", "authorize"},
                                {"productId", product},
                                {"licenseKey", pad + std::to_string(sent)}}));
      ++sent;
    }
    auto answer = client->ReadAnswer();
    ASSERT_TRUE(answer) << answer.error().message;
    ASSERT_EQ(answer->value("allow", true), false) << answer->dump();
    ++answered;
  }
  const long long after = attacks::RssKib(agent_->Pid());
  EXPECT_LT(after - before, 6 * 1024)
      << "RSS grew from " << before << " to " << after << " KiB";
}

}  // namespace
}  // namespace gg::e2e
