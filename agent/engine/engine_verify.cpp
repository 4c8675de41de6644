// The engine's start passes over the cached verdicts, a page at a time on
// the worker, after READY (memory holds one page of rows, not the table):
//  1. the floor pass reads each row's key and the signed times it claims.
//     Every decision reads H, whose floor is the newest time signed into
//     any row (spec/agent.md §4), so every authorize waits for this pass.
//     A claim is not verified here: one that is forged or edited can only
//     raise H, which fails closed (and root can raise H anyway, through
//     the unsigned time marks), or lower what an intact row claims, which
//     is what deleting that row does. Every key goes to on_disk_: asked
//     for, its row is read back and verified before it answers.
//  2. the verify pass checks every row's signature in the background (a
//     bad one is deleted), and the first max_cached_verdicts good ones
//     move into memory. That is issue 11's "verified after READY, and on
//     demand when asked for first", at ~40 us of parsing a row before the
//     first decision rather than ~200 us of Ed25519 per row.
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

// Rows per worker task: ~200 us of signature check each (or a fraction of
// that to parse), so a task holds the worker (and a verdict write queued
// behind it) for about ten milliseconds.
constexpr std::size_t kVerifyBatch = 64;
constexpr std::size_t kFloorBatch = 512;
// After a failed read of a page: the pass tries again (asks keep waiting,
// each answered AGENT_OFFLINE at its deadline).
constexpr auto kVerifyRetry = std::chrono::seconds(1);

}  // namespace

std::optional<CachedVerdict> Engine::VerifiedRow(store::StoredVerdict row,
                                                 const Status& check) {
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
    return std::nullopt;
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
    return std::nullopt;
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
    return std::nullopt;
  }
  // received_at is not signed: a verdict's age counts from the time the
  // server signed into it, which the row may only make older. A verdict
  // with no signed time is stale at once.
  const long long issued =
      SignedIssuedAt(*verdict).value_or(UnixTime{0}).seconds;
  const long long now = time_->EstimatedNowSeconds();
  return CachedVerdict{*std::move(verdict), std::move(fields->hwid),
                       std::min({row.received_at, issued, now})};
}

void Engine::AcceptPassRow(store::StoredVerdict row, const Status& check) {
  const std::string key_string = KeyString(row.key);
  const std::size_t hash = std::hash<std::string>{}(key_string);
  // Read back on demand, or replaced by a newer verdict, since the floor
  // pass: that is the row's own check, and a delete now could hit the
  // newer row.
  if (on_disk_.count(hash) == 0) {
    return;
  }
  auto it = keys_.find(key_string);
  if (it != keys_.end() &&
      (it->second->cached || it->second->loading || it->second->in_flight)) {
    return;
  }
  store::VerdictKey key = row.key;
  auto cached = VerifiedRow(std::move(row), check);
  if (!cached) {
    on_disk_.erase(hash);  // deleted, or another machine's
    return;
  }
  // The first rows fill memory up to its bound; the rest stay on disk only
  // (verified again when asked for: a row may change on disk meanwhile).
  if (cached_count_ < options_.max_cached_verdicts) {
    SetCached(StateFor(key), *std::move(cached));
  }
}

void Engine::RetryPassLater(const Status& failed, void (Engine::*retry)()) {
  counters_.CountStoreError(StoreOp::kLoadVerdict);
  spdlog::error(
      "engine: reading the cached verdicts at start: {}; retrying{}",
      failed.error().message,
      floor_pending_ ? " (asks are answered AGENT_OFFLINE meanwhile)" : "");
  verify_retry_timer_ = deps_.scheduler.RunAfter(kVerifyRetry, [this, retry] {
    verify_retry_timer_ = 0;
    (this->*retry)();
  });
}

void Engine::ReadFloorPage() {
  if (stopped_) {
    return;
  }
  struct Floor {
    std::vector<std::size_t> hashes;
    long long newest = 0;  // the newest claimed signed time, 0: none
    std::optional<store::VerdictKey> next_after;
  };
  auto floor = std::make_shared<Floor>();
  store::VerdictStore& store = deps_.store;
  deps_.worker.Submit(
      [&store, floor, after = floor_after_]() -> Status {
        auto read = store.LoadUnverifiedPage(after, kFloorBatch);
        if (!read) {
          return tl::unexpected(read.error());
        }
        floor->hashes.reserve(read->rows.size());
        for (const store::StoredVerdict& row : read->rows) {
          floor->hashes.push_back(std::hash<std::string>{}(KeyString(row.key)));
          // Unverified: a row that does not parse claims nothing, and
          // fails its check later.
          if (auto v = upstream::ParseVerifiedMaterial(row.material)) {
            if (auto t = NewestSignedTime(*v)) {
              floor->newest = std::max(floor->newest, t->seconds);
            }
          }
        }
        floor->next_after = std::move(read->next_after);
        return Ok();
      },
      [this, floor](Status s) {
        if (stopped_) {
          return;
        }
        if (!s) {
          RetryPassLater(s, &Engine::ReadFloorPage);
          return;
        }
        if (floor->newest > 0) {
          time_->RaiseHighWater(floor->newest);
        }
        on_disk_.insert(floor->hashes.begin(), floor->hashes.end());
        floor_left_ -= std::min(floor_left_, floor->hashes.size());
        if (!floor->next_after) {
          FinishFloor();
          return;
        }
        floor_after_ = std::move(floor->next_after);
        ReadFloorPage();
      });
}

void Engine::FinishFloor() {
  floor_pending_ = false;
  floor_left_ = 0;
  floor_after_.reset();
  spdlog::info(
      "engine: read the {} cached verdicts (the clock's floor); verifying "
      "them in the background",
      on_disk_.size());
  std::vector<KeyState*> waiting = std::move(waiting_for_pass_);
  waiting_for_pass_.clear();
  // Each is `loading` until its turn, so answering one never forgets
  // another. Their rows are on disk only: each is read back and verified.
  for (KeyState* ks : waiting) {
    Resume(*ks);
  }
  VerifyNextPage();
}

void Engine::VerifyNextPage() {
  if (stopped_) {
    return;
  }
  struct Page {
    store::VerdictPage page;
    std::vector<Status> checks;
  };
  auto page = std::make_shared<Page>();
  store::VerdictStore& store = deps_.store;
  deps_.worker.Submit(
      [&store, page, after = verify_after_]() -> Status {
        auto read = store.LoadUnverifiedPage(after, kVerifyBatch);
        if (!read) {
          return tl::unexpected(read.error());
        }
        page->page = *std::move(read);
        page->checks.reserve(page->page.rows.size());
        for (const store::StoredVerdict& row : page->page.rows) {
          page->checks.push_back(store.CheckVerdict(row));
        }
        return Ok();
      },
      [this, page](Status s) {
        if (stopped_) {
          return;
        }
        if (!s) {
          RetryPassLater(s, &Engine::VerifyNextPage);
          return;
        }
        std::vector<store::StoredVerdict>& rows = page->page.rows;
        for (std::size_t i = 0; i < rows.size(); ++i) {
          AcceptPassRow(std::move(rows[i]), page->checks[i]);
        }
        if (!page->page.next_after) {
          verify_after_.reset();
          spdlog::info(
              "engine: every cached verdict verified ({} in memory, {} on "
              "disk only)",
              cached_count_, on_disk_.size());
          return;
        }
        verify_after_ = std::move(page->page.next_after);
        VerifyNextPage();
      });
}

}  // namespace gg::agent
