// Engine tests of what one local user may cost the others: sessions for
// connections that left, sessions of others, the upstream budget for
// unknown keys, and state for keys with nothing left.
#include <string>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

class EngineLimitsTest : public EngineTest {
 protected:
  Reply AskAs(std::string key, ConnectionId conn, int uid, bool detached) {
    auto reply = std::make_shared<std::optional<Decision>>();
    AuthorizeInput in;
    in.product_id = testing::kProduct;
    in.license_key = std::move(key);
    in.connection_id = conn;
    in.uid = uid;
    in.pid = 4000 + uid;
    in.detached = detached;
    probe_.alive[in.pid] = 1;  // a live process, for detached sessions
    engine_->Authorize(std::move(in),
                       [reply](Decision d) { *reply = std::move(d); });
    return reply;
  }
  Reply Beat(const std::string& id, const SessionCaller& caller) {
    auto reply = std::make_shared<std::optional<Decision>>();
    engine_->Heartbeat(id, caller,
                       [reply](Decision d) { *reply = std::move(d); });
    return reply;
  }
};

// An app that disconnects while its ask waits for the server gets no
// session when the allow comes: bound or detached, nobody would hold it.
TEST_F(EngineLimitsTest, NoSessionForAConnectionThatLeft) {
  StartEngine();
  auto bound = AskAs("KEY-1", 7, 1000, false);
  auto detached = AskAs("KEY-1", 8, 1000, true);
  auto stays = AskAs("KEY-1", 9, 1000, false);
  engine_->ConnectionClosed(7);
  engine_->ConnectionClosed(8);
  Answer(0, VerdictFor(0, {}));
  ASSERT_TRUE(bound->has_value() && detached->has_value());
  EXPECT_TRUE((*bound)->session_id.empty());
  EXPECT_TRUE((*detached)->session_id.empty());
  ASSERT_TRUE(stays->has_value());
  EXPECT_FALSE((*stays)->session_id.empty());
  ASSERT_EQ(engine_->ListSessions().size(), 1u);
  EXPECT_EQ(engine_->ListSessions()[0].connection_id, 9u);
  // The mark goes with the last waiter: a later connection with a reused
  // number is not affected.
  auto later = AskAs("KEY-1", 7, 1000, false);
  ASSERT_TRUE(later->has_value());
  EXPECT_FALSE((*later)->session_id.empty());
}

// Bound sessions answer to their connection, detached ones to their uid,
// every session to a privileged caller; others get SESSION_NOT_FOUND.
TEST_F(EngineLimitsTest, OnlyTheOwnerTouchesASession) {
  StartEngine();
  auto bound = AskAs("KEY-1", 1, 1000, false);
  Answer(0, VerdictFor(0, {}));
  auto detached = AskAs("KEY-1", 1, 1000, true);
  ASSERT_TRUE(bound->has_value() && detached->has_value());
  const std::string b = (*bound)->session_id;
  const std::string d = (*detached)->session_id;

  const SessionCaller mallory{2, 2000, 5000, false};
  const SessionCaller alice_elsewhere{3, 1000, 5001, false};
  for (const std::string& id : {b, d}) {
    auto r = Beat(id, mallory);
    ASSERT_TRUE(r->has_value() && (*r)->error);
    EXPECT_EQ((*r)->error->code, RequestErrorCode::kSessionNotFound);
    EXPECT_FALSE(engine_->Release(id, mallory));
  }
  EXPECT_FALSE(engine_->Release(b, alice_elsewhere));
  auto beat = Beat(d, alice_elsewhere);
  ASSERT_TRUE(beat->has_value());
  EXPECT_TRUE((*beat)->allow);
  EXPECT_TRUE(engine_->Release(b, SessionCaller{9, 0, 1, true}));
  EXPECT_TRUE(engine_->Release(d, alice_elsewhere));
  EXPECT_EQ(engine_->ListSessions().size(), 0u);
}

// Where no uid is known (a named pipe), a detached session answers to the
// process that opened it.
TEST_F(EngineLimitsTest, DetachedWithoutUidAnswersToItsProcess) {
  StartEngine();
  auto reply = AskAs("KEY-1", 1, -1, true);  // pid 3999
  Answer(0, VerdictFor(0, {}));
  ASSERT_TRUE(reply->has_value());
  const std::string id = (*reply)->session_id;
  EXPECT_FALSE(engine_->Release(id, SessionCaller{2, -1, 5000, false}));
  EXPECT_TRUE(engine_->Release(id, SessionCaller{2, -1, 3999, false}));
}

// Past its budget a uid's asks for unknown keys are RATE_LIMITED locally
// (no upstream call) with the seconds to wait; joining a request in flight
// and other uids are not charged.
TEST_F(EngineLimitsTest, UpstreamBudgetPerUid) {
  options_.upstream_per_uid_per_minute = 2;
  StartEngine();
  AskAs("BOGUS-1", 1, 1000, false);
  AskAs("BOGUS-1", 1, 1000, false);  // joins: free
  AskAs("BOGUS-2", 1, 1000, false);
  auto limited = AskAs("BOGUS-3", 1, 1000, false);
  EXPECT_EQ(upstream_.calls(), 2u);
  ASSERT_TRUE(limited->has_value());
  EXPECT_FALSE((*limited)->allow);
  ASSERT_TRUE((*limited)->error);
  EXPECT_EQ((*limited)->error->code, RequestErrorCode::kRateLimited);
  EXPECT_EQ((*limited)->error->retry_after_seconds, 30);
  AskAs("BOGUS-3", 2, 1001, false);
  EXPECT_EQ(upstream_.calls(), 3u);
}

// Keys that end with nothing (an offline failure, a rate-limited ask, a
// session released) leave no state behind; a cached verdict keeps its key.
TEST_F(EngineLimitsTest, KeysWithNothingLeftAreForgotten) {
  options_.upstream_per_uid_per_minute = 3;
  StartEngine();
  AskAs("GONE-1", 1, 1000, false);
  AskAs("GONE-2", 1, 1000, false);
  AskAs("KEPT", 1, 1000, false);
  AskAs("LIMITED", 1, 1000, false);
  EXPECT_EQ(engine_->StatusSnapshot().tracked_keys, 3u);
  Answer(0, Offline());
  Answer(1, Offline());
  EXPECT_EQ(engine_->StatusSnapshot().tracked_keys, 1u);
  Answer(2, VerdictFor(2, {}));
  EXPECT_EQ(engine_->StatusSnapshot().tracked_keys, 1u);
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 1u);
}

}  // namespace
}  // namespace gg::agent::test
