// What the engine counts for `ggctl metrics` (Prometheus text, rendered in
// service/metrics_text.h).
//
// Threads and cost: every counter is a plain integer in the engine, written
// and read on the loop thread only (the engine's one thread), so counting
// takes no lock, no atomic and no allocation. The cached path of an
// authorize adds one monotonic clock read (vDSO, no system call), one
// reason lookup (none for an allow) and a few increments.
//
// Every label takes its value from a fixed table: a server sending unknown
// reason codes counts them as "OTHER", so the number of series is bounded.
#ifndef GG_AGENT_ENGINE_ENGINE_METRICS_H_
#define GG_AGENT_ENGINE_ENGINE_METRICS_H_

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/engine/decision.h"
#include "agent/upstream/client.h"
#include "agent/upstream/rate_limit.h"
#include "agent/upstream/types.h"
#include "platform/clock.h"

namespace gg::agent {

enum class AnswerOp : std::size_t { kAuthorize, kHeartbeat };
inline constexpr std::array<std::string_view, 2> kAnswerOpNames = {"authorize",
                                                                   "heartbeat"};

inline constexpr std::array<std::string_view, 4> kSourceNames = {
    "online", "cache", "offline", "local"};

enum class AnswerResult : std::size_t { kAllow, kDeny, kError };
inline constexpr std::array<std::string_view, 3> kAnswerResultNames = {
    "allow", "deny", "error"};

// Reason codes a denial's label may carry; index 0 is "" (an allow), the
// last is "OTHER". An error answer is counted under its RequestErrorCode
// instead, which service/ names with the wire code it maps to.
inline constexpr std::array<std::string_view, 21> kReasonLabels = {
    "",
    // The server's thirteen, and the unsigned 404 codes.
    "LICENSE_NOT_FOUND", "PRODUCT_MISMATCH", "LICENSE_REVOKED",
    "LICENSE_EXPIRED", "LICENSE_EXPIRED_RELATIVE", "HWID_MISMATCH",
    "HWID_LIMIT_EXCEEDED", "IP_MISMATCH", "IP_LIMIT_EXCEEDED",
    "IP_REGION_MISMATCH", "CONCURRENCY_LIMIT_EXCEEDED", "HWID_BLACKLISTED",
    "IP_BLACKLISTED", "PRODUCT_NOT_FOUND",
    // The agent's own.
    "AGENT_OFFLINE", "OFFLINE_GRACE_EXPIRED", "CLOCK_TAMPERED",
    "AGENT_UNAUTHORIZED", "AGENT_STOPPING", "OTHER"};

// The last index of EngineCounters::answers: a reason label (allow, deny)
// or a RequestErrorCode (error).
inline constexpr std::size_t kAnswerCodeSlots =
    std::max(kReasonLabels.size(), kRequestErrorCodeCount);

// The index of `code` in kReasonLabels ("OTHER" when not there).
std::size_t ReasonLabelIndex(std::string_view code);

// Upstream attempts by outcome and class.
enum class AttemptOutcome : std::size_t { kAllow, kDeny, kFailure };
inline constexpr std::array<std::string_view, 3> kAttemptOutcomeNames = {
    "allow", "deny", "failure"};
// "verdict" for allow/deny, else the failure class of upstream.md §4.
inline constexpr std::array<std::string_view, 6> kAttemptClassNames = {
    "verdict",          "transient",     "clock",
    "misconfiguration", "request_error", "unknown"};
std::size_t AttemptClassIndex(const upstream::AttemptReport& report);

// Store operations whose failures are counted.
enum class StoreOp : std::size_t {
  kPutVerdict,
  kDeleteVerdict,
  kAppendEvent,
  kPersistMarks,
  kLoadVerdict,  // a cached row read back (start pass, or on disk only)
};
inline constexpr std::array<std::string_view, 5> kStoreOpNames = {
    "put_verdict", "delete_verdict", "append_event", "persist_marks",
    "load_verdict"};

// Latency of answers to apps, from the engine receiving the ask to the
// answer: "cached" (steps 1-4, no upstream wait) and "upstream" (waited
// for an upstream answer or its deadline).
enum class AnswerPath : std::size_t { kCached, kUpstream };
inline constexpr std::array<std::string_view, 2> kAnswerPathNames = {
    "cached", "upstream"};
// Upper bounds of the histogram buckets, in seconds (+Inf implied).
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01,
    0.05,    0.1,     0.5,    1.0,    2.5,   5.0,   10.0};

struct LatencyHistogram {
  std::array<std::uint64_t, kLatencyBuckets.size() + 1> buckets{};  // +Inf
  std::uint64_t count = 0;
  std::uint64_t sum_ns = 0;

  void Observe(std::chrono::nanoseconds elapsed);
};

// The counters, as the engine keeps them.
struct EngineCounters {
  std::array<std::array<std::array<std::array<std::uint64_t, kAnswerCodeSlots>,
                                   kAnswerResultNames.size()>,
                        kSourceNames.size()>,
             kAnswerOpNames.size()>
      answers{};
  std::array<std::array<std::uint64_t, kAttemptClassNames.size()>,
             kAttemptOutcomeNames.size()>
      attempts{};
  std::array<std::uint64_t, kStoreOpNames.size()> store_errors{};
  std::array<LatencyHistogram, kAnswerPathNames.size()> latency{};

  // Counts one answer (loop thread).
  void CountAnswer(AnswerOp op,
                   const Decision& decision,
                   AnswerPath path,
                   std::chrono::nanoseconds elapsed);
  void CountAttempt(const upstream::AttemptReport& report);
  void CountStoreError(StoreOp op) {
    ++store_errors[static_cast<std::size_t>(op)];
  }
};

// At most this many products get their own graceEndsAt series (the
// earliest first); the earliest over all is always reported.
inline constexpr std::size_t kMaxGraceSeries = 100;

// The counters plus the gauges of the moment, for rendering.
struct EngineMetrics {
  EngineCounters counters;
  std::size_t sessions = 0;
  std::size_t cached_verdicts = 0;
  bool online = false;
  std::optional<WallTime> failing_since;
  bool clock_rollback = false;
  long long uptime_seconds = 0;
  // Earliest graceEndsAt of a cached allow per product, earliest first.
  std::vector<std::pair<std::string, WallTime>> grace_ends_at;
  std::size_t products_with_grace = 0;  // before the kMaxGraceSeries cut
  std::optional<upstream::RateLimitInfo> rate_limit;
};

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_ENGINE_METRICS_H_
