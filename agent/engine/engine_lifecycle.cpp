// The engine's start (time marks, instance id, cached rows, timers), its
// periodic persist of the time marks, and its stop.
#include <spdlog/spdlog.h>

#include <charconv>
#include <utility>

#include "agent/engine/engine.h"
#include "agent/engine/engine_state.h"

namespace gg::agent {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kShutdownTimeout = milliseconds(2000);

Status PutMarks(store::VerdictStore& store, const TimeMarks& marks) {
  if (auto s =
          store.PutState(kHighWaterState, std::to_string(*marks.high_water));
      !s) {
    return s;
  }
  if (marks.boot) {
    // Self-contained (mark and boot reading in one row), so a crash
    // between two PutState calls never pairs a mark with another reading.
    if (auto s = store.PutState(kBootMarkState, FormatBootMark(*marks.boot));
        !s) {
      return s;
    }
  }
  return store.PutState(kWallHighWaterState,
                        std::to_string(*marks.wall_high_water));
}

std::optional<long long> ParseSeconds(const std::optional<std::string>& s) {
  if (!s) {
    return std::nullopt;
  }
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || ptr != s->data() + s->size()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

Status Engine::Start() {
  auto high = deps_.store.GetState(kHighWaterState);
  auto wall = deps_.store.GetState(kWallHighWaterState);
  auto boot = deps_.store.GetState(kBootMarkState);
  if (!high || !wall || !boot) {
    return tl::unexpected(!high   ? high.error()
                          : !wall ? wall.error()
                                  : boot.error());
  }
  TimeMarks persisted{ParseSeconds(*high), ParseSeconds(*wall), std::nullopt};
  if (*boot) {
    persisted.boot = ParseBootMark(**boot);
  }
  start_mono_ = deps_.clock.Monotonic();

  if (identity_.instance_id.empty()) {
    // Made and stored once, by hwid::LoadOrCreateInstanceId (the service's
    // machine identity), never here.
    return MakeError(ErrorCode::kInternal,
                     "the engine was started without an instance ID");
  }

  // Rows are counted, not read: verifying 10,000 Ed25519 signatures would
  // hold READY back for seconds, and holding every row would cost memory
  // for each. They are read a page at a time after READY (ReadFloorPage),
  // each raising H by its claimed signed time as HighWaterAtStart's floor
  // would have (asks wait for that pass), and verified after it.
  auto rows = deps_.store.CountVerdicts();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  const auto h = HighWaterAtStart(
      persisted, deps_.clock.Boot(),
      duration_cast<seconds>(options_.persist_interval).count(), std::nullopt);
  time_.emplace(deps_.clock, options_.clock_rollback_tolerance_seconds,
                TimeMarks{h, persisted.wall_high_water, std::nullopt});
  floor_left_ = *rows;
  floor_pending_ = *rows > 0;
  // At once, not at the first periodic mark: a SIGKILL a second from now
  // must not take the time back to the last clean stop.
  if (auto s = PutMarks(deps_.store, time_->MarksToPersist()); !s) {
    spdlog::error("engine: persisting the clock high-water mark at start: {}",
                  s.error().message);
  }
  NoteRollback(time_->RollbackDetected());
  started_ = true;
  SchedulePersist();
  ScheduleSweep();
  if (floor_pending_) {
    ReadFloorPage();
  }
  spdlog::info("engine: started with {} cached verdicts (verified after start)",
               *rows);
  return Ok();
}

void Engine::SchedulePersist() {
  if (!stopped_) {
    persist_timer_ = deps_.scheduler.RunAfter(
        duration_cast<milliseconds>(options_.persist_interval), [this] {
          persist_timer_ = 0;
          RetryStaleDisk();
          PersistMarks([this] { SchedulePersist(); });
        });
  }
}

void Engine::PersistMarks(std::function<void()> then) {
  const TimeMarks marks = time_->MarksToPersist();
  store::VerdictStore& store = deps_.store;
  deps_.worker.Submit(
      [&store, marks] { return PutMarks(store, marks); },
      [this, then = std::move(then)](Status s) {
        if (!s) {
          counters_.CountStoreError(StoreOp::kPersistMarks);
          spdlog::error("engine: persisting the clock high-water mark: {}",
                        s.error().message);
        }
        then();
      });
}

void Engine::Stop(std::function<void()> done) {
  if (stopped_ || !started_) {
    stopped_ = true;
    deps_.scheduler.Post(std::move(done));
    return;
  }
  stopped_ = true;
  deps_.scheduler.Cancel(persist_timer_);
  deps_.scheduler.Cancel(sweep_timer_);
  deps_.scheduler.Cancel(verify_retry_timer_);
  const upstream::Outcome shutdown =
      upstream::Failure{upstream::FailureClass::kTransient,
                        0,
                        "SHUTDOWN",
                        "the agent is shutting down",
                        "",
                        {},
                        std::nullopt,
                        false};
  for (auto& [k, ks] : keys_) {
    deps_.scheduler.Cancel(ks->refresh_timer);
    auto waiters = std::move(ks->waiters);
    ks->waiters.clear();
    for (Waiter& w : waiters) {
      deps_.scheduler.Cancel(w.deadline);
      if (floor_pending_) {
        // No decision before the pass: H is not known.
        Decision d = StoppingDecision();
        Tally(w, d);
        w.done(std::move(d));
        NoteWaiterDone(w);
        continue;
      }
      Answer(*ks, w, &shutdown);
    }
  }
  const TimeMarks marks = time_->MarksToPersist();
  upstream::UpstreamClient& upstream = deps_.upstream;
  store::VerdictStore& store = deps_.store;
  deps_.worker.Submit(
      [&upstream, &store, marks]() -> Status {
        upstream.Shutdown(kShutdownTimeout);
        return PutMarks(store, marks);
      },
      [done = std::move(done)](Status s) {
        if (!s) {
          spdlog::error(
              "engine: persisting the clock high-water mark at "
              "stop: {}",
              s.error().message);
        }
        done();
      });
}

}  // namespace gg::agent
