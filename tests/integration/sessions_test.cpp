// End to end, sessions: concurrency limits and a crashed app's seat.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/integration/detached_app.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

// The local session count reaches the signed policy's limit (3 for
// DEMO-ALLOW-0001, overriding the config's 1): the next app is denied by
// the agent, source "local".
TEST_F(E2eTest, ConcurrencyLimitFromLocalCount) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"policy", {{"maxConcurrentSessions", 1}}}}));
  std::vector<std::unique_ptr<NdjsonClient>> apps;
  for (int i = 0; i < 3; ++i) {
    apps.push_back(Connect());
    ASSERT_TRUE(apps.back());
    auto allow = apps.back()->Authorize(kProduct, "DEMO-ALLOW-0001");
    ASSERT_TRUE(allow) << allow.error().message;
    ASSERT_EQ(allow->value("allow", false), true) << allow->dump();
  }
  auto fourth = Connect();
  ASSERT_TRUE(fourth);
  auto deny = fourth->Authorize(kProduct, "DEMO-ALLOW-0001");
  ASSERT_TRUE(deny) << deny.error().message;
  EXPECT_EQ(deny->value("allow", true), false) << deny->dump();
  EXPECT_EQ(deny->value("reasonCode", json()), "CONCURRENCY_LIMIT_EXCEEDED")
      << deny->dump();
  EXPECT_EQ(deny->value("source", ""), "local") << deny->dump();
}

// The server's own concurrency denial (DEMO-CONCURRENCY-LIMIT) passes
// through with source "online".
TEST_F(E2eTest, ConcurrencyLimitFromServer) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  auto client = Connect();
  ASSERT_TRUE(client);
  auto deny = client->Authorize(kProduct, "DEMO-CONCURRENCY-LIMIT");
  ASSERT_TRUE(deny) << deny.error().message;
  EXPECT_EQ(deny->value("reasonCode", json()), "CONCURRENCY_LIMIT_EXCEEDED")
      << deny->dump();
  EXPECT_EQ(deny->value("source", ""), "online") << deny->dump();
  EXPECT_EQ(UpstreamRequestsFor("DEMO-CONCURRENCY-LIMIT"), 1);
}

// Runs in the forked child: raw syscalls only (no allocation after fork).
bool HasSessionOfPid(NdjsonClient& client, pid_t pid) {
  auto sessions = client.Call({{"op", "sessions"}});
  if (!sessions || !(*sessions)["sessions"].is_array())
    return true;  // unknown: keep waiting, the final assert reports it
  for (const auto& s : (*sessions)["sessions"]) {
    if (s.value("pid", -1) == pid)
      return true;
  }
  return false;
}

// An app that opened a detached session and was SIGKILLed frees its seat:
// the agent notices its process is gone (no lease to run out first).
TEST_F(E2eTest, CrashedAppDetachedSessionIsFreed) {
  FixtureChanges changes;
  changes.extra_allow_keys = {"E2E-ONE-SEAT"};
  changes.max_sessions = 1;
  ASSERT_TRUE(StartServer(&changes));
  ASSERT_TRUE(MakeAgent());
  auto app = StartDetachedApp(agent_->SocketPath(), kProduct, "E2E-ONE-SEAT");
  ASSERT_TRUE(app) << app.error().message;
  const pid_t child = app->pid;
  ASSERT_EQ(app->answer.value("allow", false), true) << app->answer.dump();

  auto admin = Connect();
  ASSERT_TRUE(admin);
  EXPECT_TRUE(HasSessionOfPid(*admin, child));
  // The seat is taken while the app lives.
  json taken = AuthorizeOnce(*admin, kProduct, "E2E-ONE-SEAT");
  EXPECT_EQ(taken.value("reasonCode", json()), "CONCURRENCY_LIMIT_EXCEEDED")
      << taken.dump();

  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(PollUntil([&] { return !HasSessionOfPid(*admin, child); },
                        std::chrono::seconds(20)))
      << agent_->Log();
  json free_again = AuthorizeOnce(*admin, kProduct, "E2E-ONE-SEAT");
  EXPECT_EQ(free_again.value("allow", false), true) << free_again.dump();
}

}  // namespace
}  // namespace gg::e2e
