// The engine's in-memory cache of verified verdicts, bounded by
// EngineOptions::max_cached_verdicts: the most recently used stay, the
// rest are on disk only (their key's hash in on_disk_) and are read back,
// and verified again, on the worker when an app asks for one. An ask
// never decides from memory alone while its key's verdict may be on disk.
#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

#include "agent/engine/engine.h"
#include "agent/engine/engine_state.h"

namespace gg::agent {
namespace {

std::size_t HashOf(const std::string& key_string) {
  return std::hash<std::string>{}(key_string);
}

}  // namespace

bool Engine::OnDiskOnly(const KeyState& ks) const {
  return !on_disk_.empty() && on_disk_.count(HashOf(ks.key_string)) != 0;
}

void Engine::WaitForRow(KeyState& ks, Waiter w, bool counted) {
  if (!counted) {
    ++waiting_authorizes_[w.input.connection_id];
  }
  w.waited = true;
  if (w.deadline == 0) {
    w.id = next_waiter_id_++;
    w.deadline = deps_.scheduler.RunAfter(
        options_.request_deadline,
        [this, ksp = &ks, id = w.id] { OnDeadline(*ksp, id); });
  }
  ks.waiters.push_back(std::move(w));
  if (ks.loading) {
    return;
  }
  ks.loading = true;
  if (floor_pending_) {
    waiting_for_pass_.push_back(&ks);
  } else {
    LoadFromDisk(ks);
  }
}

void Engine::LoadFromDisk(KeyState& ks) {
  struct Read {
    std::optional<store::StoredVerdict> row;
    Status check = Ok();
  };
  auto read = std::make_shared<Read>();
  store::VerdictStore& store = deps_.store;
  deps_.worker.Submit(
      [&store, read, key = ks.key]() -> Status {
        auto row = store.LoadUnverifiedVerdict(key);
        if (!row) {
          return tl::unexpected(row.error());
        }
        if (*row) {
          read->check = store.CheckVerdict(**row);
          read->row = *std::move(*row);
        }
        return Ok();
      },
      [this, ksp = &ks, read](Status s) {
        if (stopped_) {
          return;  // Stop answered the waiters
        }
        KeyState& state = *ksp;
        // Known now, either way: in memory, or not there (an ask goes
        // upstream as for a new key).
        on_disk_.erase(HashOf(state.key_string));
        if (!s) {
          counters_.CountStoreError(StoreOp::kLoadVerdict);
          spdlog::error(
              "engine: reading the cached verdict of product {}: {}; asking "
              "the server instead",
              state.key.product_id, s.error().message);
        } else if (read->row) {
          if (auto cached = VerifiedRow(*std::move(read->row), read->check)) {
            SetCached(state, *std::move(cached));
          }
        }
        Resume(state);
      });
}

void Engine::Resume(KeyState& ks) {
  ks.loading = false;
  ks.resuming = true;
  std::vector<Waiter> waiters = std::move(ks.waiters);
  ks.waiters.clear();
  // Each keeps its deadline: the first may start a request, the others
  // join it (or the row's read, again).
  for (Waiter& w : waiters) {
    Proceed(ks, std::move(w), /*counted=*/true);
  }
  ks.resuming = false;
  ForgetIfUnused(ks);
}

void Engine::SetCached(KeyState& ks, CachedVerdict cached) {
  if (!ks.cached) {
    ++cached_count_;
    ks.lru = lru_.insert(lru_.begin(), &ks);
  } else {
    TouchCached(ks);
  }
  ks.cached = std::move(cached);
  if (!on_disk_.empty()) {
    on_disk_.erase(HashOf(ks.key_string));
  }
  EvictColdVerdicts(&ks);
}

void Engine::DropCached(KeyState& ks) {
  if (!ks.cached) {
    return;
  }
  ks.cached.reset();
  lru_.erase(ks.lru);
  --cached_count_;
}

void Engine::TouchCached(KeyState& ks) {
  if (lru_.begin() != ks.lru) {
    lru_.splice(lru_.begin(), lru_, ks.lru);
  }
}

std::size_t Engine::EvictColdVerdicts(const KeyState* keep,
                                      std::size_t max_steps) {
  // Keys that may not go (sessions, requests) move to the front instead,
  // so the cost per call stays within max_steps however many of them sit
  // at the back.
  std::size_t evicted = 0;
  for (std::size_t step = 0;
       step < max_steps && cached_count_ > options_.max_cached_verdicts;
       ++step) {
    KeyState& victim = *lru_.back();
    // Only a verdict that is on disk as it is in memory, of a key nothing
    // else holds (whose KeyState then goes too).
    const bool held = &victim == keep || victim.in_flight || victim.loading ||
                      victim.resuming || !victim.waiters.empty() ||
                      victim.store_pending > 0 || victim.disk_stale ||
                      sessions_.CountFor(victim.key) > 0;
    if (held) {
      TouchCached(victim);
      continue;
    }
    // The refresh of a key whose last session ended: it would find no
    // session and do nothing.
    deps_.scheduler.Cancel(victim.refresh_timer);
    victim.refresh_timer = 0;
    on_disk_.insert(HashOf(victim.key_string));
    DropCached(victim);
    ForgetIfUnused(victim);  // destroys it
    ++evicted;
  }
  return evicted;
}

}  // namespace gg::agent
