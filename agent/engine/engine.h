// Engine: the agent's decisions over time (spec/agent.md §3, ipc.md).
//
// Ties together the pure Decide() (decision.h), the TimeKeeper, the
// SessionTable, the in-memory copy of verified cached verdicts, the
// UpstreamClient and the VerdictStore:
//  - the cached path (steps 2-4) answers synchronously, with no disk or
//    network I/O;
//  - concurrent asks for one key share one upstream request; each ask is
//    answered by the offline rules when requestDeadlineMs passes, while the
//    request goes on and updates the cache when it ends;
//  - a signed verdict is written to the store (durably, on the worker)
//    before any app hears it; when a new denial cannot be written, the old
//    verdict is deleted instead (else retried with each time-mark
//    persist), so an old allow never comes back after a restart; the
//    failure is logged and shown in status;
//  - keys with open sessions are re-authorized every refresh interval with
//    jitter; a denial (or offline grace running out) is pushed to every
//    session of the key through EventSink, and those sessions end;
//  - detached sessions end on heartbeat timeout or when their process dies.
//
// Threads: every public method, and every callback the engine makes, runs
// on the Scheduler's loop thread, except Start(), which the owner calls
// once before the loop serves anything (it reads the store). The engine
// must outlive every task it posted: destroy it after the loop has stopped.
#ifndef GG_AGENT_ENGINE_ENGINE_H_
#define GG_AGENT_ENGINE_ENGINE_H_

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/engine/decision.h"
#include "agent/engine/ended_sessions.h"
#include "agent/engine/engine_metrics.h"
#include "agent/engine/sessions.h"
#include "agent/engine/time_keeper.h"
#include "agent/engine/upstream_budget.h"
#include "agent/store/verdict_store.h"
#include "agent/upstream/client.h"
#include "platform/clock.h"
#include "platform/random.h"
#include "platform/result.h"
#include "platform/scheduler.h"

namespace gg::agent {

// The policy values of agent.md §2 (service/ maps the config onto these).
struct EngineOptions {
  DecisionOptions policy;
  std::chrono::seconds session_heartbeat_timeout{90};
  long long clock_rollback_tolerance_seconds = 300;
  std::chrono::milliseconds request_deadline{5000};
  std::chrono::seconds persist_interval{60};  // time marks, at most this
  std::chrono::seconds sweep_interval{5};     // detached-session checks
  double refresh_jitter = 0.1;  // refresh at interval * (1 - jitter * U)
  // Upstream requests per local uid and minute for keys with no verdict
  // in memory (policy.upstreamPerUidPerMinute); past it RATE_LIMITED.
  long long upstream_per_uid_per_minute = 60;
  // Verified verdicts held in memory, the most recently used first (a key
  // with a session, a request or a pending write always stays). The rest
  // stay on disk, verified, and are read back when asked for (on the
  // worker, a few hundred microseconds): an agent that has seen 100,000
  // keys does not hold 100,000 verdicts in memory (issue 11).
  std::size_t max_cached_verdicts = 1024;
};

// Who this agent is.
struct EngineIdentity {
  // The hwid sent upstream for a product (agent.md §5). Called on the loop,
  // once per product (memoised).
  std::function<std::string(std::string_view product_id)> hwid_for_product;
  // hwid::LoadOrCreateInstanceId's; Start refuses an empty one.
  std::string instance_id;
};

// Where the engine pushes verdict changes (ipc.md "Events"). The
// connection may have closed already: the sink then ignores the event.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnSessionVerdict(ConnectionId connection_id,
                                const std::string& session_id,
                                const Decision& decision) = 0;
};

// Everything the engine uses; each must outlive it.
struct EngineDeps {
  const Clock& clock;
  RandomSource& random;
  upstream::UpstreamClient& upstream;
  store::VerdictStore& store;
  Scheduler& scheduler;
  BlockingWorker& worker;
  ProcessProbe& probe;
  EventSink& events;
};

struct AuthorizeInput {
  std::string product_id;
  std::string license_key;
  std::string app_name;
  std::string app_version;
  bool detached = false;
  int pid = 0;
  int uid = -1;
  int gid = -1;
  ConnectionId connection_id = 0;
};

// Who asks to heartbeat or release a session. Only the connection that
// opened a connection-bound session, the uid that opened a detached one
// (where the OS names no uid, as for a named pipe: the same process), or a
// privileged caller (root or the agent's own user) may touch it.
struct SessionCaller {
  ConnectionId connection_id = 0;
  int uid = -1;
  int pid = -1;
  bool privileged = false;
};

struct LastError {
  std::string code;
  std::string message;
  std::string request_id;
  WallTime since;  // the first failed attempt since the last verdict
  WallTime at;     // the latest failed attempt
  long long failed_attempts = 0;  // in a row, retries included
};

// The rate-limit headers of the last answer that carried any.
struct RateLimitStatus {
  upstream::RateLimitInfo info;
  WallTime observed_at;
};

// From upstream attempts as they happen (retries included), not only from
// the final outcome of a call: while retries fail, `online` is false.
struct EngineStatus {
  bool online = false;  // the last upstream attempt got a verdict
  std::optional<WallTime> last_attempt_at;
  std::optional<WallTime> last_contact_at;  // last HTTP answer received
  std::optional<LastError> last_error;      // cleared by a verdict
  std::optional<RateLimitStatus> rate_limit;
  std::size_t sessions = 0;
  std::size_t cached_verdicts = 0;
  std::size_t verdicts_in_memory = 0;  // of those: in memory, verified
  std::size_t tracked_keys = 0;        // keys with any state in memory
  long long uptime_seconds = 0;
  bool clock_rollback = false;
  std::string instance_id;
  // The last durable write of a verdict that failed, until a later one
  // succeeds (code "STORE_WRITE": the old verdict was deleted instead;
  // "STORE_NOT_DURABLE": that failed too, retried every persist interval).
  std::optional<LastError> store_error;
};

class Engine {
 public:
  using Callback = std::function<void(Decision)>;

  Engine(EngineOptions options, EngineIdentity identity, EngineDeps deps);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reads the time marks and instance id and counts the cached verdict
  // rows, and starts the periodic timers. After Start, on the worker, a
  // page at a time: the floor pass reads each row's claimed signed times
  // (every decision reads H, whose floor is the newest time signed into
  // any row), and every authorize waits for it (within requestDeadlineMs,
  // else AGENT_OFFLINE); then the verify pass checks every row again in
  // the background (signature, its own key in the signed request; a row
  // that fails is deleted and logged; one for another hwid is ignored). A
  // row asked for before it is checked is checked then, before it answers.
  // Error when the store cannot be read.
  [[nodiscard]] Status Start();

  // authorize (ipc.md): `done` runs exactly once, synchronously on the
  // cached path, else within requestDeadlineMs. An allow opens a session
  // (Decision::session_id).
  void Authorize(AuthorizeInput input, Callback done);
  // heartbeat: the session's verdict as it stands now; SESSION_NOT_FOUND
  // error for an unknown id, and for a session `caller` may not touch
  // (SessionCaller), so other users learn nothing of it. A denial ends the
  // session. For a session the engine ended on a denial, that denial, for
  // at least the heartbeat timeout after it ended.
  void Heartbeat(const std::string& session_id,
                 const SessionCaller& caller,
                 Callback done);
  // release: false when the session is unknown or not the caller's.
  bool Release(const std::string& session_id, const SessionCaller& caller);
  // Ends the connection-bound sessions of a closed connection. An
  // authorize of that connection still waiting for the server opens no
  // session when it is answered: nobody is left to hold it.
  void ConnectionClosed(ConnectionId connection_id);

  // A reloaded configuration (SIGHUP, PARAMCHANGE): later decisions,
  // deadlines and timers use `options`; asks already waiting keep theirs.
  void UpdateOptions(EngineOptions options);

  EngineStatus StatusSnapshot() const;
  // The counters and gauges for `metrics` (engine_metrics.h).
  EngineMetrics MetricsSnapshot() const;
  std::vector<Session> ListSessions() const { return sessions_.List(); }
  bool HasSessionsOn(ConnectionId connection_id) const {
    return sessions_.HasSessionsOn(connection_id);
  }

  // Answers every pending ask by the offline rules, abandons upstream calls
  // within 2 s and persists the time marks (both on the worker), then runs
  // `done` on the loop. Later calls answer AGENT_OFFLINE.
  void Stop(std::function<void()> done);

 private:
  struct Waiter;
  struct KeyState;

  // engine.cpp
  const std::string& HwidFor(const std::string& product_id);
  // Steps 2-5 of an authorize whose key is valid. `counted`: the waiter
  // is in waiting_authorizes_ already (it waited for its row).
  void Proceed(KeyState& ks, Waiter waiter, bool counted);
  DecisionInput MakeInput(const KeyState& ks,
                          int local_sessions,
                          const upstream::Outcome* outcome);
  void Answer(KeyState& ks, Waiter& waiter, const upstream::Outcome* outcome);
  void Deliver(KeyState& ks, Waiter& waiter, Decision decision);
  void Tally(const Waiter& waiter, const Decision& decision);
  void NoteRollback(bool rollback);

  // engine_sessions.cpp
  void Sweep();
  void ExpireDetachedSessions();
  void ScheduleSweep();

  // engine_lifecycle.cpp
  void PersistMarks(std::function<void()> then);
  void SchedulePersist();

  // engine_verify.cpp (the start pass) and engine_cache.cpp (the bounded
  // in-memory cache)
  void ReadFloorPage();
  void FinishFloor();
  void VerifyNextPage();
  // After `failed` store read of a start pass: `retry` in a second.
  void RetryPassLater(const Status& failed, void (Engine::*retry)());
  // The row as a cached verdict once its check passed (raising H by its
  // signed time), else nullopt: a bad row is deleted, a foreign one left.
  std::optional<CachedVerdict> VerifiedRow(store::StoredVerdict row,
                                           const Status& check);
  void AcceptPassRow(store::StoredVerdict row, const Status& check);
  // Parks an authorize until its key's row is known: the start pass is
  // not done, or the verdict is on disk only (then read it).
  void WaitForRow(KeyState& ks, Waiter waiter, bool counted);
  void LoadFromDisk(KeyState& ks);
  // The row is known (or could not be read): the parked asks go on.
  void Resume(KeyState& ks);
  bool OnDiskOnly(const KeyState& ks) const;
  void SetCached(KeyState& ks, CachedVerdict cached);
  void DropCached(KeyState& ks);
  void TouchCached(KeyState& ks);
  // Moves the least recently used verdicts past max_cached_verdicts to
  // disk only (never `keep`'s), looking at up to `max_steps` of them;
  // returns how many went.
  std::size_t EvictColdVerdicts(const KeyState* keep,
                                std::size_t max_steps = 16);

  // engine_upstream.cpp
  void Enqueue(KeyState& ks, Waiter waiter, int sessions);
  void StartRequest(KeyState& ks, int sessions, bool refresh);
  void OnOutcome(KeyState& ks, upstream::Outcome outcome);
  void CompleteOutcome(KeyState& ks, const upstream::Outcome& outcome);
  void OnDeadline(KeyState& ks, std::uint64_t waiter_id);
  void PushDenial(KeyState& ks, const Decision& decision);
  void ScheduleRefresh(KeyState& ks);
  void OnRefreshTimer(KeyState& ks);
  void RecordOutcome(const KeyState& ks, const upstream::Outcome& outcome);
  void OnUpstreamAttempt(const upstream::AttemptReport& report);
  void AnswerUnreachable(const upstream::AttemptReport& report);
  // `then` gets Ok() once the verdict is cached, or the error of an allow
  // that could not be stored (then not cached, not to be acknowledged).
  void StoreVerdictThen(KeyState& ks,
                        CachedVerdict cached,
                        std::function<void(const Status&)> then);
  void DeleteVerdictOf(KeyState& ks);
  void NoteStoreResult(KeyState& ks, const Status& s);
  void RetryStaleDisk();
  KeyState& StateFor(const store::VerdictKey& key);
  // Drops `ks` (invalidating it) when nothing refers to it any more: no
  // verdict, no session, no request, no waiter, no timer.
  void ForgetIfUnused(KeyState& ks);
  void NoteWaiterDone(const Waiter& w);

  EngineOptions options_;
  EngineIdentity identity_;
  EngineDeps deps_;
  std::optional<TimeKeeper> time_;
  SessionTable sessions_;
  EndedSessions ended_;  // ended on a denial, for heartbeats
  // A KeyState& stays valid while the key has a verdict, a session, a
  // request in flight, a waiter or a timer (every callback that holds one
  // is one of those); past that ForgetIfUnused erases it, so made-up keys
  // leave nothing behind.
  std::unordered_map<std::string, std::unique_ptr<KeyState>> keys_;
  // A memo, bounded: cleared by ForgetIfUnused past kMaxHwids entries.
  std::unordered_map<std::string, std::string> hwids_;
  UpstreamBudget budget_;
  // Authorize asks still waiting for the server, per connection, and the
  // connections among them that closed meanwhile (both bounded by the
  // waiters).
  std::unordered_map<ConnectionId, std::size_t> waiting_authorizes_;
  std::unordered_set<ConnectionId> closed_while_waiting_;
  std::size_t cached_count_ = 0;  // keys with KeyState::cached
  // The keys with a cached verdict in memory, most recently used first
  // (KeyState::lru points into it).
  std::list<KeyState*> lru_;
  // Hashes of the keys whose verified verdict is on disk only (evicted, or
  // past the bound at start). A collision costs one disk read that finds
  // nothing, then the usual upstream request. Its nodes come from a pool of
  // their own: allocated one by one between verdicts, 100,000 of them
  // would pin a page of the freed verdicts' memory each.
  std::pmr::unsynchronized_pool_resource on_disk_pool_;
  std::pmr::unordered_set<std::size_t> on_disk_{&on_disk_pool_};
  // The start, in two passes over the rows (engine_verify.cpp). The floor
  // pass reads every row's claimed signed times and key (floor_after_ is
  // its cursor, floor_left_ the rows counted at start it has not reached)
  // while asks wait in the keys of waiting_for_pass_ (KeyState::loading);
  // then the verify pass checks every row in the background.
  bool floor_pending_ = false;
  std::optional<store::VerdictKey> floor_after_;
  std::size_t floor_left_ = 0;
  std::vector<KeyState*> waiting_for_pass_;
  std::optional<store::VerdictKey> verify_after_;
  Scheduler::TimerId verify_retry_timer_ = 0;
  std::uint64_t next_waiter_id_ = 1;
  MonoTime start_mono_{};
  Scheduler::TimerId persist_timer_ = 0;
  Scheduler::TimerId sweep_timer_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  bool rollback_logged_ = false;
  bool release_posted_ = false;           // a ReleaseFreeMemory is on its way
  bool offline_marks_persisted_ = false;  // since the last verdict
  std::size_t disk_stale_count_ = 0;      // keys with KeyState::disk_stale
  EngineStatus status_;
  EngineCounters counters_;  // loop thread only
};

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_ENGINE_H_
