// A heartbeat of a session the engine ended on a denial answers that denial
// (issue 17 point 1), for the heartbeat timeout, within a bound.
#include "agent/engine/ended_sessions.h"

#include <gtest/gtest.h>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

using std::chrono::seconds;

// After a pushed revocation, a heartbeat of the ended session gets the
// revocation (reason, message, source); past the timeout, SESSION_NOT_FOUND.
TEST_F(EngineTest, HeartbeatOfRevokedSessionAnswersTheDenial) {
  StartEngine();
  auto a = Ask("KEY-1", 7);
  Answer(0, VerdictFor(0, {}));
  ASSERT_TRUE(a->has_value() && (*a)->allow);
  scheduler_.Advance(seconds(300));  // the refresh
  ASSERT_EQ(upstream_.calls(), 2u);
  Answer(1, VerdictFor(1, {.allow = false, .reason_code = "LICENSE_REVOKED"}));
  ASSERT_EQ(sink_.events.size(), 1u);

  auto hb = std::make_shared<std::optional<Decision>>();
  engine_->Heartbeat((*a)->session_id, kPrivileged,
                     [hb](Decision d) { *hb = std::move(d); });
  ASSERT_TRUE(hb->has_value());
  EXPECT_FALSE((*hb)->allow);
  EXPECT_FALSE((*hb)->error.has_value());
  EXPECT_EQ((*hb)->reason_code, "LICENSE_REVOKED");
  EXPECT_EQ((*hb)->message, sink_.events[0].decision.message);
  EXPECT_EQ(SourceName((*hb)->source), "online");
  EXPECT_EQ((*hb)->session_id, (*a)->session_id);

  clock_.Advance(options_.session_heartbeat_timeout);  // still remembered
  hb->reset();
  engine_->Heartbeat((*a)->session_id, kPrivileged,
                     [hb](Decision d) { *hb = std::move(d); });
  ASSERT_TRUE(hb->has_value());
  EXPECT_EQ((*hb)->reason_code, "LICENSE_REVOKED");

  clock_.Advance(seconds(1));
  engine_->Heartbeat((*a)->session_id, kPrivileged,
                     [hb](Decision d) { *hb = std::move(d); });
  ASSERT_TRUE((*hb)->error.has_value());
  EXPECT_EQ((*hb)->error->code, RequestErrorCode::kSessionNotFound);
}

// The table is bounded: past `max` the oldest entry goes first.
TEST(EndedSessionsTest, BoundedOldestFirst) {
  EndedSessions ended(2);
  MonoTime t{};
  Decision d;
  d.reason_code = "LICENSE_REVOKED";
  ended.Add("s_1", d, t);
  ended.Add("s_2", d, t);
  ended.Add("s_3", d, t);
  EXPECT_EQ(ended.size(), 2u);
  EXPECT_EQ(ended.Find("s_1", t, seconds(90)), nullptr);
  ASSERT_NE(ended.Find("s_3", t, seconds(90)), nullptr);
  EXPECT_EQ(ended.Find("s_3", t, seconds(90))->session_id, "s_3");
}

}  // namespace
}  // namespace gg::agent::test
