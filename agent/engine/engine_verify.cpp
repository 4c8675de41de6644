// The engine's verification of the cached verdicts at start: no row
// answers before its signature is checked. READY waits for none; the rows
// are read and checked after READY, a page at a time on the worker, so
// memory holds one page of rows, not the table. Every authorize waits for
// the pass (Engine::WaitForRow): every decision reads H, whose floor is
// the newest signed time in the whole cache (spec/agent.md §4 "at start
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
  store::VerdictKey key = row.key;
  auto cached = VerifiedRow(std::move(row), check);
  if (!cached) {
    return;
  }
  auto it = keys_.find(KeyString(key));
  if (it != keys_.end()) {  // asked for while the pass ran
    SetCached(*it->second, *std::move(cached));
    return;
  }
  // The first rows fill memory up to its bound; the rest are asked for
  // from disk when an app wants them.
  if (cached_count_ < options_.max_cached_verdicts) {
    SetCached(StateFor(key), *std::move(cached));
    return;
  }
  on_disk_.insert(std::hash<std::string>{}(KeyString(key)));
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
          counters_.CountStoreError(StoreOp::kLoadVerdict);
          spdlog::error(
              "engine: reading the cached verdicts to verify them: {}; "
              "retrying (asks are answered AGENT_OFFLINE meanwhile)",
              s.error().message);
          verify_retry_timer_ = deps_.scheduler.RunAfter(kVerifyRetry, [this] {
            verify_retry_timer_ = 0;
            VerifyNextPage();
          });
          return;
        }
        std::vector<store::StoredVerdict>& rows = page->page.rows;
        for (std::size_t i = 0; i < rows.size(); ++i) {
          AcceptPassRow(std::move(rows[i]), page->checks[i]);
        }
        verify_left_ -= std::min(verify_left_, rows.size());
        if (!page->page.next_after) {
          FinishVerifying();
          return;
        }
        verify_after_ = std::move(page->page.next_after);
        VerifyNextPage();
      });
}

void Engine::FinishVerifying() {
  verifying_ = false;
  verify_left_ = 0;
  verify_after_.reset();
  spdlog::info(
      "engine: every cached verdict verified ({} in memory, {} on disk "
      "only)",
      cached_count_, on_disk_.size());
  std::vector<KeyState*> waiting = std::move(waiting_for_pass_);
  waiting_for_pass_.clear();
  // Each is `loading` until its turn, so answering one never forgets
  // another.
  for (KeyState* ks : waiting) {
    Resume(*ks);
  }
}

}  // namespace gg::agent
