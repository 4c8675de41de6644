// Attacks on sessions by local users (issue 10 points 7 and 8): seats
// leaked by apps that leave before their answer, and heartbeat/release of
// sessions that belong to someone else.
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

json SessionsOf(NdjsonClient& admin) {
  auto sessions = admin.Call({{"op", "sessions"}});
  if (!sessions || !(*sessions)["sessions"].is_array())
    return json::array();
  return (*sessions)["sessions"];
}

bool HasSession(NdjsonClient& admin, const std::string& id) {
  for (const auto& s : SessionsOf(admin)) {
    if (s.value("sessionId", "") == id)
      return true;
  }
  return false;
}

std::string ErrorCode(const Result<json>& answer) {
  if (!answer)
    return "transport: " + answer.error().message;
  if (!(*answer).contains("error") || !(*answer)["error"].is_object())
    return "no error: " + answer->dump();
  return (*answer)["error"].value("code", "");
}

// Two apps ask for a 2-seat license and disconnect while the agent waits
// for the server (a slow 503, then a retry that allows). No session may be
// opened for a connection that is gone, so a third app still gets a seat.
TEST_F(E2eTest, AppThatLeavesWhileWaitingLeaksNoSeat) {
  FixtureChanges changes;
  changes.extra_allow_keys = {"E2E-TWO-SEATS"};
  changes.max_sessions = 2;
  ASSERT_TRUE(StartServer(&changes));
  ASSERT_TRUE(server_->SetFault({{"times", 1}, {"delayMs", 800}}));
  ASSERT_TRUE(MakeAgent());
  for (bool detached : {false, true}) {
    auto app = Connect();
    ASSERT_TRUE(app);
    ASSERT_TRUE(app->Send({{"id", 1},
                           {"op", "authorize"},
                           {"productId", kProduct},
                           {"licenseKey", "E2E-TWO-SEATS"},
                           {"detached", detached}}));
  }  // both gone before the server answered
  auto admin = Connect();
  ASSERT_TRUE(admin);
  // The verdict is cached in the same step that would have opened the
  // sessions: once it is there, they would exist.
  ASSERT_TRUE(PollUntil(
      [&] {
        auto status = admin->Call({{"op", "status"}});
        return status && status->value("cachedVerdicts", 0) >= 1;
      },
      seconds(20)))
      << agent_->Log();
  EXPECT_EQ(SessionsOf(*admin).size(), 0u) << SessionsOf(*admin).dump();
  auto third = Connect();
  ASSERT_TRUE(third);
  for (int i = 0; i < 2; ++i) {
    auto allow = third->Authorize(kProduct, "E2E-TWO-SEATS");
    ASSERT_TRUE(allow) << allow.error().message;
    EXPECT_EQ(allow->value("allow", false), true) << allow->dump();
  }
}

// Mallory knows the session IDs of Alice's apps (from a log, say). She may
// neither heartbeat nor release them; Alice's own other connection may
// touch only her detached session; root may release any.
TEST_F(E2eTest, SessionsOfOthersCannotBeTouched) {
  if (!attacks::CanSwitchUsers())
    GTEST_SKIP() << "needs root to act as other users";
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"ipc", {{"mode", "0666"}}}}, /*start=*/false));
  ASSERT_EQ(::chmod(agent_->Dir().c_str(), 0755), 0);
  ASSERT_TRUE(agent_->Start());
  const auto path = agent_->SocketPath();

  auto alice = ForeignClient::Connect(path, attacks::kAlice);
  ASSERT_TRUE(alice) << alice.error().message;
  auto bound = (**alice)->Authorize(kProduct, "DEMO-ALLOW-0001");
  ASSERT_TRUE(bound) << bound.error().message;
  ASSERT_EQ(bound->value("allow", false), true) << bound->dump();
  auto detached =
      (**alice)->Authorize(kProduct, "DEMO-ALLOW-0001", /*detached=*/true);
  ASSERT_TRUE(detached) << detached.error().message;
  ASSERT_EQ(detached->value("allow", false), true) << detached->dump();
  const std::string bound_id = (*bound)["sessionId"];
  const std::string detached_id = (*detached)["sessionId"];

  auto mallory = ForeignClient::Connect(path, attacks::kMallory);
  ASSERT_TRUE(mallory) << mallory.error().message;
  for (const std::string& id : {bound_id, detached_id}) {
    auto beat = (**mallory)->Call({{"op", "heartbeat"}, {"sessionId", id}});
    EXPECT_EQ(ErrorCode(beat), "SESSION_NOT_FOUND");
    EXPECT_EQ(beat ? beat->value("allow", true) : false, false);
    auto release = (**mallory)->Call({{"op", "release"}, {"sessionId", id}});
    EXPECT_EQ(ErrorCode(release), "SESSION_NOT_FOUND");
  }
  auto admin = Connect();
  ASSERT_TRUE(admin);
  EXPECT_TRUE(HasSession(*admin, bound_id));
  EXPECT_TRUE(HasSession(*admin, detached_id));

  // Alice on another connection: the bound session is her first
  // connection's only; the detached one is hers wherever she is.
  auto alice2 = ForeignClient::Connect(path, attacks::kAlice);
  ASSERT_TRUE(alice2) << alice2.error().message;
  auto foreign_release =
      (**alice2)->Call({{"op", "release"}, {"sessionId", bound_id}});
  EXPECT_EQ(ErrorCode(foreign_release), "SESSION_NOT_FOUND");
  auto beat =
      (**alice2)->Call({{"op", "heartbeat"}, {"sessionId", detached_id}});
  ASSERT_TRUE(beat) << beat.error().message;
  EXPECT_EQ(beat->value("allow", false), true) << beat->dump();
  EXPECT_TRUE(HasSession(*admin, bound_id));

  // Root (the agent's user) may end any session; the owner then sees it
  // gone, with no stale copy left on its connection.
  auto root_release = admin->Call({{"op", "release"}, {"sessionId", bound_id}});
  ASSERT_TRUE(root_release) << root_release.error().message;
  EXPECT_EQ(root_release->value("ok", false), true) << root_release->dump();
  EXPECT_FALSE(HasSession(*admin, bound_id));
  auto owner_beat =
      (**alice)->Call({{"op", "heartbeat"}, {"sessionId", bound_id}});
  EXPECT_EQ(ErrorCode(owner_beat), "SESSION_NOT_FOUND");
  auto own_release =
      (**alice)->Call({{"op", "release"}, {"sessionId", detached_id}});
  ASSERT_TRUE(own_release) << own_release.error().message;
  EXPECT_EQ(own_release->value("ok", false), true) << own_release->dump();
}

// One session table (issue 10 point 8): a session the agent ended on its
// own, here by a pushed revocation, no longer counts for the connection
// that opened it, which then idles out like any other. (The server's copy
// of the table kept it forever: the connection was never closed.)
TEST_F(E2eTest, SessionEndedByTheAgentNoLongerHoldsItsConnection) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(
      server_->PutLicense("DEMO-ALLOW-0001", {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent({{"ipc", {{"idleTimeoutSeconds", 1}}}}));
  auto client = Connect();
  ASSERT_TRUE(client);
  auto allow = client->Authorize(kProduct, "DEMO-ALLOW-0001");
  ASSERT_TRUE(allow) << allow.error().message;
  ASSERT_EQ(allow->value("allow", false), true) << allow->dump();
  ASSERT_TRUE(server_->PutLicense("DEMO-ALLOW-0001", {{"status", "REVOKED"}}));
  auto event = client->NextEvent(seconds(20));
  ASSERT_TRUE(event) << event.error().message << "\n" << agent_->Log();
  ASSERT_EQ(event->value("allow", true), false) << event->dump();
  // Ten idle timeouts.
  EXPECT_TRUE(client->AwaitClosed(seconds(10)))
      << "the ended session kept its connection open\n"
      << agent_->Log();
}

}  // namespace
}  // namespace gg::e2e
