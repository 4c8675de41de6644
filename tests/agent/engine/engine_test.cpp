// The Engine over fakes: cache, coalescing, deadline, durability order,
// refresh and pushed denials, offline grace, rollback, tampered rows.
#include "agent/engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "tests/agent/engine/engine_test_support.h"

namespace gg::agent::test {
namespace {

using std::chrono::seconds;
using testing::VerdictSpec;

// An online allow is cached: the next ask is answered from memory with no
// second upstream call.
TEST_F(EngineTest, OnlineAllowThenCacheHit) {
  StartEngine();
  auto first = Ask();
  EXPECT_FALSE(first->has_value());
  ASSERT_EQ(upstream_.calls(), 1u);
  EXPECT_EQ(upstream_.request(0).sessions, 1);
  EXPECT_EQ(upstream_.request(0).hwid, testing::kHwid);
  EXPECT_EQ(upstream_.request(0).instance_id, kInstance);
  Answer(0, VerdictFor(0, {}));
  ASSERT_TRUE(first->has_value());
  EXPECT_TRUE((*first)->allow);
  EXPECT_EQ(SourceName((*first)->source), "online");
  EXPECT_EQ((*first)->session_id.rfind("s_", 0), 0u);

  auto second = Ask();
  ASSERT_TRUE(second->has_value());  // synchronously
  EXPECT_TRUE((*second)->allow);
  EXPECT_EQ(SourceName((*second)->source), "cache");
  EXPECT_EQ(upstream_.calls(), 1u);
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 2u);
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 1u);
  EXPECT_TRUE(engine_->StatusSnapshot().online);
}

// 1,000 concurrent asks for a cold key share exactly one upstream request.
TEST_F(EngineTest, ThousandConcurrentAsksOneUpstreamCall) {
  StartEngine();
  std::vector<Reply> replies;
  for (int i = 0; i < 1000; ++i) {
    replies.push_back(Ask("KEY-1", static_cast<ConnectionId>(i)));
  }
  EXPECT_EQ(upstream_.calls(), 1u);
  Answer(0, VerdictFor(0, {}));
  EXPECT_EQ(upstream_.calls(), 1u);
  for (const auto& r : replies) {
    ASSERT_TRUE(r->has_value());
    EXPECT_TRUE((*r)->allow);
  }
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 1000u);
}

// An upstream answer from the client's own thread reaches the app only
// once the loop runs (the engine posts it back).
TEST_F(EngineTest, UpstreamAnswerFromAnotherThreadIsPostedToTheLoop) {
  StartEngine();
  auto reply = Ask();
  const upstream::Verdict verdict = VerdictFor(0, {});
  std::thread client([&] { upstream_.Complete(0, verdict); });
  client.join();
  EXPECT_FALSE(reply->has_value());
  scheduler_.RunUntilIdle();
  ASSERT_TRUE(reply->has_value());
  EXPECT_TRUE((*reply)->allow);
}

// The verdict is on disk before any app hears it.
TEST_F(EngineTest, VerdictPersistedBeforeReply) {
  StartEngine();
  auto reply = Ask();
  Answer(0, VerdictFor(0, {}));
  ASSERT_TRUE(reply->has_value());
  auto put = std::find(store_.log.begin(), store_.log.end(), "put:KEY-1");
  auto said = std::find(store_.log.begin(), store_.log.end(), "reply");
  ASSERT_NE(put, store_.log.end());
  ASSERT_NE(said, store_.log.end());
  EXPECT_LT(put, said);
}

// An allow that cannot be stored is not acknowledged (a crash would lose
// it): the app is refused as if the server could not be asked, status
// names the store, and once writes work again the next ask is allowed
// online, without a restart.
TEST_F(EngineTest, AllowThatCannotBeStoredIsNotAnswered) {
  StartEngine();
  store_.put_error = Error{ErrorCode::kStore, "database or disk is full"};
  auto refused = Ask();
  Answer(0, VerdictFor(0, {}));
  ASSERT_TRUE(refused->has_value());
  EXPECT_FALSE((*refused)->allow);
  EXPECT_EQ((*refused)->reason_code, "AGENT_OFFLINE");
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 0u);
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 0u);
  ASSERT_TRUE(engine_->StatusSnapshot().last_error.has_value());
  EXPECT_EQ(engine_->StatusSnapshot().last_error->code, "STORE");

  store_.put_error.reset();
  auto allowed = Ask();
  ASSERT_EQ(upstream_.calls(), 2u);
  Answer(1, VerdictFor(1, {}));
  ASSERT_TRUE(allowed->has_value());
  EXPECT_TRUE((*allowed)->allow);
  EXPECT_EQ(SourceName((*allowed)->source), "online");
  EXPECT_EQ(store_.verdicts.size(), 1u);
}

// Past requestDeadlineMs the ask is answered by the offline rules; the
// request goes on and its verdict then fills the cache.
TEST_F(EngineTest, DeadlineAnswersOfflineThenCacheUpdated) {
  Seed(VerdictSpec{.server_time = kT0 - 1000}, kT0 - 1000);
  StartEngine();
  auto reply = Ask();
  ASSERT_EQ(upstream_.calls(), 1u);
  scheduler_.Advance(options_.request_deadline);
  ASSERT_TRUE(reply->has_value());
  EXPECT_TRUE((*reply)->allow);
  EXPECT_EQ(SourceName((*reply)->source), "offline");
  ASSERT_TRUE((*reply)->grace_ends_at.has_value());
  EXPECT_EQ(UnixSeconds(*(*reply)->grace_ends_at), kT0 - 1000 + 259200);

  Answer(0, VerdictFor(0, {.server_time = kT0 + 5}));
  const auto& row = store_.verdicts.begin()->second;
  EXPECT_GE(row.received_at, kT0 + 5);
  auto next = Ask();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(SourceName((*next)->source), "cache");
  EXPECT_EQ(upstream_.calls(), 1u);
}

// A refresh that returns a denial pushes it to every open session of the
// key, and those sessions end.
TEST_F(EngineTest, RevocationDuringOpenSessionsPushesEvent) {
  StartEngine();
  auto a = Ask("KEY-1", 7);
  Answer(0, VerdictFor(0, {}));
  auto b = Ask("KEY-1", 8);
  ASSERT_TRUE(a->has_value() && b->has_value());
  scheduler_.Advance(seconds(300));  // refresh interval, jitter shortens it
  ASSERT_EQ(upstream_.calls(), 2u);
  EXPECT_EQ(upstream_.request(1).sessions, 2);
  Answer(1, VerdictFor(1, {.allow = false, .reason_code = "LICENSE_REVOKED"}));
  ASSERT_EQ(sink_.events.size(), 2u);
  for (const auto& e : sink_.events) {
    EXPECT_FALSE(e.decision.allow);
    EXPECT_EQ(e.decision.reason_code, "LICENSE_REVOKED");
    EXPECT_EQ(SourceName(e.decision.source), "online");
  }
  EXPECT_EQ(sink_.events[0].session_id == (*a)->session_id ||
                sink_.events[1].session_id == (*a)->session_id,
            true);
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 0u);
  auto c = Ask();  // the cached denial now answers
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->reason_code, "LICENSE_REVOKED");
  EXPECT_EQ(SourceName((*c)->source), "cache");
}

// Offline: a cached allow serves within grace; when grace runs out the
// open session is told OFFLINE_GRACE_EXPIRED and a new ask is refused.
TEST_F(EngineTest, OfflineGraceThenExpired) {
  Seed(VerdictSpec{.server_time = kT0 - 400, .grace_seconds = 3600}, kT0 - 400);
  StartEngine();
  upstream_.RespondWith([](const upstream::AuthorizeRequest&) {
    return upstream::Outcome(Offline());
  });
  auto reply = Ask();
  scheduler_.RunUntilIdle();
  ASSERT_TRUE(reply->has_value());
  EXPECT_TRUE((*reply)->allow);
  EXPECT_EQ(SourceName((*reply)->source), "offline");
  EXPECT_EQ(UnixSeconds(*(*reply)->grace_ends_at), kT0 - 400 + 3600);
  EXPECT_FALSE(engine_->StatusSnapshot().online);
  ASSERT_TRUE(engine_->StatusSnapshot().last_error.has_value());
  EXPECT_EQ(engine_->StatusSnapshot().last_error->code, "NETWORK");

  scheduler_.Advance(seconds(3600));  // refreshes fail until grace ends
  ASSERT_EQ(sink_.events.size(), 1u);
  EXPECT_EQ(sink_.events[0].session_id, (*reply)->session_id);
  EXPECT_EQ(sink_.events[0].decision.reason_code, "OFFLINE_GRACE_EXPIRED");
  auto late = Ask();
  scheduler_.RunUntilIdle();
  ASSERT_TRUE(late->has_value());
  EXPECT_EQ((*late)->reason_code, "OFFLINE_GRACE_EXPIRED");
}

// A wall clock set back past the tolerance answers CLOCK_TAMPERED instead of
// an offline allow, and status shows it.
TEST_F(EngineTest, RollbackGivesClockTampered) {
  Seed(VerdictSpec{.server_time = kT0 - 1000}, kT0 - 1000);
  store_.state["time.high_water"] = std::to_string(kT0 + 10000);
  store_.state["time.wall_high_water"] = std::to_string(kT0 + 10000);
  StartEngine();
  EXPECT_TRUE(engine_->StatusSnapshot().clock_rollback);
  auto reply = Ask();
  Answer(0, Offline());
  ASSERT_TRUE(reply->has_value());
  EXPECT_FALSE((*reply)->allow);
  EXPECT_EQ((*reply)->reason_code, "CLOCK_TAMPERED");
}

// A reload that widens the rollback tolerance applies to the next decision:
// the same setback is then within tolerance and the cache serves offline.
TEST_F(EngineTest, UpdateOptionsAppliesToLaterDecisions) {
  Seed(VerdictSpec{.server_time = kT0 - 1000}, kT0 - 1000);
  store_.state["time.wall_high_water"] = std::to_string(kT0 + 10000);
  StartEngine();
  EXPECT_TRUE(engine_->StatusSnapshot().clock_rollback);
  EngineOptions wider = options_;
  wider.clock_rollback_tolerance_seconds = 20000;
  engine_->UpdateOptions(wider);
  auto reply = Ask();
  Answer(0, Offline());
  ASSERT_TRUE(reply->has_value());
  EXPECT_TRUE((*reply)->allow) << (*reply)->reason_code;
  EXPECT_FALSE(engine_->StatusSnapshot().clock_rollback);
}

// Without the rollback the same cache serves offline (the control case).
TEST_F(EngineTest, NoRollbackServesOffline) {
  Seed(VerdictSpec{.server_time = kT0 - 1000}, kT0 - 1000);
  store_.state["time.wall_high_water"] = std::to_string(kT0 - 100);
  StartEngine();
  EXPECT_FALSE(engine_->StatusSnapshot().clock_rollback);
  auto reply = Ask();
  Answer(0, Offline());
  ASSERT_TRUE(reply->has_value());
  EXPECT_TRUE((*reply)->allow);
}

// A verified row filed under another key is deleted once verified (in the
// background pass after start) and never used; a row for another
// machine's hwid is ignored. (Edited rows fail the
// store's own signature check: tests/agent/store, tests/integration.)
TEST_F(EngineTest, MisfiledAndForeignRowsIgnored) {
  Seed(VerdictSpec{.license_key = "OTHER", .server_time = kT0 - 10}, kT0);
  // A genuine verdict for OTHER filed under the key EDITED: the signature
  // verifies (the store's check passes), the signed request names OTHER.
  auto row = store_.verdicts.begin()->second;
  store_.verdicts.clear();
  row.key.license_key = "EDITED";
  store_.verdicts[testing::FakeVerdictStore::Key(row.key)] = row;
  Seed(VerdictSpec{.license_key = "FOREIGN", .hwid = "bbbb2222"}, kT0);
  StartEngine();
  scheduler_.RunUntilIdle();  // the background verification
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 0u);
  EXPECT_NE(std::find(store_.log.begin(), store_.log.end(), "delete:EDITED"),
            store_.log.end());
  EXPECT_EQ(store_.verdicts.count(
                testing::FakeVerdictStore::Key({testing::kProduct, "FOREIGN"})),
            1u);
  auto edited_reply = Ask("EDITED");
  Answer(0, Offline());
  EXPECT_EQ((*edited_reply)->reason_code, "AGENT_OFFLINE");
  auto foreign_reply = Ask("FOREIGN");
  Answer(1, Offline());
  EXPECT_EQ((*foreign_reply)->reason_code, "AGENT_OFFLINE");
}

// An unsigned 404 denies online, is not cached, and removes an older
// cached allow so it cannot serve offline either.
TEST_F(EngineTest, UnsignedNotFoundDeniesAndDropsCache) {
  Seed(VerdictSpec{.server_time = kT0 - 1000}, kT0 - 1000);
  StartEngine();
  auto reply = Ask();
  upstream::Verdict not_found;
  not_found.reason_code = "LICENSE_NOT_FOUND";
  not_found.message = "License not found";
  Answer(0, not_found);
  ASSERT_TRUE(reply->has_value());
  EXPECT_EQ((*reply)->reason_code, "LICENSE_NOT_FOUND");
  EXPECT_EQ(SourceName((*reply)->source), "online");
  EXPECT_TRUE(store_.verdicts.empty());
  EXPECT_EQ(engine_->StatusSnapshot().cached_verdicts, 0u);
  auto offline = Ask();
  ASSERT_EQ(upstream_.calls(), 2u);
  Answer(1, Offline());
  EXPECT_EQ((*offline)->reason_code, "AGENT_OFFLINE");
}

// The local concurrency limit denies with source local and no upstream
// call; a release frees the seat; sessions reported count the new one.
TEST_F(EngineTest, LocalConcurrencyLimit) {
  StartEngine();
  auto first = Ask();
  Answer(0, VerdictFor(0, {.max_sessions = 2}));
  auto second = Ask();
  auto third = Ask();
  ASSERT_TRUE(third->has_value());
  EXPECT_EQ((*third)->reason_code, "CONCURRENCY_LIMIT_EXCEEDED");
  EXPECT_EQ(SourceName((*third)->source), "local");
  EXPECT_EQ(upstream_.calls(), 1u);
  EXPECT_TRUE(engine_->Release((*second)->session_id, kPrivileged));
  EXPECT_FALSE(engine_->Release((*second)->session_id, kPrivileged));
  auto fourth = Ask();
  EXPECT_TRUE((*fourth)->allow);
}

// A server CONCURRENCY_LIMIT_EXCEEDED passes through, is not cached and
// does not end the sessions already open.
TEST_F(EngineTest, ServerConcurrencyDenialPassesThrough) {
  StartEngine();
  auto first = Ask();
  Answer(0, VerdictFor(0, {.heartbeat_seconds = 1}));
  clock_.Advance(seconds(2));  // cache stale, no timer run
  auto second = Ask();
  ASSERT_EQ(upstream_.calls(), 2u);
  EXPECT_EQ(upstream_.request(1).sessions, 2);
  Answer(1, VerdictFor(1, {.allow = false,
                           .reason_code = "CONCURRENCY_LIMIT_EXCEEDED"}));
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->reason_code, "CONCURRENCY_LIMIT_EXCEEDED");
  EXPECT_EQ(SourceName((*second)->source), "online");
  EXPECT_TRUE(sink_.events.empty());
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 1u);
}

// A detached session outlives its connection and ends when its process is
// gone; a bound one ends with its connection.
TEST_F(EngineTest, DetachedSessionFreedWhenProcessDies) {
  probe_.alive[4242] = 99;
  StartEngine();
  auto detached = Ask("KEY-1", 1, true, 4242);
  Answer(0, VerdictFor(0, {}));
  auto bound = Ask("KEY-1", 1);
  engine_->ConnectionClosed(1);
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 1u);
  scheduler_.Advance(options_.sweep_interval);
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 1u);
  probe_.alive.erase(4242);
  scheduler_.Advance(options_.sweep_interval);
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 0u);
}

// When a key is full, a detached session whose process has died frees its
// seat for the next ask at once, without waiting for the periodic sweep.
TEST_F(EngineTest, FullKeyChecksDetachedProcessesAtOnce) {
  probe_.alive[4242] = 99;
  StartEngine();
  auto detached = Ask("KEY-1", 1, true, 4242);
  Answer(0, VerdictFor(0, {.max_sessions = 1}));
  ASSERT_TRUE((*detached)->allow);
  auto refused = Ask("KEY-1", 2);
  EXPECT_EQ((*refused)->reason_code, "CONCURRENCY_LIMIT_EXCEEDED");
  probe_.alive.erase(4242);
  auto admitted = Ask("KEY-1", 2);  // no sweep has run in between
  ASSERT_TRUE(admitted->has_value());
  EXPECT_TRUE((*admitted)->allow) << (*admitted)->reason_code;
  EXPECT_EQ(upstream_.calls(), 1u);
}

// Heartbeat answers the session's verdict; an unknown id is an error.
TEST_F(EngineTest, Heartbeat) {
  StartEngine();
  auto reply = Ask();
  Answer(0, VerdictFor(0, {}));
  auto hb = std::make_shared<std::optional<Decision>>();
  engine_->Heartbeat((*reply)->session_id, kPrivileged,
                     [hb](Decision d) { *hb = std::move(d); });
  ASSERT_TRUE(hb->has_value());
  EXPECT_TRUE((*hb)->allow);
  EXPECT_EQ((*hb)->session_id, (*reply)->session_id);
  engine_->Heartbeat("s_nope", kPrivileged,
                     [hb](Decision d) { *hb = std::move(d); });
  ASSERT_TRUE((*hb)->error.has_value());
  EXPECT_EQ((*hb)->error->code, RequestErrorCode::kSessionNotFound);
}

// Stop answers pending asks, shuts the client down and persists the marks.
TEST_F(EngineTest, StopAnswersPendingAndPersistsMarks) {
  StartEngine();
  auto pending = Ask();
  bool stopped = false;
  engine_->Stop([&] { stopped = true; });
  ASSERT_TRUE(pending->has_value());
  EXPECT_EQ((*pending)->reason_code, "AGENT_OFFLINE");
  scheduler_.RunUntilIdle();
  EXPECT_TRUE(stopped);
  EXPECT_EQ(upstream_.shutdowns(), 1);
  EXPECT_EQ(store_.state.at("time.high_water"), std::to_string(kT0));
  EXPECT_EQ(store_.state.at("time.wall_high_water"), std::to_string(kT0));
}

// The high-water mark is persisted at least once a minute.
TEST_F(EngineTest, MarksPersistedPeriodically) {
  StartEngine();
  scheduler_.Advance(seconds(61));
  EXPECT_EQ(store_.state.at("time.high_water"), std::to_string(kT0 + 60));
}

}  // namespace
}  // namespace gg::agent::test

namespace gg::agent::test {
namespace {

using testing::VerdictSpec;

// A new denial that cannot be written removes the old allow from disk
// instead, and status says so.
TEST_F(EngineTest, FailedDenialWriteDeletesTheOldAllow) {
  Seed(VerdictSpec{.server_time = kT0 - 1000}, kT0 - 1000);
  StartEngine();
  store_.fail_verdict_writes = true;
  auto reply = Ask();
  ASSERT_EQ(upstream_.calls(), 1u);
  Answer(0, VerdictFor(0, {.allow = false, .reason_code = "LICENSE_REVOKED"}));
  ASSERT_TRUE(reply->has_value());
  EXPECT_FALSE((*reply)->allow);
  EXPECT_TRUE(store_.verdicts.empty()) << "the old allow is still on disk";
  ASSERT_TRUE(engine_->StatusSnapshot().store_error);
  EXPECT_EQ(engine_->StatusSnapshot().store_error->code, "STORE_WRITE");
}

// When the delete fails too, memory goes on denying, status says so, and
// the write is retried at each persist until the disk holds the denial.
TEST_F(EngineTest, FailedDenialWriteAndDeleteAreRetried) {
  Seed(VerdictSpec{.server_time = kT0 - 1000}, kT0 - 1000);
  StartEngine();
  store_.fail_verdict_writes = true;
  store_.fail_verdict_deletes = true;
  auto reply = Ask();
  Answer(0, VerdictFor(0, {.allow = false, .reason_code = "LICENSE_REVOKED"}));
  ASSERT_TRUE(reply->has_value());
  EXPECT_FALSE((*reply)->allow);
  ASSERT_TRUE(engine_->StatusSnapshot().store_error);
  EXPECT_EQ(engine_->StatusSnapshot().store_error->code, "STORE_NOT_DURABLE");
  // The old row stays on disk, marked so that no restart loads it.
  EXPECT_EQ(store_.superseded.count(
                testing::FakeVerdictStore::Key({testing::kProduct, "KEY-1"})),
            1u);
  EXPECT_NE(engine_->StatusSnapshot().store_error->message.find(
                "marked it superseded"),
            std::string::npos);
  auto again = Ask();
  ASSERT_TRUE(again->has_value());
  EXPECT_FALSE((*again)->allow) << "memory still holds the denial";

  store_.fail_verdict_writes = false;
  store_.fail_verdict_deletes = false;
  scheduler_.Advance(options_.persist_interval + seconds(1));
  ASSERT_EQ(store_.verdicts.size(), 1u);
  EXPECT_EQ(store_.verdicts.begin()->second.material.status, 403);
  EXPECT_FALSE(engine_->StatusSnapshot().store_error);
}

// What an app sends is validated once, here, before any state or upstream
// call exists for it; the IPC layer only checked the JSON types.
TEST_F(EngineTest, InvalidRequestIsAValidationErrorWithoutUpstream) {
  StartEngine();
  auto reply = std::make_shared<std::optional<Decision>>();
  AuthorizeInput in;
  in.product_id = "not-a-uuid";
  in.license_key = std::string(300, 'k');
  in.connection_id = 1;
  engine_->Authorize(std::move(in), [reply](Decision d) { *reply = d; });
  ASSERT_TRUE(reply->has_value());
  ASSERT_TRUE((*reply)->error);
  EXPECT_EQ((*reply)->error->code, RequestErrorCode::kValidation);
  EXPECT_EQ((*reply)->error->message, "productId must be a UUID");
  ASSERT_EQ((*reply)->error->details.size(), 2u);
  EXPECT_EQ((*reply)->error->details[1].field, "licenseKey");
  EXPECT_FALSE((*reply)->allow);
  EXPECT_EQ(upstream_.calls(), 0u);
  EXPECT_EQ(engine_->StatusSnapshot().sessions, 0u);
}

}  // namespace
}  // namespace gg::agent::test
