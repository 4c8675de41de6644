// The engine's verification of the cached verdicts read at start: a row is
// verified before it is used (EnsureVerified, on the loop, one signature
// check) or, for the rest, in the background after READY, a batch at a time
// on the worker so neither READY nor the loop waits for 10,000 checks
// (spec/agent.md §4 "at start every verdict is verified again", issue 11).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "agent/engine/engine.h"
#include "agent/engine/engine_state.h"
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
  auto fields = ParseSignedRequest(row.material.request_body);
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
    if (it != keys_.end() && it->second->unverified) {
      batch->emplace_back(it->first, *it->second->unverified);
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
