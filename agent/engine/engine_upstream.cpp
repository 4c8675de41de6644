// The engine's upstream side: coalesced requests, deadlines, storing
// verdicts before answering, background refresh and pushed denials.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "agent/engine/engine.h"
#include "agent/engine/engine_state.h"
#include "agent/upstream/request.h"

namespace gg::agent {
namespace {

using std::chrono::milliseconds;

upstream::Failure LocalFailure(std::string code, std::string message) {
  upstream::Failure f;
  f.failure_class = upstream::FailureClass::kTransient;
  f.code = std::move(code);
  f.message = std::move(message);
  return f;
}

}  // namespace

void Engine::Enqueue(KeyState& ks, Waiter waiter, int sessions) {
  waiter.waited = true;
  if (ks.in_flight && ks.unreachable) {
    // The server was not reached a moment ago and the retries have not
    // reached it yet: waiting for them would only delay the same answer.
    deps_.scheduler.Cancel(waiter.deadline);
    Answer(ks, waiter, &*ks.unreachable);
    return;
  }
  if (waiter.deadline == 0) {
    // One that waited for its row keeps the deadline it had.
    waiter.id = next_waiter_id_++;
    waiter.deadline = deps_.scheduler.RunAfter(
        options_.request_deadline,
        [this, ksp = &ks, id = waiter.id] { OnDeadline(*ksp, id); });
  }
  ks.waiters.push_back(std::move(waiter));
  if (!ks.in_flight) {
    StartRequest(ks, sessions, /*refresh=*/false);
  }
}

void Engine::StartRequest(KeyState& ks, int sessions, bool refresh) {
  ks.in_flight = true;
  ks.refresh_in_flight = refresh;
  ks.unreachable.reset();
  upstream::AuthorizeRequest request;
  request.product_id = ks.key.product_id;
  request.license_key = ks.key.license_key;
  request.hwid = HwidFor(ks.key.product_id);
  request.sessions = std::max(1, sessions);
  request.instance_id = identity_.instance_id;
  Scheduler& scheduler = deps_.scheduler;
  // `done` runs on the client's thread: hop back onto the loop.
  deps_.upstream.Authorize(
      request, [this, &scheduler, ksp = &ks](upstream::Outcome outcome) {
        scheduler.Post([this, ksp, outcome = std::move(outcome)]() mutable {
          OnOutcome(*ksp, std::move(outcome));
        });
      });
}

void Engine::OnOutcome(KeyState& ks, upstream::Outcome outcome) {
  if (stopped_) {
    return;  // every waiter was answered at Stop
  }
  const auto* verdict = std::get_if<upstream::Verdict>(&outcome);
  if (verdict != nullptr && verdict->signed_material) {
    if (auto issued = SignedIssuedAt(*verdict)) {
      time_->OnServerTime(ToWallTimeClamped(*issued));
    }
    const auto fields = upstream::IdentityFromRequestBody(
        verdict->signed_material->request_body);
    if (IsCacheable(*verdict) && fields &&
        fields->hwid == HwidFor(ks.key.product_id)) {
      CachedVerdict cached{*verdict, fields->hwid,
                           time_->EstimatedNowSeconds()};
      // Durable first: no app hears the verdict (not even from the
      // in-memory cache) before the write returned. An allow that cannot
      // be stored is not acknowledged (spec/agent.md §4): a crash now would
      // lose it, so the app hears what it would without a server, and what
      // is cached (and on disk) from before still serves under its rules.
      StoreVerdictThen(
          ks, std::move(cached),
          [this, ksp = &ks, outcome = std::move(outcome)](const Status& s) {
            if (stopped_) {
              return;
            }
            if (!s) {
              CompleteOutcome(
                  *ksp, LocalFailure("STORE", "state store write failed: " +
                                                  s.error().message));
              return;
            }
            CompleteOutcome(*ksp, outcome);
          });
      return;
    }
  } else if (verdict != nullptr && ks.cached) {
    // An unsigned LICENSE_NOT_FOUND / PRODUCT_NOT_FOUND: the license is
    // gone, so an older cached verdict must not serve offline either.
    DropCached(ks);
    DeleteVerdictOf(ks);
  }
  CompleteOutcome(ks, outcome);
}

namespace {

// Writes `row`; when that fails for a denial, deletes the key's row
// instead: the old verdict on disk (an allow, maybe) must not outlive the
// denial that replaced it in memory and come back after a restart.
Status PutOrRemove(store::VerdictStore& store,
                   const store::StoredVerdict& row,
                   bool denial) {
  auto put = store.PutVerdict(row);
  if (put || !denial) {
    return put;
  }
  auto del = store.DeleteVerdict(row.key);
  if (del) {
    return MakeError(ErrorCode::kStoreWrite,
                     "storing a denial failed (" + put.error().message +
                         "); deleted the old verdict instead");
  }
  // The old row stays on disk until a retry succeeds; marked, it is never
  // loaded again, even if the agent dies before then.
  auto mark = store.MarkSuperseded(row.key);
  return MakeError(ErrorCode::kStoreNotDurable,
                   "storing a denial failed (" + put.error().message +
                       ") and deleting the old verdict failed too (" +
                       del.error().message + "); " +
                       (mark ? std::string("marked it superseded")
                             : "marking it superseded failed too (" +
                                   mark.error().message + ")") +
                       "; retrying");
}

}  // namespace

void Engine::StoreVerdictThen(KeyState& ks,
                              CachedVerdict cached,
                              std::function<void(const Status&)> then) {
  store::StoredVerdict row{ks.key, *cached.verdict.signed_material,
                           cached.received_at};
  const bool denial = !cached.verdict.allow;
  store::VerdictStore& store = deps_.store;
  ++ks.store_pending;
  deps_.worker.Submit(
      [&store, row = std::move(row), denial] {
        return PutOrRemove(store, row, denial);
      },
      [this, ksp = &ks, cached = std::move(cached),
       then = std::move(then)](Status s) mutable {
        --ksp->store_pending;
        if (!s) {
          counters_.CountStoreError(StoreOp::kPutVerdict);
        }
        NoteStoreResult(*ksp, s);
        if (!s && cached.verdict.allow) {
          spdlog::error("engine: storing a verdict: {}", s.error().message);
          // status shows it until the next verdict is stored.
          const WallTime now = deps_.clock.Now();
          status_.last_error = LastError{std::string(Name(ErrorCode::kStore)),
                                         s.error().message,
                                         "",
                                         now,
                                         now,
                                         1};
          then(s);
          return;
        }
        // A denial is answered anyway: memory holds it, and
        // the disk holds it, or nothing, or (STORE_NOT_DURABLE,
        // retried) the old one.
        SetCached(*ksp, std::move(cached));
        then(Ok());
      });
}

void Engine::DeleteVerdictOf(KeyState& ks) {
  store::VerdictStore& store = deps_.store;
  ++ks.store_pending;
  deps_.worker.Submit(
      [&store, key = ks.key]() -> Status {
        if (auto s = store.DeleteVerdict(key); !s) {
          return MakeError(ErrorCode::kStoreNotDurable,
                           "deleting a verdict failed (" + s.error().message +
                               "); retrying");
        }
        return Ok();
      },
      [this, ksp = &ks](Status s) {
        --ksp->store_pending;
        if (!s) {
          counters_.CountStoreError(StoreOp::kDeleteVerdict);
        }
        NoteStoreResult(*ksp, s);
        ForgetIfUnused(*ksp);  // kept only for this completion, maybe
      });
}

void Engine::NoteStoreResult(KeyState& ks, const Status& s) {
  const bool stale = !s && s.error().code == ErrorCode::kStoreNotDurable;
  if (stale != ks.disk_stale) {
    ks.disk_stale = stale;
    disk_stale_count_ += stale ? 1 : static_cast<std::size_t>(-1);
  }
  if (!s) {
    spdlog::error("engine: verdict store, product {}: {}", ks.key.product_id,
                  s.error().message);
    const WallTime now = deps_.clock.Now();
    status_.store_error = LastError{
        std::string(Name(s.error().code)), s.error().message, "", now, now, 1};
  } else if (disk_stale_count_ == 0) {
    status_.store_error.reset();
  }
}

void Engine::RetryStaleDisk() {
  if (disk_stale_count_ == 0) {
    return;
  }
  for (auto& [k, ks] : keys_) {
    if (!ks->disk_stale) {
      continue;
    }
    if (ks->cached) {
      StoreVerdictThen(*ks, *ks->cached, [](const Status&) {});
    } else {
      DeleteVerdictOf(*ks);
    }
  }
}

void Engine::CompleteOutcome(KeyState& ks, const upstream::Outcome& outcome) {
  RecordOutcome(ks, outcome);
  const bool refresh = ks.refresh_in_flight;
  ks.in_flight = false;
  ks.refresh_in_flight = false;
  ks.unreachable.reset();
  std::vector<Waiter> waiters = std::move(ks.waiters);
  ks.waiters.clear();
  for (Waiter& w : waiters) {
    deps_.scheduler.Cancel(w.deadline);
    Answer(ks, w, &outcome);
  }
  if (sessions_.CountFor(ks.key) > 0) {
    // The key's verdict as it now stands, for the sessions already open.
    // A server concurrency denial of an ask for one more seat says nothing
    // against the seats already held; of a refresh, it does.
    auto d = Decide(MakeInput(ks, 0, &outcome), options_.policy);
    if (d && !d->allow && !d->error &&
        (refresh || d->reason_code != kConcurrencyLimitExceeded)) {
      PushDenial(ks, *d);
    }
  }
  ScheduleRefresh(ks);
  ForgetIfUnused(ks);  // last: it may destroy ks
}

void Engine::OnDeadline(KeyState& ks, std::uint64_t waiter_id) {
  auto it = std::find_if(ks.waiters.begin(), ks.waiters.end(),
                         [&](const Waiter& w) { return w.id == waiter_id; });
  if (it == ks.waiters.end()) {
    return;
  }
  Waiter w = std::move(*it);
  ks.waiters.erase(it);
  if (floor_pending_) {
    // H is not known before the pass ends: no decision, a refusal that
    // says why.
    Decision d = StartingDecision();
    Tally(w, d);
    w.done(std::move(d));
    NoteWaiterDone(w);
    return;
  }
  // The request (or the read of the row) goes on and updates the cache;
  // this ask is answered now.
  const upstream::Outcome timeout =
      LocalFailure("TIMEOUT", "no upstream answer within requestDeadlineMs");
  Answer(ks, w, &timeout);
}

void Engine::PushDenial(KeyState& ks, const Decision& decision) {
  const std::vector<Session> ended = sessions_.ReleaseKey(ks.key);
  spdlog::info("engine: {} session(s) of product {} ended: {} ({})",
               ended.size(), ks.key.product_id, decision.reason_code,
               SourceName(decision.source));
  for (const Session& s : ended) {
    Decision event = decision;
    event.session_id = s.id;
    ended_.Add(s.id, event, deps_.clock.Monotonic());
    deps_.events.OnSessionVerdict(s.connection_id, s.id, event);
  }
}

void Engine::ScheduleRefresh(KeyState& ks) {
  if (stopped_ || ks.refresh_timer != 0 || sessions_.CountFor(ks.key) == 0) {
    return;
  }
  // A signed heartbeatSeconds may be anything up to 2^63: the timer waits
  // at most 30 days (refreshing early is harmless; an overflowing
  // deadline is not).
  constexpr long long kMaxRefreshTimerSeconds = 30LL * 86400;
  const long long interval =
      std::min(RefreshIntervalSeconds(ks.cached ? &*ks.cached : nullptr,
                                      options_.policy),
               kMaxRefreshTimerSeconds);
  // Jitter spreads the refreshes of many keys (and many agents) apart; it
  // only shortens the interval, so a cached allow never goes stale first.
  const double factor = 1.0 - std::clamp(options_.refresh_jitter, 0.0, 1.0) *
                                  deps_.random.Uniform01();
  const auto delay = milliseconds(std::max(
      1LL,
      static_cast<long long>(static_cast<double>(interval) * 1000.0 * factor)));
  ks.refresh_timer = deps_.scheduler.RunAfter(
      delay, [this, ksp = &ks] { OnRefreshTimer(*ksp); });
}

void Engine::OnRefreshTimer(KeyState& ks) {
  ks.refresh_timer = 0;
  const int count = sessions_.CountFor(ks.key);
  if (stopped_) {
    return;
  }
  if (count == 0) {
    ForgetIfUnused(ks);
    return;
  }
  if (!ks.in_flight) {  // else its answer reschedules
    StartRequest(ks, count, /*refresh=*/true);
  }
}

void Engine::RecordOutcome(const KeyState& ks,
                           const upstream::Outcome& outcome) {
  store::UpstreamEvent event;
  event.at = UnixSeconds(deps_.clock.Now());
  event.product_id = ks.key.product_id;
  // status_ follows the attempts (OnUpstreamAttempt), not this final
  // outcome, which may come after minutes of failing retries.
  if (const auto* v = std::get_if<upstream::Verdict>(&outcome)) {
    event.outcome = v->allow ? "allow" : "deny:" + v->reason_code;
    event.request_id = v->request_id;
  } else {
    const auto& f = std::get<upstream::Failure>(outcome);
    event.outcome = "failure:" + f.code;
    event.request_id = f.request_id;
  }
  spdlog::info("engine: upstream {} for product {} (x-request-id {})",
               event.outcome, event.product_id,
               event.request_id.empty() ? "-" : event.request_id);
  store::VerdictStore& store = deps_.store;
  deps_.worker.Submit(
      [&store, event = std::move(event)] { return store.AppendEvent(event); },
      [this](Status s) {
        if (!s) {
          counters_.CountStoreError(StoreOp::kAppendEvent);
          spdlog::warn("engine: appending to the event log: {}",
                       s.error().message);
        }
      });
}

void Engine::OnUpstreamAttempt(const upstream::AttemptReport& report) {
  counters_.CountAttempt(report);
  const WallTime now = deps_.clock.Now();
  status_.last_attempt_at = now;
  if (report.http_status != 0) {
    status_.last_contact_at = now;
  }
  if (report.verdict) {
    offline_marks_persisted_ = false;
    if (!status_.online && status_.last_error) {
      spdlog::info("engine: upstream answering again after {} failed attempts",
                   status_.last_error->failed_attempts);
    }
    status_.online = true;
    status_.last_error.reset();
  } else {
    status_.online = false;
    if (report.failure_class != upstream::FailureClass::kRequestError &&
        !offline_marks_persisted_ && time_ && !stopped_) {
      // Going offline is when the marks start to matter: persist them now
      // rather than at the next periodic mark (agent.md §3).
      offline_marks_persisted_ = true;
      PersistMarks([] {});
    }
    LastError e{report.code, report.message, report.request_id, now, now, 1};
    if (status_.last_error) {
      e.since = status_.last_error->since;
      e.failed_attempts = status_.last_error->failed_attempts + 1;
    }
    status_.last_error = std::move(e);
  }
  if (!report.rate_limit.empty()) {
    status_.rate_limit = RateLimitStatus{report.rate_limit, now};
  }
  AnswerUnreachable(report);
}

void Engine::AnswerUnreachable(const upstream::AttemptReport& report) {
  if (stopped_ || report.license_key.empty()) {
    return;
  }
  auto it = keys_.find(KeyString({report.product_id, report.license_key}));
  if (it == keys_.end() || !it->second->in_flight) {
    return;
  }
  KeyState& ks = *it->second;
  if (report.verdict || report.http_status != 0 ||
      report.failure_class != upstream::FailureClass::kTransient) {
    ks.unreachable.reset();  // a server answered: the next one may too
    return;
  }
  // No server reached (refused, unreachable, TLS): the retries go on
  // behind, but every ask waiting for them is answered by the offline
  // rules now, not at requestDeadlineMs (spec/agent.md §7).
  upstream::Failure f;
  f.failure_class = report.failure_class;
  f.code = report.code;
  f.message = report.message;
  f.request_id = report.request_id;
  ks.unreachable = std::make_unique<upstream::Outcome>(std::move(f));
  std::vector<Waiter> waiters = std::move(ks.waiters);
  ks.waiters.clear();
  for (Waiter& w : waiters) {
    deps_.scheduler.Cancel(w.deadline);
    Answer(ks, w, &*ks.unreachable);
  }
}

}  // namespace gg::agent
