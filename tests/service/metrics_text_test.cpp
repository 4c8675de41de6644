// The Prometheus text: every sample line well-formed, HELP/TYPE once per
// family, histogram buckets cumulative, label values escaped, and the
// families the issue asks for all present.
#include "service/metrics_text.h"

#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

namespace gg::service {
namespace {

using agent::AnswerPath;

agent::EngineMetrics Sample() {
  agent::EngineMetrics m;
  agent::Decision allow;
  allow.allow = true;
  allow.source = agent::Source::kCache;
  m.counters.CountAnswer(agent::AnswerOp::kAuthorize, allow,
                         AnswerPath::kCached, std::chrono::microseconds(20));
  m.counters.CountAnswer(agent::AnswerOp::kAuthorize, allow,
                         AnswerPath::kCached, std::chrono::microseconds(3));
  agent::Decision deny;
  deny.reason_code = "HWID_MISMATCH";
  deny.source = agent::Source::kOnline;
  m.counters.CountAnswer(agent::AnswerOp::kAuthorize, deny,
                         AnswerPath::kUpstream, std::chrono::milliseconds(80));
  agent::Decision gone;
  gone.error = agent::RequestError{
      agent::RequestErrorCode::kSessionNotFound, "No such session", {}};
  m.counters.CountAnswer(agent::AnswerOp::kHeartbeat, gone, AnswerPath::kCached,
                         std::chrono::microseconds(5));
  upstream::AttemptReport failed;
  failed.failure_class = upstream::FailureClass::kTransient;
  m.counters.CountAttempt(failed);
  m.counters.CountStoreError(agent::StoreOp::kPutVerdict);
  m.sessions = 3;
  m.cached_verdicts = 2;
  m.online = false;
  m.failing_since = WallTime(std::chrono::seconds(1764583200));
  m.grace_ends_at = {{"7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10",
                      WallTime(std::chrono::seconds(1764842400))}};
  m.products_with_grace = 1;
  upstream::RateLimitInfo rl;
  rl.remaining = {{"key", 41}, {"we\"ird", 2}};
  m.rate_limit = rl;
  return m;
}

std::map<std::string, std::string> Samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    auto space = line.rfind(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

// Each line is a comment or `name{labels} value` as the format defines.
TEST(MetricsText, EveryLineWellFormedAndFamiliesTypedOnce) {
  const std::string text = RenderMetrics(Sample(), "0.1.0");
  const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? [-+0-9.eE]+(Inf)?$)");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::map<std::string, int> types;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
      if (line.starts_with("# TYPE "))
        ++types[line.substr(7, line.find(' ', 7) - 7)];
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
    }
  }
  for (const auto& [family, n] : types)
    EXPECT_EQ(n, 1) << family;
  for (const char* family :
       {"gg_agent_answers_total", "gg_agent_answer_duration_seconds",
        "gg_agent_upstream_requests_total", "gg_agent_upstream_online",
        "gg_agent_sessions", "gg_agent_cached_verdicts",
        "gg_agent_offline_grace_ends_at_seconds",
        "gg_agent_store_errors_total"})
    EXPECT_EQ(types[family], 1) << family;
  EXPECT_TRUE(text.ends_with("\n"));
}

// The values: answers by label set, cumulative buckets, gauges, escaping.
TEST(MetricsText, Values) {
  auto s = Samples(RenderMetrics(Sample(), "0.1.0"));
  EXPECT_EQ(
      s[R"(gg_agent_answers_total{op="authorize",source="cache",result="allow",code=""})"],
      "2");
  EXPECT_EQ(
      s[R"(gg_agent_answers_total{op="authorize",source="online",result="deny",code="HWID_MISMATCH"})"],
      "1");
  // An error answer is labelled with the wire code its engine code maps to.
  EXPECT_EQ(
      s[R"(gg_agent_answers_total{op="heartbeat",source="local",result="error",code="SESSION_NOT_FOUND"})"],
      "1");
  EXPECT_EQ(
      s[R"(gg_agent_answer_duration_seconds_bucket{path="cached",le="1e-05"})"],
      "2");
  EXPECT_EQ(
      s[R"(gg_agent_answer_duration_seconds_bucket{path="cached",le="5e-05"})"],
      "3");
  EXPECT_EQ(
      s[R"(gg_agent_answer_duration_seconds_bucket{path="cached",le="+Inf"})"],
      "3");
  EXPECT_EQ(s[R"(gg_agent_answer_duration_seconds_count{path="upstream"})"],
            "1");
  EXPECT_EQ(
      s[R"(gg_agent_answer_duration_seconds_bucket{path="upstream",le="0.05"})"],
      "0");
  EXPECT_EQ(
      s[R"(gg_agent_answer_duration_seconds_bucket{path="upstream",le="0.1"})"],
      "1");
  EXPECT_EQ(
      s[R"(gg_agent_upstream_requests_total{outcome="failure",class="transient"})"],
      "1");
  EXPECT_EQ(
      s[R"(gg_agent_upstream_requests_total{outcome="allow",class="verdict"})"],
      "0");
  EXPECT_EQ(
      s.count(
          R"(gg_agent_upstream_requests_total{outcome="allow",class="transient"})"),
      0u);
  EXPECT_EQ(s["gg_agent_upstream_online"], "0");
  EXPECT_EQ(s["gg_agent_upstream_failing_since_seconds"], "1764583200");
  EXPECT_EQ(s["gg_agent_sessions"], "3");
  EXPECT_EQ(s["gg_agent_cached_verdicts"], "2");
  EXPECT_EQ(
      s[R"(gg_agent_offline_grace_ends_at_seconds{product_id="7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10"})"],
      "1764842400");
  EXPECT_EQ(s[R"(gg_agent_store_errors_total{op="put_verdict"})"], "1");
  EXPECT_EQ(s[R"(gg_agent_store_errors_total{op="append_event"})"], "0");
  EXPECT_EQ(s[R"(gg_agent_upstream_ratelimit_remaining{bucket="key"})"], "41");
  EXPECT_EQ(s[R"(gg_agent_upstream_ratelimit_remaining{bucket="we\"ird"})"],
            "2");
  EXPECT_EQ(s[R"(gg_agent_info{version="0.1.0"})"], "1");
}

// Online: no failing-since sample at all.
TEST(MetricsText, OnlineHasNoFailingSince) {
  agent::EngineMetrics m;
  m.online = true;
  auto s = Samples(RenderMetrics(m, "0.1.0"));
  EXPECT_EQ(s["gg_agent_upstream_online"], "1");
  EXPECT_EQ(s.count("gg_agent_upstream_failing_since_seconds"), 0u);
}

}  // namespace
}  // namespace gg::service
