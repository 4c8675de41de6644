// The engine's verification of the cached verdicts read at start: no row
// answers before its signature is checked. READY waits for none; the rows
// are checked in the background after READY, a batch at a time on the
// worker, and whatever is left when the first decision comes is checked
// then, on the loop (FinishVerifying): every decision reads H, whose floor
// is the newest signed time in the whole cache (spec/agent.md §4 "at start
// every verdict is verified again", issue 11).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "agent/engine/engine.h"
#include "agent/engine/engine_state.h"
#include "agent/upstream/request.h"
#include "agent/upstream/response.h"
#include "platform/log.h"

namespace gg::agent {
namespace {

// Rows per worker task: ~70 us of signature check each, so a task holds the
// worker (and a verdict write queued behind it) for a few milliseconds.
constexpr std::size_t kVerifyBatch = 64;

}  // namespace

void Engine::EnsureVerified(KeyState& ks) {
  if (ks.unverified) {
    AcceptVerified(ks, deps_.store.CheckVerdict(*ks.unverified));
  }
}

void Engine::FinishVerifying() {
  if (unverified_count_ == 0) {
    return;
  }
  // A row asked for is not enough: a deleted time mark and a clock set back
  // leave H resting on the newest signed time in the cache, possibly in a
  // row the pass has not reached. The cost (a signature check per row left,
  // once) falls on the first decision after start, never on READY.
  const std::size_t left = unverified_count_;
  for (const std::string& key : to_verify_) {
    auto it = keys_.find(key);
    if (it != keys_.end()) {
      EnsureVerified(*it->second);
    }
  }
  spdlog::info(
      "engine: verified the {} cached verdicts left before the first "
      "decision (the clock's floor is the newest time signed into them)",
      left);
}

void Engine::AcceptVerified(KeyState& ks, const Status& check) {
  store::StoredVerdict row = std::move(*ks.unverified);
  ks.unverified.reset();
  --unverified_count_;
  auto drop = [this](const store::VerdictKey& key) {
    store::VerdictStore& store = deps_.store;
    deps_.worker.Submit([&store, key] { return store.DeleteVerdict(key); },
                        [this](Status s) {
                          if (!s) {
                            // Still on disk, and verified (and dropped)
                            // again at the next start: never used.
                            counters_.CountStoreError(StoreOp::kDeleteVerdict);
                            spdlog::error("engine: deleting a bad verdict: {}",
                                          s.error().message);
                          }
                        });
  };
  if (!check) {
    // Someone edited the file, or the vendor retired the signing key.
    spdlog::warn("dropping cached verdict for product {} key {}: {}",
                 row.key.product_id, log::MaskValue(row.key.license_key),
                 check.error().message);
    drop(row.key);
    return;
  }
  auto verdict = upstream::ParseVerifiedMaterial(row.material);
  auto fields = upstream::IdentityFromRequestBody(row.material.request_body);
  if (!verdict || !fields || fields->product_id != row.key.product_id ||
      fields->license_key != row.key.license_key) {
    spdlog::warn(
        "engine: cached verdict for product {} failed its check ({}); "
        "deleted",
        row.key.product_id, verdict ? "request body" : verdict.error().message);
    drop(row.key);
    return;
  }
  // H never stays below the newest time a server signed into the cache.
  if (auto t = NewestSignedTime(*verdict)) {
    time_->RaiseHighWater(t->seconds);
  }
  if (fields->hwid != HwidFor(row.key.product_id)) {
    spdlog::warn(
        "engine: cached verdict for product {} belongs to another hardware "
        "ID; ignored",
        row.key.product_id);
    return;
  }
  // received_at is not signed: a verdict's age counts from the time the
  // server signed into it, which the row may only make older. A verdict
  // with no signed time is stale at once.
  const long long issued =
      SignedIssuedAt(*verdict).value_or(UnixTime{0}).seconds;
  const long long now = time_->EstimatedNowSeconds();
  ks.cached = CachedVerdict{*std::move(verdict), std::move(fields->hwid),
                            std::min({row.received_at, issued, now})};
  ++cached_count_;
}

void Engine::VerifySomeInBackground() {
  if (stopped_) {
    return;
  }
  using Batch = std::vector<std::pair<std::string, store::StoredVerdict>>;
  auto batch = std::make_shared<Batch>();
  while (verify_next_ < to_verify_.size() && batch->size() < kVerifyBatch) {
    auto it = keys_.find(to_verify_[verify_next_++]);
    if (it == keys_.end()) {
      continue;
    }
    if (it->second->unverified) {
      batch->emplace_back(it->first, *it->second->unverified);
    } else {
      // Verified by FinishVerifying meanwhile; a dropped or foreign row
      // left a state with nothing in it.
      ForgetIfUnused(*it->second);
    }
  }
  if (batch->empty()) {
    to_verify_ = {};
    verify_next_ = 0;
    spdlog::info("engine: every cached verdict verified ({} kept)",
                 cached_count_);
    return;
  }
  auto results = std::make_shared<std::vector<Status>>(batch->size());
  const store::VerdictStore& store = deps_.store;
  deps_.worker.Submit(
      [&store, batch, results]() -> Status {
        for (std::size_t i = 0; i < batch->size(); ++i) {
          (*results)[i] = store.CheckVerdict((*batch)[i].second);
        }
        return Ok();
      },
      [this, batch, results](Status) {
        if (stopped_) {
          return;
        }
        for (std::size_t i = 0; i < batch->size(); ++i) {
          auto it = keys_.find((*batch)[i].first);
          // Verified on demand meanwhile: nothing left to do.
          if (it == keys_.end() || !it->second->unverified) {
            continue;
          }
          KeyState& ks = *it->second;
          AcceptVerified(ks, (*results)[i]);
          ForgetIfUnused(ks);
        }
        VerifySomeInBackground();
      });
}

}  // namespace gg::agent
