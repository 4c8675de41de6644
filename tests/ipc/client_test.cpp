// libggclient (C ABI and C++ wrapper) against the real server with a fake
// handler, including the agent being absent or silent.
#include "gg/client.h"

#include <cstddef>
#include <cstring>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gg/client.hpp"
#include "tests/ipc/test_util.h"

namespace gg::ipc::testing {
namespace {

constexpr char kProduct[] = "123e4567-e89b-12d3-a456-426614174000";

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.path = dir_.path() + "/agent.sock";
    fixture_ = std::make_unique<ServerFixture>(options_);
    ASSERT_TRUE(fixture_->Start());
    client_ = gg_client_new(options_.path.c_str());
    ASSERT_NE(client_, nullptr);
  }
  void TearDown() override { gg_client_free(client_); }

  TempDir dir_;
  ServerOptions options_;
  std::unique_ptr<ServerFixture> fixture_;
  gg_client* client_ = nullptr;
};

// An allow fills every field and opens a session the server knows.
TEST_F(ClientTest, AuthorizeAllow) {
  gg_verdict v;
  ASSERT_EQ(gg_client_authorize(client_, kProduct, "good", "App", "1.0", 0, &v),
            GG_OK);
  EXPECT_EQ(v.allow, 1);
  EXPECT_STREQ(v.session_id, "s_1");
  EXPECT_STREQ(v.source, "online");
  EXPECT_STREQ(v.effective_expires_at, "2027-01-01T00:00:00Z");
  ASSERT_TRUE(fixture_->handler().LastParams().app.has_value());
  EXPECT_EQ(fixture_->handler().LastParams().app->name, "App");
}

// A deny is GG_OK with allow 0 and the reason code passed through.
TEST_F(ClientTest, AuthorizeDeny) {
  gg_verdict v;
  ASSERT_EQ(gg_client_authorize(client_, kProduct, "deny-key", nullptr, nullptr,
                                0, &v),
            GG_OK);
  EXPECT_EQ(v.allow, 0);
  EXPECT_STREQ(v.reason_code, "HWID_MISMATCH");
}

// An error answer is GG_ERR_REQUEST, a deny with error_code set.
TEST_F(ClientTest, RequestErrors) {
  gg_verdict v;
  EXPECT_EQ(
      gg_client_authorize(client_, "not-a-uuid", "k", nullptr, nullptr, 0, &v),
      GG_ERR_REQUEST);
  EXPECT_EQ(v.allow, 0);
  EXPECT_STREQ(v.error_code, "VALIDATION_ERROR");
  EXPECT_EQ(gg_client_heartbeat(client_, "s_404", &v), GG_ERR_REQUEST);
  EXPECT_STREQ(v.error_code, "SESSION_NOT_FOUND");
}

// heartbeat and release of an open session, then status as JSON.
TEST_F(ClientTest, HeartbeatReleaseStatus) {
  gg_verdict v;
  ASSERT_EQ(
      gg_client_authorize(client_, kProduct, "good", nullptr, nullptr, 1, &v),
      GG_OK);
  EXPECT_TRUE(fixture_->handler().LastParams().detached);
  gg_verdict hb;
  ASSERT_EQ(gg_client_heartbeat(client_, v.session_id, &hb), GG_OK);
  EXPECT_EQ(hb.allow, 1);
  EXPECT_EQ(gg_client_release(client_, v.session_id), GG_OK);
  EXPECT_EQ(gg_client_release(client_, v.session_id), GG_ERR_REQUEST);
  char* status = nullptr;
  ASSERT_EQ(gg_client_status(client_, &status), GG_OK);
  auto j = nlohmann::json::parse(status);
  gg_client_string_free(status);
  EXPECT_EQ(j["version"], "9.9.9");
}

// No agent on the path: a deny with AGENT_UNAVAILABLE, never an allow.
TEST(ClientAbsentTest, AgentAbsentFailsClosed) {
  TempDir dir;
  gg_client* c = gg_client_new((dir.path() + "/none.sock").c_str());
  gg_verdict v;
  v.allow = 1;
  EXPECT_EQ(gg_client_authorize(c, kProduct, "good", nullptr, nullptr, 0, &v),
            GG_ERR_UNAVAILABLE);
  EXPECT_EQ(v.allow, 0);
  EXPECT_STREQ(v.reason_code, "AGENT_UNAVAILABLE");
  EXPECT_EQ(gg_client_heartbeat(c, "s_1", &v), GG_ERR_UNAVAILABLE);
  EXPECT_STREQ(v.reason_code, "AGENT_UNAVAILABLE");
  EXPECT_NE(std::string(gg_client_last_error(c)), "");
  gg_client_free(c);
}

// An agent that never answers is a deny after the timeout.
TEST_F(ClientTest, SilentAgentTimesOut) {
  gg_client_set_timeout_ms(client_, 200);
  gg_verdict v;
  EXPECT_EQ(gg_client_authorize(client_, kProduct, "defer-key", nullptr,
                                nullptr, 0, &v),
            GG_ERR_UNAVAILABLE);
  EXPECT_EQ(v.allow, 0);
  EXPECT_STREQ(v.reason_code, "AGENT_UNAVAILABLE");
}

// After the agent restarts the client reconnects on a following call.
TEST_F(ClientTest, ReconnectsAfterRestart) {
  gg_verdict v;
  ASSERT_EQ(
      gg_client_authorize(client_, kProduct, "good", nullptr, nullptr, 0, &v),
      GG_OK);
  fixture_.reset();  // the agent goes away
  EXPECT_EQ(
      gg_client_authorize(client_, kProduct, "good", nullptr, nullptr, 0, &v),
      GG_ERR_UNAVAILABLE);
  EXPECT_EQ(v.allow, 0);
  fixture_ = std::make_unique<ServerFixture>(options_);
  ASSERT_TRUE(fixture_->Start());
  EXPECT_EQ(
      gg_client_authorize(client_, kProduct, "good", nullptr, nullptr, 0, &v),
      GG_OK);
  EXPECT_EQ(v.allow, 1);
}

// A pushed verdict event is returned by poll; shutdown too.
TEST_F(ClientTest, PollEvents) {
  gg_verdict v;
  ASSERT_EQ(
      gg_client_authorize(client_, kProduct, "good", nullptr, nullptr, 0, &v),
      GG_OK);
  gg_event ev;
  EXPECT_EQ(gg_client_poll_event(client_, 0, &ev), 0);
  fixture_->server().PushVerdictEvent(1, "s_1", FakeHandler::Deny());
  ASSERT_EQ(gg_client_poll_event(client_, 10000, &ev), 1);
  EXPECT_STREQ(ev.type, "verdict");
  EXPECT_STREQ(ev.session_id, "s_1");
  EXPECT_EQ(ev.verdict.allow, 0);
  EXPECT_STREQ(ev.verdict.reason_code, "HWID_MISMATCH");
  fixture_->server().Drain();
  ASSERT_EQ(gg_client_poll_event(client_, 10000, &ev), 1);
  EXPECT_STREQ(ev.type, "shutdown");
  EXPECT_STREQ(ev.verdict.reason_code, GG_REASON_AGENT_STOPPING);
  EXPECT_EQ(ev.verdict.allow, 0);
}

// A NULL argument is the app's mistake, not "agent not running".
TEST_F(ClientTest, NullArgumentsAreClientInvalidArgument) {
  gg_verdict v;
  v.allow = 1;
  EXPECT_EQ(gg_client_authorize(client_, nullptr, "k", nullptr, nullptr, 0, &v),
            GG_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(v.allow, 0);
  EXPECT_STREQ(v.reason_code, GG_REASON_CLIENT_INVALID_ARGUMENT);
  EXPECT_STREQ(v.source, "client");
  EXPECT_EQ(gg_client_heartbeat(nullptr, "s_1", &v), GG_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(v.reason_code, GG_REASON_CLIENT_INVALID_ARGUMENT);
  EXPECT_EQ(
      gg_client_authorize(nullptr, kProduct, "k", nullptr, nullptr, 0, nullptr),
      GG_ERR_INVALID_ARGUMENT);
}

// last_error: set by a failure, "" after a success, and its pointer stays
// valid (same storage) across later calls on the handle.
TEST_F(ClientTest, LastErrorClearedOnSuccessPointerStable) {
  const char* p = gg_client_last_error(client_);
  gg_verdict v;
  EXPECT_EQ(gg_client_heartbeat(client_, "s_404", &v), GG_ERR_REQUEST);
  EXPECT_NE(std::string(p).find("SESSION_NOT_FOUND"), std::string::npos) << p;
  ASSERT_EQ(
      gg_client_authorize(client_, kProduct, "good", nullptr, nullptr, 0, &v),
      GG_OK);
  EXPECT_EQ(gg_client_last_error(client_), p);
  EXPECT_STREQ(p, "");
}

// The structs FFI bindings mirror (docs/clients.md) keep their layout.
TEST(ClientAbiTest, StructLayout) {
  EXPECT_EQ(sizeof(gg_verdict), 972u);
  EXPECT_EQ(offsetof(gg_verdict, message), 68u);
  EXPECT_EQ(sizeof(gg_event), 24u + 128u + 972u);
}

// Every reason code has a constant and a user-facing text; the server's
// codes use the API's "Recommended client handling" texts.
TEST(ClientReasonTest, DefaultMessages) {
  EXPECT_STREQ(gg_reason_default_message(GG_REASON_LICENSE_REVOKED),
               "License has been revoked");
  EXPECT_STREQ(gg_reason_default_message(GG_REASON_HWID_MISMATCH),
               "License is bound to a different device");
  EXPECT_STREQ(gg_reason_default_message(GG_REASON_CONCURRENCY_LIMIT_EXCEEDED),
               "Too many active sessions. Close other instances first.");
  EXPECT_STREQ(gg_reason_default_message("SOMETHING_NEW"), "Validation failed");
  EXPECT_STREQ(gg_reason_default_message(nullptr), "Validation failed");
  for (const char* code : {GG_REASON_LICENSE_NOT_FOUND,
                           GG_REASON_PRODUCT_MISMATCH,
                           GG_REASON_LICENSE_REVOKED,
                           GG_REASON_LICENSE_EXPIRED,
                           GG_REASON_LICENSE_EXPIRED_RELATIVE,
                           GG_REASON_HWID_MISMATCH,
                           GG_REASON_HWID_LIMIT_EXCEEDED,
                           GG_REASON_IP_MISMATCH,
                           GG_REASON_IP_LIMIT_EXCEEDED,
                           GG_REASON_IP_REGION_MISMATCH,
                           GG_REASON_CONCURRENCY_LIMIT_EXCEEDED,
                           GG_REASON_HWID_BLACKLISTED,
                           GG_REASON_IP_BLACKLISTED,
                           GG_REASON_AGENT_OFFLINE,
                           GG_REASON_OFFLINE_GRACE_EXPIRED,
                           GG_REASON_CLOCK_TAMPERED,
                           GG_REASON_AGENT_UNAUTHORIZED,
                           GG_REASON_AGENT_STOPPING,
                           GG_REASON_AGENT_UNAVAILABLE,
                           GG_REASON_CLIENT_INVALID_ARGUMENT}) {
    EXPECT_STRNE(gg_reason_default_message(code), "Validation failed") << code;
  }
}

// With a callback set, events arriving before an answer are delivered.
TEST_F(ClientTest, CallbackEvents) {
  std::string seen;
  gg_client_set_event_callback(
      client_,
      [](const gg_event* e, void* user) {
        *static_cast<std::string*>(user) += e->type;
      },
      &seen);
  gg_verdict v;
  ASSERT_EQ(
      gg_client_authorize(client_, kProduct, "good", nullptr, nullptr, 0, &v),
      GG_OK);
  fixture_->server().PushVerdictEvent(1, "s_1", FakeHandler::Deny());
  char* out = nullptr;
  // The event is queued on the loop before this ping, so it comes first.
  ASSERT_EQ(gg_client_call_json(client_, R"({"op":"ping"})", &out), GG_OK);
  gg_client_string_free(out);
  EXPECT_EQ(seen, "verdict");
}

// The C++ wrapper maps the same calls.
TEST_F(ClientTest, CppWrapper) {
  gg::client::Client c(options_.path);
  auto v = c.Authorize(kProduct, "good", {"App", "2"});
  EXPECT_TRUE(v.allow);
  EXPECT_EQ(v.rc, GG_OK);
  EXPECT_EQ(c.Release(v.session_id), GG_OK);
  {
    auto [verdict, session] = c.Open(kProduct, "good");
    ASSERT_TRUE(verdict.allow);
    ASSERT_TRUE(session);
    EXPECT_EQ(session.id(), verdict.session_id);
    EXPECT_EQ(fixture_->handler().Status().sessions, 1);
  }  // the RAII session releases itself
  EXPECT_EQ(fixture_->handler().Status().sessions, 0);
  EXPECT_TRUE(c.StatusJson().has_value());
  gg::client::Client absent(dir_.path() + "/none.sock");
  auto d = absent.Authorize(kProduct, "good");
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.reason_code, "AGENT_UNAVAILABLE");
}

}  // namespace
}  // namespace gg::ipc::testing
