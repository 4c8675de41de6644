#include "agent/engine/engine_metrics.h"

#include <algorithm>
#include <map>

#include "agent/engine/engine.h"
#include "agent/engine/engine_state.h"

namespace gg::agent {

std::size_t ReasonLabelIndex(std::string_view code) {
  if (code.empty()) {
    return 0;
  }
  for (std::size_t i = 1; i + 1 < kReasonLabels.size(); ++i) {
    if (kReasonLabels[i] == code) {
      return i;
    }
  }
  return kReasonLabels.size() - 1;
}

std::size_t AttemptClassIndex(const upstream::AttemptReport& report) {
  if (report.verdict) {
    return 0;
  }
  switch (report.failure_class) {
    case upstream::FailureClass::kTransient:
      return 1;
    case upstream::FailureClass::kClock:
      return 2;
    case upstream::FailureClass::kMisconfiguration:
      return 3;
    case upstream::FailureClass::kRequestError:
      return 4;
    case upstream::FailureClass::kUnknown:
      return 5;
  }
  return 5;
}

void LatencyHistogram::Observe(std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::size_t i = 0;
  while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i]) {
    ++i;
  }
  ++buckets[i];  // non-cumulative here; the renderer sums
  ++count;
  sum_ns += static_cast<std::uint64_t>(std::max<long long>(0, elapsed.count()));
}

void EngineCounters::CountAnswer(AnswerOp op,
                                 const Decision& decision,
                                 AnswerPath path,
                                 std::chrono::nanoseconds elapsed) {
  AnswerResult result = AnswerResult::kDeny;
  std::size_t reason = 0;
  if (decision.error) {
    result = AnswerResult::kError;
    reason = static_cast<std::size_t>(decision.error->code);
  } else if (decision.allow) {
    result = AnswerResult::kAllow;
  } else {
    reason = ReasonLabelIndex(decision.reason_code);
  }
  ++answers[static_cast<std::size_t>(op)][static_cast<std::size_t>(
      decision.source)][static_cast<std::size_t>(result)][reason];
  latency[static_cast<std::size_t>(path)].Observe(elapsed);
}

void EngineCounters::CountAttempt(const upstream::AttemptReport& report) {
  AttemptOutcome outcome = AttemptOutcome::kFailure;
  if (report.verdict) {
    outcome = report.allow ? AttemptOutcome::kAllow : AttemptOutcome::kDeny;
  }
  ++attempts[static_cast<std::size_t>(outcome)][AttemptClassIndex(report)];
}

EngineMetrics Engine::MetricsSnapshot() const {
  EngineMetrics m;
  m.counters = counters_;
  const EngineStatus s = StatusSnapshot();
  m.sessions = s.sessions;
  m.cached_verdicts = s.cached_verdicts;
  m.online = s.online;
  if (s.last_error) {
    m.failing_since = s.last_error->since;
  }
  m.clock_rollback = s.clock_rollback;
  m.uptime_seconds = s.uptime_seconds;
  if (s.rate_limit) {
    m.rate_limit = s.rate_limit->info;
  }
  std::map<std::string_view, WallTime> earliest;
  for (const auto& [k, ks] : keys_) {
    if (!ks->cached || !ks->cached->verdict.allow) {
      continue;
    }
    // Held to what a WallTime holds: a 2^53 s grace ends in year 2262 here.
    const WallTime ends =
        ToWallTimeClamped(GraceEndsAt(*ks->cached, options_.policy));
    auto [it, inserted] = earliest.emplace(ks->key.product_id, ends);
    if (!inserted && ends < it->second) {
      it->second = ends;
    }
  }
  m.products_with_grace = earliest.size();
  for (const auto& [product, ends] : earliest) {
    m.grace_ends_at.emplace_back(std::string(product), ends);
  }
  std::sort(m.grace_ends_at.begin(), m.grace_ends_at.end(),
            [](const auto& a, const auto& b) {
              return a.second != b.second ? a.second < b.second
                                          : a.first < b.first;
            });
  if (m.grace_ends_at.size() > kMaxGraceSeries) {
    m.grace_ends_at.resize(kMaxGraceSeries);
  }
  return m;
}

}  // namespace gg::agent
