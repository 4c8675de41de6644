// Sessions after their authorize: heartbeats, releases, closed
// connections and the sweep that ends detached sessions.
#include <spdlog/spdlog.h>

#include <utility>

#include "agent/engine/engine.h"
#include "agent/engine/engine_state.h"
#include "platform/memory.h"

namespace gg::agent {
namespace {

// Sessions ended plus verdicts evicted at once past which freed memory is
// handed back to the system (a few milliseconds on a large heap).
constexpr std::size_t kBulkRelease = 256;

using std::chrono::duration_cast;
using std::chrono::milliseconds;

bool MayTouch(const Session& s, const SessionCaller& caller) {
  if (caller.privileged) {
    return true;
  }
  if (!s.detached) {
    return s.connection_id == caller.connection_id;
  }
  if (caller.uid >= 0) {
    return s.uid == caller.uid;
  }
  return caller.pid > 0 && s.pid == caller.pid;
}

}  // namespace

void Engine::Heartbeat(const std::string& session_id,
                       const SessionCaller& caller,
                       Callback done) {
  Waiter w;
  w.kind = Waiter::Kind::kHeartbeat;
  w.started = deps_.clock.Monotonic();
  const Session* s = sessions_.Find(session_id);
  if (s != nullptr && !stopped_ && !MayTouch(*s, caller)) {
    s = nullptr;  // someone else's: as if unknown
  }
  if (s == nullptr || stopped_) {
    if (const Decision* denial = ended_.Find(
            session_id, w.started, options_.session_heartbeat_timeout)) {
      Tally(w, *denial);
      done(*denial);  // the verdict as it stands: the denial that ended it
      return;
    }
    Decision d =
        ErrorDecision(RequestErrorCode::kSessionNotFound, "No such session");
    Tally(w, d);
    done(std::move(d));
    return;
  }
  sessions_.Touch(session_id, deps_.clock.Now(), w.started);
  KeyState& ks = StateFor(s->key);
  const int count = sessions_.CountFor(ks.key);
  w.session_id = session_id;
  w.done = std::move(done);
  if (auto d = Decide(MakeInput(ks, count - 1, nullptr), options_.policy)) {
    Deliver(ks, w, *std::move(d));
    return;
  }
  Enqueue(ks, std::move(w), count);
}

bool Engine::Release(const std::string& session_id,
                     const SessionCaller& caller) {
  const Session* s = sessions_.Find(session_id);
  if (s == nullptr || !MayTouch(*s, caller)) {
    return false;
  }
  return sessions_.Release(session_id).has_value();
}

void Engine::ConnectionClosed(ConnectionId connection_id) {
  const std::size_t ended = sessions_.ReleaseConnection(connection_id).size();
  // Their keys may go to disk only now. A whole pass: keys other
  // connections hold sit among them and only move to the front. Past the
  // bound only while sessions hold more keys than it, so this is rare.
  std::size_t evicted = 0;
  if (ended > 0 && cached_count_ > options_.max_cached_verdicts) {
    evicted = EvictColdVerdicts(nullptr, lru_.size());
  }
  // An app that held thousands of sessions left: give the pages back
  // rather than keep the peak resident. Posted: the connection's own
  // buffers are freed after this returns.
  if (ended + evicted >= kBulkRelease && !release_posted_) {
    release_posted_ = true;
    deps_.scheduler.Post([this] {
      release_posted_ = false;
      ReleaseFreeMemory();
    });
  }
  if (waiting_authorizes_.count(connection_id) != 0) {
    closed_while_waiting_.insert(connection_id);
  }
}

void Engine::Sweep() {
  sweep_timer_ = 0;
  ExpireDetachedSessions();
  ScheduleSweep();
}

void Engine::ExpireDetachedSessions() {
  for (const Session& s : sessions_.ExpireDetached(
           deps_.clock.Monotonic(), options_.session_heartbeat_timeout)) {
    spdlog::info(
        "engine: detached session {} of pid {} ended (no heartbeat "
        "or process gone)",
        s.id, s.pid);
  }
}

void Engine::ScheduleSweep() {
  if (!stopped_) {
    sweep_timer_ = deps_.scheduler.RunAfter(
        duration_cast<milliseconds>(options_.sweep_interval),
        [this] { Sweep(); });
  }
}

}  // namespace gg::agent
