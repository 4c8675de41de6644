#include "agent/engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "agent/engine/engine_state.h"
#include "agent/upstream/response.h"

namespace gg::agent {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The hwid memo is cheap to refill (one HMAC), so past this it is cleared
// rather than let made-up product ids grow it.
constexpr std::size_t kMaxHwids = 1024;

Decision RateLimitedDecision(long long retry_after_seconds) {
  Decision d = ErrorDecision(
      RequestErrorCode::kRateLimited,
      "Too many license keys unknown to this agent asked for by this user; "
      "retry in " +
          std::to_string(retry_after_seconds) + " s");
  d.error->retry_after_seconds = retry_after_seconds;
  return d;
}

}  // namespace

Decision ErrorDecision(RequestErrorCode code, std::string message) {
  Decision d;
  d.message = message;
  d.error = RequestError{code, std::move(message), {}};
  return d;
}

Decision StoppingDecision() {
  Decision d;
  d.reason_code = std::string(kAgentOffline);
  d.message = "The agent is shutting down";
  d.source = Source::kLocal;
  return d;
}

Decision StartingDecision() {
  Decision d;
  d.reason_code = std::string(kAgentOffline);
  d.message = "The agent is starting: its cached verdicts are being verified";
  d.source = Source::kLocal;
  return d;
}

Engine::Engine(EngineOptions options, EngineIdentity identity, EngineDeps deps)
    : options_(std::move(options)),
      identity_(std::move(identity)),
      deps_(deps),
      sessions_(deps.probe),
      budget_(options_.upstream_per_uid_per_minute) {
  Scheduler& scheduler = deps_.scheduler;
  // Reports may come on another thread (client.h): hop onto the loop.
  deps_.upstream.SetAttemptObserver(
      [this, &scheduler](const upstream::AttemptReport& report) {
        scheduler.Post([this, report] { OnUpstreamAttempt(report); });
      });
}

Engine::~Engine() {
  deps_.upstream.SetAttemptObserver(nullptr);
}

const std::string& Engine::HwidFor(const std::string& product_id) {
  auto it = hwids_.find(product_id);
  if (it == hwids_.end()) {
    it = hwids_.emplace(product_id, identity_.hwid_for_product(product_id))
             .first;
  }
  return it->second;
}

Engine::KeyState& Engine::StateFor(const store::VerdictKey& key) {
  std::string k = KeyString(key);
  auto it = keys_.find(k);
  if (it == keys_.end()) {
    auto ks = std::make_unique<KeyState>();
    ks->key = key;
    ks->key_string = k;
    it = keys_.emplace(std::move(k), std::move(ks)).first;
  }
  return *it->second;
}

void Engine::ForgetIfUnused(KeyState& ks) {
  // A stale disk row is retried through this state (RetryStaleDisk), and
  // a pending store completion still points at it.
  if (ks.cached || ks.loading || ks.resuming || ks.in_flight ||
      !ks.waiters.empty() || ks.refresh_timer != 0 || ks.store_pending > 0 ||
      ks.disk_stale || sessions_.CountFor(ks.key) > 0) {
    return;
  }
  keys_.erase(ks.key_string);  // destroys ks
  // Made-up product ids must not grow the memo either. Cleared only here,
  // at the end of an ask or an outcome, where no DecisionInput (which
  // views an entry) is alive.
  if (hwids_.size() > kMaxHwids) {
    hwids_.clear();
  }
}

DecisionInput Engine::MakeInput(const KeyState& ks,
                                int local_sessions,
                                const upstream::Outcome* outcome) {
  DecisionInput in;
  in.product_id = ks.key.product_id;
  in.license_key = ks.key.license_key;
  in.hwid = HwidFor(ks.key.product_id);
  in.cached = ks.cached ? &*ks.cached : nullptr;
  in.local_sessions = local_sessions;
  in.outcome = outcome;
  in.estimated_now = time_->EstimatedNow();
  const bool rollback = time_->RollbackDetected();
  NoteRollback(rollback);
  in.clock_rollback = rollback;
  return in;
}

void Engine::UpdateOptions(EngineOptions options) {
  options_ = std::move(options);
  budget_.set_per_minute(options_.upstream_per_uid_per_minute);
  if (time_)
    time_->set_tolerance_seconds(options_.clock_rollback_tolerance_seconds);
}

void Engine::NoteRollback(bool rollback) {
  if (rollback && !rollback_logged_) {
    spdlog::warn(
        "engine: the wall clock is more than {} s behind the "
        "highest reading persisted: clock rollback",
        options_.clock_rollback_tolerance_seconds);
  }
  rollback_logged_ = rollback;
}

void Engine::Authorize(AuthorizeInput input, Callback done) {
  Waiter w;
  w.kind = Waiter::Kind::kAuthorize;
  w.started = deps_.clock.Monotonic();
  if (!started_ || stopped_) {
    Decision d = StoppingDecision();
    Tally(w, d);
    done(std::move(d));
    return;
  }
  if (auto error = ValidateAuthorize(input.product_id, input.license_key)) {
    Decision d;
    d.message = error->message;
    d.error = std::move(error);
    Tally(w, d);
    done(std::move(d));
    return;
  }
  KeyState& ks = StateFor({input.product_id, input.license_key});
  w.input = std::move(input);
  w.done = std::move(done);
  Proceed(ks, std::move(w), /*counted=*/false);
}

void Engine::Proceed(KeyState& ks, Waiter w, bool counted) {
  // No decision before the start pass has verified every row (H's floor),
  // and none from memory alone for a key whose verdict is on disk.
  if (floor_pending_ || ks.loading || (!ks.cached && OnDiskOnly(ks))) {
    WaitForRow(ks, std::move(w), counted);
    return;
  }
  auto finish = [this, &ks, counted](const Waiter& done_waiter) {
    if (counted) {
      deps_.scheduler.Cancel(done_waiter.deadline);
      NoteWaiterDone(done_waiter);
    }
    // Past the bound while keys were held (asks parked during the start
    // pass, sessions): each answer moves a few more to disk only.
    if (cached_count_ > options_.max_cached_verdicts) {
      EvictColdVerdicts(&ks);
    }
    ForgetIfUnused(ks);
  };
  if (ks.cached) {
    TouchCached(ks);
  }
  int count = sessions_.CountFor(ks.key);
  // Steps 1-4: no I/O.
  auto d = Decide(MakeInput(ks, count, nullptr), options_.policy);
  if (d && d->source == Source::kLocal &&
      d->reason_code == kConcurrencyLimitExceeded && sessions_.HasDetached()) {
    // A crashed app frees its seat at once (ipc.md), not at the next
    // sweep: only a full key pays for the process checks.
    ExpireDetachedSessions();
    count = sessions_.CountFor(ks.key);
    d = Decide(MakeInput(ks, count, nullptr), options_.policy);
  }
  if (d) {
    Deliver(ks, w, *std::move(d));
    finish(w);
    return;
  }
  // Step 5 for a key with no verdict here costs the asking uid one token;
  // joining a request already in flight costs nothing.
  if (!ks.cached && !ks.in_flight) {
    if (auto retry = budget_.TryTake(w.input.uid, deps_.clock.Monotonic())) {
      spdlog::debug("engine: uid {} is out of upstream budget for new keys",
                    w.input.uid);
      Decision limited = RateLimitedDecision(*retry);
      Tally(w, limited);
      w.done(std::move(limited));
      finish(w);
      return;
    }
  }
  if (!counted) {
    ++waiting_authorizes_[w.input.connection_id];
  }
  Enqueue(ks, std::move(w), count + 1);
}

void Engine::NoteWaiterDone(const Waiter& w) {
  if (w.kind != Waiter::Kind::kAuthorize) {
    return;
  }
  auto it = waiting_authorizes_.find(w.input.connection_id);
  if (it == waiting_authorizes_.end()) {
    return;
  }
  if (--it->second == 0) {
    waiting_authorizes_.erase(it);
    closed_while_waiting_.erase(w.input.connection_id);
  }
}

void Engine::Answer(KeyState& ks, Waiter& w, const upstream::Outcome* outcome) {
  int local = sessions_.CountFor(ks.key);
  if (w.kind == Waiter::Kind::kHeartbeat) {
    --local;  // the session itself is not competing for a seat
  }
  Deliver(ks, w,
          Decide(MakeInput(ks, local, outcome), options_.policy)
              .value_or(StoppingDecision()));
  // After Deliver, which reads the closed-connection mark this waiter may
  // be the last one to need.
  NoteWaiterDone(w);
}

void Engine::Tally(const Waiter& w, const Decision& d) {
  counters_.CountAnswer(
      w.kind == Waiter::Kind::kHeartbeat ? AnswerOp::kHeartbeat
                                         : AnswerOp::kAuthorize,
      d, w.waited ? AnswerPath::kUpstream : AnswerPath::kCached,
      deps_.clock.Monotonic() - w.started);
}

void Engine::Deliver(KeyState& ks, Waiter& w, Decision d) {
  if (w.kind == Waiter::Kind::kHeartbeat) {
    if (sessions_.Find(w.session_id) == nullptr) {
      if (const Decision* denial =
              ended_.Find(w.session_id, deps_.clock.Monotonic(),
                          options_.session_heartbeat_timeout)) {
        Tally(w, *denial);
        w.done(*denial);
        return;
      }
      d = ErrorDecision(RequestErrorCode::kSessionNotFound,
                        "The session has ended");
      Tally(w, d);
      w.done(std::move(d));
      return;
    }
    if (!d.allow && !d.error) {
      sessions_.Release(w.session_id);
      ended_.Add(w.session_id, d, deps_.clock.Monotonic());
    }
    d.session_id = w.session_id;
    Tally(w, d);
    w.done(std::move(d));
    return;
  }
  if (d.allow && closed_while_waiting_.count(w.input.connection_id) != 0) {
    // The app left while its ask waited for the server: a session now
    // would belong to nobody and hold a seat until restart.
    spdlog::debug("engine: no session for closed connection {}",
                  w.input.connection_id);
    w.done(std::move(d));
    return;
  }
  if (d.allow) {
    Session s;
    s.key = ks.key;
    s.connection_id = w.input.connection_id;
    s.detached = w.input.detached;
    s.pid = w.input.pid;
    s.uid = w.input.uid;
    s.gid = w.input.gid;
    s.app_name = std::move(w.input.app_name);
    s.app_version = std::move(w.input.app_version);
    s.opened_at = s.last_seen_at = deps_.clock.Now();
    s.last_seen_mono = deps_.clock.Monotonic();
    auto opened = sessions_.Open(std::move(s));
    if (!opened) {
      spdlog::error("engine: opening a session: {}", opened.error().message);
      d = ErrorDecision(RequestErrorCode::kInternal,
                        "Could not open a session");
      Tally(w, d);
      w.done(std::move(d));
      return;
    }
    d.session_id = (*opened)->id;
    // Debug only: this is the cached hot path.
    spdlog::debug("engine: session {} opened for pid {} uid {} gid {} ({})",
                  (*opened)->id, (*opened)->pid, (*opened)->uid, (*opened)->gid,
                  SourceName(d.source));
    ScheduleRefresh(ks);
  }
  Tally(w, d);
  w.done(std::move(d));
}

EngineStatus Engine::StatusSnapshot() const {
  EngineStatus s = status_;
  s.sessions = sessions_.size();
  // In memory, on disk only, and not reached by the floor pass yet (each
  // is verified before it is used, and dropped, no longer counted, if it
  // fails).
  s.cached_verdicts = cached_count_ + on_disk_.size() + floor_left_;
  s.verdicts_in_memory = cached_count_;
  s.tracked_keys = keys_.size();
  s.uptime_seconds =
      duration_cast<seconds>(deps_.clock.Monotonic() - start_mono_).count();
  s.clock_rollback = time_ && time_->RollbackDetected();
  s.instance_id = identity_.instance_id;
  return s;
}

}  // namespace gg::agent
