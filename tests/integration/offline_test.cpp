// End to end, offline: the dev server goes away and the agent answers from
// its signed cache under the offline rules (spec/agent.md §3).
#include <filesystem>
#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

using OfflineTest = E2eTest;

// With the dev server stopped, a cached signed allow is answered with
// source "offline" and the end of its grace.
TEST_F(OfflineTest, ServerStoppedGivesOfflineAllowWithGraceEndsAt) {
  ASSERT_TRUE(StartServer());
  // A 1 s refresh interval, so the cached allow is soon due for refresh.
  ASSERT_TRUE(
      server_->PutLicense("DEMO-ALLOW-0001", {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  auto client = Connect();
  ASSERT_TRUE(client);
  json online = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  ASSERT_EQ(online.value("source", ""), "online") << online.dump();
  // SIGKILL: a SIGTERM stop waits out the agent's keep-alive connection.
  server_->Kill();

  json offline = AuthorizeUntil(*client, "DEMO-ALLOW-0001", [](const json& a) {
    return a.value("source", "") == "offline";
  });
  EXPECT_EQ(offline.value("source", ""), "offline") << offline.dump();
  EXPECT_EQ(offline.value("allow", false), true) << offline.dump();
  ASSERT_TRUE(offline.contains("graceEndsAt")) << offline.dump();
  EXPECT_TRUE(offline["graceEndsAt"].is_string()) << offline.dump();
}

// A server refusing connections is known at the first attempt: an ask for
// a key with nothing cached is answered AGENT_OFFLINE then, while the
// retries go on behind, not when requestDeadlineMs (here 10 minutes, far
// past the client's read timeout) runs out.
TEST_F(OfflineTest, RefusedConnectionAnswersBeforeTheDeadline) {
  ASSERT_TRUE(StartServer());
  server_->Kill();
  ASSERT_TRUE(MakeAgent({{"policy", {{"requestDeadlineMs", 600000}}},
                         {"server", {{"connectTimeoutMs", 1000}}}}));
  auto client = Connect();
  ASSERT_TRUE(client);
  for (const char* key : {"DEMO-ALLOW-0001", "DEMO-ALLOW-0001", "NEW-KEY-2"}) {
    json a = AuthorizeOnce(*client, kProduct, key);
    EXPECT_FALSE(a.contains("transportError")) << a.dump();
    EXPECT_EQ(a.value("allow", true), false) << a.dump();
    EXPECT_EQ(a.value("reasonCode", ""), "AGENT_OFFLINE") << a.dump();
  }
}

// Once the offline grace of the signed policy has run out, the cached
// allow is no longer honoured: OFFLINE_GRACE_EXPIRED.
TEST_F(OfflineTest, GraceRunOutGivesOfflineGraceExpired) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense(
      "DEMO-ALLOW-0001",
      {{"heartbeatSeconds", 1}, {"offlineGraceSeconds", 2}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  auto client = Connect();
  ASSERT_TRUE(client);
  json online = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  ASSERT_EQ(online.value("allow", false), true) << online.dump();
  // SIGKILL: a SIGTERM stop waits out the agent's keep-alive connection.
  server_->Kill();

  json expired = AuthorizeUntil(*client, "DEMO-ALLOW-0001", [](const json& a) {
    return !a.value("allow", true);
  });
  EXPECT_EQ(expired.value("reasonCode", json()), "OFFLINE_GRACE_EXPIRED")
      << expired.dump() << "\n"
      << agent_->Log();
  EXPECT_EQ(expired.value("allow", true), false);
}

// The wall clock set an hour back (past the 300 s tolerance) while offline:
// the cached allow is refused with CLOCK_TAMPERED, not stretched.
TEST_F(OfflineTest, WallClockMovedBackGivesClockTampered) {
  std::string why_not;
  const std::string faketime = FakeTimeLibrary(&why_not);
  if (faketime.empty())
    GTEST_SKIP() << why_not;
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(
      server_->PutLicense("DEMO-ALLOW-0001", {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  // A clean stop persists the wall-clock high-water mark.
  ASSERT_TRUE(AllowOnlineThenStop());
  // SIGKILL: a SIGTERM stop waits out the agent's keep-alive connection.
  server_->Kill();

  // Only the wall clock moves: the monotonic clock stays real.
  ASSERT_TRUE(agent_->Start({"LD_PRELOAD=" + faketime, "FAKETIME=-3600",
                             "FAKETIME_DONT_FAKE_MONOTONIC=1",
                             "DONT_FAKE_MONOTONIC=1"}));
  auto client = Connect();
  ASSERT_TRUE(client);
  json answer = AuthorizeUntil(*client, "DEMO-ALLOW-0001", [](const json& a) {
    return a.value("source", "") != "cache";
  });
  EXPECT_EQ(answer.value("reasonCode", json()), "CLOCK_TAMPERED")
      << answer.dump() << "\n"
      << agent_->Log();
  EXPECT_EQ(answer.value("allow", true), false);
}

}  // namespace
}  // namespace gg::e2e
