// libggclient (C ABI and C++ wrapper) against the real gg-agent and
// gg-devserver (issue 17 points 1-10).
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gg/client.h"
#include "gg/client.hpp"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using ClientE2eTest = E2eTest;

constexpr char kAllowKey[] = "DEMO-ALLOW-0001";

// Waits (bounded) for an event of `type` through gg_client_poll_event.
bool PollFor(gg_client* c, const char* type, gg_event* ev, int timeout_ms) {
  auto end =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (gg_client_poll_event(c, 1000, ev) == 1 && std::string(ev->type) == type)
      return true;
  }
  return false;
}

// 17.1: after the agent ended a session on a revocation, its heartbeat
// answers that denial (reason, message, source), not SESSION_NOT_FOUND.
TEST_F(ClientE2eTest, HeartbeatAfterRevocationAnswersTheDenial) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense(kAllowKey, {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent());
  gg_client* c = gg_client_new(agent_->SocketPath().c_str());
  gg_verdict v;
  ASSERT_EQ(gg_client_authorize(c, kProduct, kAllowKey, "e2e", "1", 1, &v),
            GG_OK)
      << gg_client_last_error(c);
  ASSERT_EQ(v.allow, 1);
  const std::string session = v.session_id;
  ASSERT_TRUE(server_->PutLicense(kAllowKey, {{"status", "REVOKED"}}));
  gg_event ev;
  ASSERT_TRUE(PollFor(c, GG_EVENT_VERDICT, &ev, 20000)) << agent_->Log();
  EXPECT_STREQ(ev.verdict.reason_code, GG_REASON_LICENSE_REVOKED);

  gg_verdict hb;
  EXPECT_EQ(gg_client_heartbeat(c, session.c_str(), &hb), GG_OK)
      << gg_client_last_error(c);
  EXPECT_EQ(hb.allow, 0);
  EXPECT_STREQ(hb.reason_code, GG_REASON_LICENSE_REVOKED);
  EXPECT_STREQ(hb.source, "online");
  EXPECT_STRNE(hb.message, "");
  EXPECT_STREQ(hb.error_code, "");
  gg_client_free(c);
}

// 17.2 and 17.6: SIGTERM gives a shutdown event with AGENT_STOPPING and a
// message, then the lost connection reports the connection-bound session
// as lost; polling while the agent is gone waits out its timeout and says
// so (-GG_ERR_UNAVAILABLE), it does not return at once.
TEST_F(ClientE2eTest, ShutdownEventThenSessionLostThenPollWaits) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  gg::client::Client client(agent_->SocketPath().string());
  auto [verdict, session] = client.Open(kProduct, kAllowKey);
  ASSERT_TRUE(verdict.allow) << verdict.reason_code << client.LastError();
  ASSERT_TRUE(agent_->Signal(SIGTERM));
  auto shutdown = client.PollEvent(20000);
  ASSERT_TRUE(shutdown.has_value()) << client.LastError();
  EXPECT_EQ(shutdown->type, gg::client::EventType::kShutdown);
  EXPECT_EQ(shutdown->verdict.reason_code, GG_REASON_AGENT_STOPPING);
  EXPECT_FALSE(shutdown->verdict.message.empty());
  EXPECT_FALSE(shutdown->verdict.allow);
  auto lost = client.PollEvent(20000);
  ASSERT_TRUE(lost.has_value()) << client.LastError();
  EXPECT_EQ(lost->type, gg::client::EventType::kSessionLost);
  EXPECT_EQ(lost->session_id, session.id());
  ASSERT_TRUE(agent_->WaitExit(seconds(15)));

  int rc = 1;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(client.PollEvent(300, &rc).has_value());
  EXPECT_EQ(rc, -GG_ERR_UNAVAILABLE);
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(300));
  EXPECT_NE(client.LastError(), "");
  session.Detach();  // the agent is gone: nothing to release
}

// 17.6: poll before any connect connects (0: no event), no error.
TEST_F(ClientE2eTest, PollBeforeConnectConnects) {
  ASSERT_TRUE(MakeAgent());
  gg_client* c = gg_client_new(agent_->SocketPath().c_str());
  EXPECT_EQ(gg_client_fd(c), -1);
  gg_event ev;
  EXPECT_EQ(gg_client_poll_event(c, 50, &ev), 0) << gg_client_last_error(c);
  EXPECT_GE(gg_client_fd(c), 0);
  EXPECT_STREQ(gg_client_last_error(c), "");
  gg_client_free(c);
}

// 17.3: with the server hanging, the agent answers from its cache under the
// offline rules at its deadline (5 s); the default client timeout waits for
// that, where a 2 s one gives AGENT_UNAVAILABLE.
TEST_F(ClientE2eTest, DefaultTimeoutOutlastsTheAgentDeadline) {
  static_assert(GG_CLIENT_DEFAULT_TIMEOUT_MS > 5000);
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense(kAllowKey, {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent());
  ASSERT_EQ(
      AuthorizeOnce(*Connect(), kProduct, kAllowKey).value("allow", false),
      true);
  ASSERT_TRUE(server_->SetFault({{"times", 1000}, {"action", "hang"}}));
  gg::client::Client short_timeout(agent_->SocketPath().string());
  short_timeout.SetTimeoutMs(2000);
  gg::client::Verdict quick;
  PollUntil(
      [&] {
        quick = short_timeout.Authorize(kProduct, kAllowKey);
        short_timeout.Release(quick.session_id);
        return quick.source != "cache";
      },
      seconds(20));
  EXPECT_EQ(quick.reason_code, GG_REASON_AGENT_UNAVAILABLE);
  EXPECT_FALSE(quick.allow);

  gg::client::Client default_timeout(agent_->SocketPath().string());
  auto offline = default_timeout.Authorize(kProduct, kAllowKey);
  EXPECT_TRUE(offline.allow)
      << offline.reason_code << " " << default_timeout.LastError();
  EXPECT_EQ(offline.source, "offline");
}

// 17.7: the fd becomes readable when the agent pushes an event, and
// gg_client_dispatch delivers it to the callback, no thread involved.
TEST_F(ClientE2eTest, FdAndDispatchDeliverAnEvent) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense(kAllowKey, {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent());
  gg_client* c = gg_client_new(agent_->SocketPath().c_str());
  std::vector<std::string> seen;
  gg_client_set_event_callback(
      c,
      [](const gg_event* e, void* user) {
        static_cast<std::vector<std::string>*>(user)->push_back(
            e->verdict.reason_code);
      },
      &seen);
  gg_verdict v;
  ASSERT_EQ(
      gg_client_authorize(c, kProduct, kAllowKey, nullptr, nullptr, 0, &v),
      GG_OK);
  ASSERT_TRUE(server_->PutLicense(kAllowKey, {{"status", "REVOKED"}}));
  auto end = std::chrono::steady_clock::now() + seconds(20);
  while (seen.empty() && std::chrono::steady_clock::now() < end) {
    pollfd p{static_cast<int>(gg_client_fd(c)), POLLIN, 0};
    ASSERT_GE(p.fd, 0);
    if (::poll(&p, 1, 1000) == 1) {
      ASSERT_GE(gg_client_dispatch(c), 0);
    }
  }
  ASSERT_EQ(seen.size(), 1u) << agent_->Log();
  EXPECT_EQ(seen[0], GG_REASON_LICENSE_REVOKED);
  gg_client_free(c);
}

// 17.7: the optional watcher thread calls back on its own.
TEST_F(ClientE2eTest, WatcherThreadCallsBack) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense(kAllowKey, {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent());
  gg::client::Client client(agent_->SocketPath().string());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<gg::client::Event> events;
  std::thread::id caller = std::this_thread::get_id();
  std::thread::id callback_thread;
  ASSERT_EQ(client.StartWatcher([&](const gg::client::Event& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
    callback_thread = std::this_thread::get_id();
    cv.notify_all();
  }),
            GG_OK);
  auto [verdict, session] = client.Open(kProduct, kAllowKey);
  ASSERT_TRUE(verdict.allow);
  ASSERT_TRUE(server_->PutLicense(kAllowKey, {{"status", "REVOKED"}}));
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, seconds(20), [&] { return !events.empty(); }))
      << agent_->Log();
  EXPECT_EQ(events[0].type, gg::client::EventType::kVerdict);
  EXPECT_EQ(events[0].session_id, session.id());
  EXPECT_EQ(events[0].verdict.reason_code, GG_REASON_LICENSE_REVOKED);
  EXPECT_NE(callback_thread, caller);
  session.Detach();  // ended by the agent
}

// 17.8: with auto-resume, an agent restart re-authorizes the session and
// reports session_resumed with the new id; without it, session_lost.
TEST_F(ClientE2eTest, AutoResumeAfterAgentRestart) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  gg_client* resumed = gg_client_new(agent_->SocketPath().c_str());
  gg_client_set_auto_resume(resumed, 1);
  gg_client* plain = gg_client_new(agent_->SocketPath().c_str());
  gg_verdict a;
  gg_verdict b;
  ASSERT_EQ(
      gg_client_authorize(resumed, kProduct, kAllowKey, "e2e", "1", 0, &a),
      GG_OK);
  ASSERT_EQ(a.allow, 1);
  ASSERT_EQ(gg_client_authorize(plain, kProduct, kAllowKey, "e2e", "1", 0, &b),
            GG_OK);
  ASSERT_TRUE(agent_->Stop());
  ASSERT_TRUE(agent_->Start());

  gg_event ev;
  ASSERT_TRUE(PollFor(resumed, GG_EVENT_SESSION_RESUMED, &ev, 20000))
      << gg_client_last_error(resumed);
  EXPECT_STREQ(ev.session_id, a.session_id);
  EXPECT_EQ(ev.verdict.allow, 1);
  EXPECT_STRNE(ev.verdict.session_id, a.session_id);
  EXPECT_STRNE(ev.verdict.session_id, "");
  ASSERT_TRUE(PollFor(plain, GG_EVENT_SESSION_LOST, &ev, 20000));
  EXPECT_STREQ(ev.session_id, b.session_id);
  gg_client_free(resumed);
  gg_client_free(plain);
}

// 17.9: every reason the real agent gives for the demo keys has a
// GG_REASON_* constant with its own default message.
TEST_F(ClientE2eTest, RealReasonsHaveConstants) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  gg::client::Client client(agent_->SocketPath().string());
  for (const auto& [key, reason] :
       std::vector<std::pair<std::string, std::string>>{
           {"DEMO-REVOKED", GG_REASON_LICENSE_REVOKED},
           {"NO-SUCH-KEY", GG_REASON_LICENSE_NOT_FOUND}}) {
    auto v = client.Authorize(kProduct, key);
    EXPECT_FALSE(v.allow);
    EXPECT_EQ(v.reason_code, reason) << key;
    EXPECT_NE(v.UserMessage(), "Validation failed") << key;
  }
}

// 17.10: the RAII session of the C++ wrapper releases itself; status shows
// the count going back to zero.
TEST_F(ClientE2eTest, CppSessionReleasesOnDestruction) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  gg::client::Client client(agent_->SocketPath().string());
  ASSERT_EQ(client.Connect(), GG_OK);
  auto sessions = [&] {
    auto status = client.StatusJson();
    return status ? json::parse(*status).value("sessions", -1) : -1;
  };
  {
    auto [verdict, session] =
        client.Open(kProduct, kAllowKey, {"e2e", "1", /*detached=*/true});
    ASSERT_TRUE(verdict.allow) << verdict.reason_code;
    EXPECT_TRUE(session.Heartbeat().allow);
    EXPECT_EQ(sessions(), 1);
  }
  EXPECT_EQ(sessions(), 0);
}

}  // namespace
}  // namespace gg::e2e
