#include "service/metrics_text.h"

#include <spdlog/fmt/fmt.h>

#include "service/ipc_bridge.h"

namespace gg::service {
namespace {

using agent::kAnswerOpNames;
using agent::kAnswerPathNames;
using agent::kAnswerResultNames;
using agent::kAttemptClassNames;
using agent::kAttemptOutcomeNames;
using agent::kLatencyBuckets;
using agent::kReasonLabels;
using agent::kSourceNames;
using agent::kStoreOpNames;

class Writer {
 public:
  void Family(std::string_view name,
              std::string_view type,
              std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n",
                   name, help, name, type);
  }
  template <class V>
  void Sample(std::string_view name, std::string_view labels, V value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels,
                     value);
    }
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// An error answer's label: the wire code its RequestErrorCode maps to.
std::string_view ErrorLabel(std::size_t index) {
  if (index >= agent::kRequestErrorCodeCount)
    return "OTHER";
  return ipc::Name(ToWireCode(static_cast<agent::RequestErrorCode>(index)));
}

long long Unix(WallTime t) {
  return UnixSeconds(t);
}

void Answers(Writer& w, const agent::EngineCounters& c) {
  w.Family("gg_agent_answers_total", "counter",
           "Answers to apps' authorize and heartbeat, by source, result and "
           "reason or error code.");
  for (std::size_t op = 0; op < kAnswerOpNames.size(); ++op)
    for (std::size_t src = 0; src < kSourceNames.size(); ++src)
      for (std::size_t res = 0; res < kAnswerResultNames.size(); ++res)
        for (std::size_t rc = 0; rc < agent::kAnswerCodeSlots; ++rc) {
          const std::uint64_t n = c.answers[op][src][res][rc];
          if (n == 0)
            continue;
          const std::string_view code =
              res == static_cast<std::size_t>(agent::AnswerResult::kError)
                  ? ErrorLabel(rc)
                  : (rc < kReasonLabels.size() ? kReasonLabels[rc] : "OTHER");
          w.Sample("gg_agent_answers_total",
                   fmt::format(R"(op="{}",source="{}",result="{}",code="{}")",
                               kAnswerOpNames[op], kSourceNames[src],
                               kAnswerResultNames[res], code),
                   n);
        }
}

void Latency(Writer& w, const agent::EngineCounters& c) {
  w.Family("gg_agent_answer_duration_seconds", "histogram",
           "Time from the agent receiving an ask to its answer: cached "
           "(no upstream wait) or upstream.");
  for (std::size_t p = 0; p < kAnswerPathNames.size(); ++p) {
    const agent::LatencyHistogram& h = c.latency[p];
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kLatencyBuckets.size(); ++b) {
      cumulative += h.buckets[b];
      w.Sample("gg_agent_answer_duration_seconds_bucket",
               fmt::format(R"(path="{}",le="{}")", kAnswerPathNames[p],
                           kLatencyBuckets[b]),
               cumulative);
    }
    w.Sample("gg_agent_answer_duration_seconds_bucket",
             fmt::format(R"(path="{}",le="+Inf")", kAnswerPathNames[p]),
             h.count);
    w.Sample("gg_agent_answer_duration_seconds_sum",
             fmt::format(R"(path="{}")", kAnswerPathNames[p]),
             static_cast<double>(h.sum_ns) / 1e9);
    w.Sample("gg_agent_answer_duration_seconds_count",
             fmt::format(R"(path="{}")", kAnswerPathNames[p]), h.count);
  }
}

void Upstream(Writer& w, const agent::EngineMetrics& m) {
  const agent::EngineCounters& c = m.counters;
  w.Family("gg_agent_upstream_requests_total", "counter",
           "Upstream authorize attempts (retries included) by outcome and "
           "class.");
  for (std::size_t o = 0; o < kAttemptOutcomeNames.size(); ++o)
    for (std::size_t k = 0; k < kAttemptClassNames.size(); ++k) {
      // Verdicts have class "verdict", failures every other class.
      const bool verdict = o != 2;
      if (verdict != (k == 0))
        continue;
      w.Sample("gg_agent_upstream_requests_total",
               fmt::format(R"(outcome="{}",class="{}")",
                           kAttemptOutcomeNames[o], kAttemptClassNames[k]),
               c.attempts[o][k]);
    }
  w.Family("gg_agent_upstream_online", "gauge",
           "1 when the last upstream attempt got a verdict, else 0.");
  w.Sample("gg_agent_upstream_online", "", m.online ? 1 : 0);
  w.Family("gg_agent_upstream_failing_since_seconds", "gauge",
           "Unix time of the first failed attempt since the last verdict "
           "(absent while online).");
  if (m.failing_since)
    w.Sample("gg_agent_upstream_failing_since_seconds", "",
             Unix(*m.failing_since));
  w.Family("gg_agent_upstream_ratelimit_remaining", "gauge",
           "X-RateLimit-Remaining-* of the last answer that carried any, by "
           "bucket.");
  if (m.rate_limit)
    for (const auto& [bucket, left] : m.rate_limit->remaining)
      w.Sample("gg_agent_upstream_ratelimit_remaining",
               fmt::format(R"(bucket="{}")", EscapeLabelValue(bucket)), left);
}

void Gauges(Writer& w, const agent::EngineMetrics& m) {
  w.Family("gg_agent_sessions", "gauge", "Open sessions of protected apps.");
  w.Sample("gg_agent_sessions", "", m.sessions);
  w.Family("gg_agent_cached_verdicts", "gauge",
           "Verified signed verdicts held (memory and disk).");
  w.Sample("gg_agent_cached_verdicts", "", m.cached_verdicts);
  w.Family("gg_agent_offline_grace_ends_at_seconds", "gauge",
           "Earliest graceEndsAt (Unix time) of a cached allow, per product "
           "(the earliest 100 products).");
  for (const auto& [product, ends] : m.grace_ends_at)
    w.Sample("gg_agent_offline_grace_ends_at_seconds",
             fmt::format(R"(product_id="{}")", EscapeLabelValue(product)),
             Unix(ends));
  w.Family("gg_agent_offline_grace_products", "gauge",
           "Products with a cached allow (and so an offline grace).");
  w.Sample("gg_agent_offline_grace_products", "", m.products_with_grace);
  w.Family("gg_agent_store_errors_total", "counter",
           "Failed writes to the state database, by operation.");
  for (std::size_t i = 0; i < kStoreOpNames.size(); ++i)
    w.Sample("gg_agent_store_errors_total",
             fmt::format(R"(op="{}")", kStoreOpNames[i]),
             m.counters.store_errors[i]);
  w.Family("gg_agent_clock_rollback", "gauge",
           "1 when the wall clock went back past the tolerance.");
  w.Sample("gg_agent_clock_rollback", "", m.clock_rollback ? 1 : 0);
  w.Family("gg_agent_uptime_seconds", "gauge", "Seconds since the start.");
  w.Sample("gg_agent_uptime_seconds", "", m.uptime_seconds);
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '\\')
      out += "\\\\";
    else if (ch == '"')
      out += "\\\"";
    else if (ch == '\n')
      out += "\\n";
    else
      out += ch;
  }
  return out;
}

std::string RenderMetrics(const agent::EngineMetrics& m,
                          std::string_view version) {
  Writer w;
  w.Family("gg_agent_info", "gauge", "The agent's version.");
  w.Sample("gg_agent_info",
           fmt::format(R"(version="{}")", EscapeLabelValue(version)), 1);
  Answers(w, m.counters);
  Latency(w, m.counters);
  Upstream(w, m);
  Gauges(w, m);
  return w.Take();
}

}  // namespace gg::service
