// gg-bench's speed runs on one agent with the demo key cached: throughput
// and latency against the echo floor, 10,000 open sessions, idle memory
// and the 1,000 concurrent cold asks.
#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_runs.h"
#include "bench/echo_server.h"
#include "bench/load.h"

namespace gg::bench {
namespace {

using std::chrono::milliseconds;

std::string Fmt1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

// Authorize (cached) then release, lock-step, as an app would.
bool AgentPair(LineClient& c, long long n) {
  if (!c.Send(AuthorizeLine(n, kProduct, kWarmKey, false)))
    return false;
  auto a = c.ReadLine();
  if (!a)
    return false;
  std::string session = CachedSession(*a);
  if (session.empty())
    return false;
  if (!c.Send(ReleaseLine(n, session)))
    return false;
  auto r = c.ReadLine();
  return r && r->find("\"ok\":true") != std::string::npos;
}

// The session the last timed authorize of this thread opened, for the
// release after it (each load thread has its own).
thread_local std::string t_pending;

bool AgentAuthorize(LineClient& c, long long n) {
  if (!c.Send(AuthorizeLine(n, kProduct, kWarmKey, false)))
    return false;
  auto a = c.ReadLine();
  t_pending = a ? CachedSession(*a) : "";
  return !t_pending.empty();
}

bool AgentRelease(LineClient& c, long long n) {
  return c.Send(ReleaseLine(n, t_pending)) && c.ReadLine().has_value();
}

struct Sizes {
  std::size_t auth_req, auth_ans, rel_req, rel_ans;
};

Sizes MeasureSizes(const std::string& socket) {
  auto c = Must(LineClient::Connect(socket), "connect");
  std::string req = AuthorizeLine(100000001, kProduct, kWarmKey, false);
  Must(c.Send(req), "send");
  std::string ans = Must(c.ReadLine(), "read");
  std::string session = CachedSession(ans);
  if (session.empty())
    Die("warm authorize",
        Error{ErrorCode::kHarness, "not a cached allow: " + ans});
  std::string rel = ReleaseLine(100000001, session);
  Must(c.Send(rel), "send");
  std::string rans = Must(c.ReadLine(), "read");
  return {req.size(), ans.size() + 1, rel.size(), rans.size() + 1};
}

// Opens `total` sessions over `conns` connections, each pipelining its
// share; returns the connections (the sessions live while they are open)
// and counts the allows in *allowed.
std::vector<LineClient> OpenSessions(const std::string& socket,
                                     int total,
                                     int conns,
                                     int* allowed) {
  std::vector<LineClient> out;
  *allowed = 0;
  const int per = total / conns;
  for (int c = 0; c < conns; ++c) {
    auto client = Must(LineClient::Connect(socket), "connect");
    std::string batch;
    for (int i = 0; i < per; ++i)
      batch += AuthorizeLine(c * per + i, kProduct, kWarmKey, false);
    Must(client.Send(batch), "send sessions");
    for (int i = 0; i < per; ++i) {
      std::string a = Must(client.ReadLine(), "read sessions");
      if (a.find("\"allow\":true") != std::string::npos)
        ++*allowed;
    }
    out.push_back(std::move(client));
  }
  return out;
}

long long CountUpstreamFor(devserver::DevServer& server,
                           const std::string& key) {
  auto requests = Must(server.Requests(), "devserver requests");
  long long n = 0;
  for (const auto& r : requests) {
    if (!r.contains("body") || !r["body"].is_string())
      continue;
    auto body =
        nlohmann::json::parse(r["body"].get<std::string>(), nullptr, false);
    if (body.is_object() && body.value("licenseKey", "") == key)
      ++n;
  }
  return n;
}

void PutLicenses(devserver::DevServer& server) {
  // Enough seats for the 10,000-session run; a refresh interval that
  // outlasts the benchmark so every authorize below stays cached.
  Must(server.PutLicense(kWarmKey, {{"maxConcurrentSessions", 1000000},
                                    {"heartbeatSeconds", 3600}}),
       "put license");
  Must(server.PutLicense(kColdKey,
                         {{"id", "5f0c0000-0000-4000-8000-00000000c01d"},
                          {"productId", kProduct},
                          {"status", "ACTIVE"},
                          {"hwidMode", "none"},
                          {"hwidLimit", 0},
                          {"ipMode", "none"},
                          {"ipLimit", 0},
                          {"ipWindowSeconds", 3600},
                          {"maxConcurrentSessions", 1000000},
                          {"offlineGraceSeconds", 259200},
                          {"heartbeatSeconds", 3600}}),
       "put cold license");
}

void RunCold(const std::string& socket,
             devserver::DevServer& server,
             Report& report) {
  // 100 connections, 10 pipelined each, all sent before any answer is read.
  std::vector<LineClient> conns;
  for (int c = 0; c < 100; ++c)
    conns.push_back(Must(LineClient::Connect(socket), "conn"));
  for (int c = 0; c < 100; ++c) {
    std::string batch;
    for (int i = 0; i < 10; ++i)
      batch += AuthorizeLine(c * 10 + i, kProduct, kColdKey, false);
    Must(conns[static_cast<std::size_t>(c)].Send(batch), "send cold");
  }
  int allowed = 0;
  for (auto& c : conns)
    for (int i = 0; i < 10; ++i)
      if (Must(c.ReadLine(), "read cold").find("\"allow\":true") !=
          std::string::npos)
        ++allowed;
  const long long upstream = CountUpstreamFor(server, kColdKey);
  report.Add({"cold_1000", "1,000 concurrent cold asks: upstream requests",
              static_cast<double>(upstream), "requests", 1, "target", "== 1",
              upstream == 1, std::to_string(allowed) + "/1000 allowed"});
}

}  // namespace

void RunSpeed(int seconds, devserver::DevServer& server, Report& report) {
  PutLicenses(server);
  TempDir work;
  AgentConfig cfg{server.BaseUrl(), work.path(), 4096, 2048};
  auto config = Must(WriteAgentConfig(cfg), "config");
  auto agent = Must(AgentProcess::Start(config, work.path()), "start agent");
  // Idle: ready, nothing asked yet; let start-up work settle first.
  std::this_thread::sleep_for(milliseconds(500));
  const long idle_kib = Must(agent.VmRssKiB(), "VmRSS");
  const long idle_dirty_kib = Must(agent.PrivateDirtyKiB(), "Private_Dirty");

  // Warm the cache with one online authorize.
  {
    auto c = Must(LineClient::Connect(agent.SocketPath()), "connect");
    auto a = Must(c.Call(nlohmann::json::parse(
                      AuthorizeLine(1, kProduct, kWarmKey, false))),
                  "warm authorize");
    if (a.value("source", "") != "online" || !a.value("allow", false))
      Die("warm authorize", Error{ErrorCode::kHarness, a.dump()});
  }
  const Sizes sz = MeasureSizes(agent.SocketPath());
  char sizes[160];
  std::snprintf(sizes, sizeof(sizes),
                "authorize %zu -> %zu, release %zu -> %zu", sz.auth_req,
                sz.auth_ans, sz.rel_req, sz.rel_ans);
  report.Note("message sizes (bytes, echo uses the same)", sizes);

  // Baseline: the echo server with the same sizes, in this process.
  EchoServer echo;
  const std::string echo_sock = (work.path() / "echo.sock").string();
  Must(echo.Start(echo_sock), "echo server");
  const std::string e_auth = EchoRequest(sz.auth_req, sz.auth_ans);
  const std::string e_rel = EchoRequest(sz.rel_req, sz.rel_ans);
  auto echo_one = [](LineClient& c, const std::string& line) {
    return c.Send(line) && c.ReadLine().has_value();
  };
  Exchange echo_pair = [&](LineClient& c, long long) {
    return echo_one(c, e_auth) && echo_one(c, e_rel);
  };
  Exchange echo_auth = [&](LineClient& c, long long) {
    return echo_one(c, e_auth);
  };
  Exchange echo_rel = [&](LineClient& c, long long) {
    return echo_one(c, e_rel);
  };
  // The machine may be shared: echo and agent runs alternate over three
  // rounds so background load falls on both alike; results are pooled.
  const milliseconds dur(seconds * 1000 / 3 + 1);
  ThroughputResult echo_tp, agent_tp;
  std::vector<double> echo_lat, agent_lat, echo_lat8, agent_lat8;
  auto append = [](std::vector<double>& to, const std::vector<double>& v) {
    to.insert(to.end(), v.begin(), v.end());
  };
  for (int round = 0; round < 3; ++round) {
    auto e = Must(RunThroughput(echo_sock, 8, dur, echo_pair), "echo");
    auto a =
        Must(RunThroughput(agent.SocketPath(), 8, dur, AgentPair), "agent");
    for (auto [sum, one] :
         {std::pair{&echo_tp, &e}, std::pair{&agent_tp, &a}}) {
      sum->exchanges += one->exchanges;
      sum->failures += one->failures;
      sum->seconds += one->seconds;
    }
    append(echo_lat, Must(RunLatency(echo_sock, 2000, echo_auth, nullptr),
                          "echo latency"));
    append(agent_lat, Must(RunLatency(agent.SocketPath(), 2000, AgentAuthorize,
                                      AgentRelease),
                           "agent latency"));
    append(echo_lat8, Must(RunConcurrentLatency(echo_sock, 8, dur / 2,
                                                echo_auth, echo_rel),
                           "echo latency, 8 clients"));
    append(agent_lat8, Must(RunConcurrentLatency(agent.SocketPath(), 8, dur / 2,
                                                 AgentAuthorize, AgentRelease),
                            "agent latency, 8 clients"));
  }
  echo.Stop();
  for (auto* v : {&echo_lat, &agent_lat, &echo_lat8, &agent_lat8})
    std::sort(v->begin(), v->end());

  const double tp_ratio = agent_tp.PerSecond() / echo_tp.PerSecond();
  report.Add({"throughput", "cached authorize+release pairs/s, 8 clients",
              agent_tp.PerSecond(), "pairs/s", echo_tp.PerSecond(),
              "echo floor", ">= 0.80",
              tp_ratio >= 0.80 && agent_tp.failures == 0,
              std::to_string(agent_tp.failures) + " failed"});
  const double a50 = Percentile(agent_lat, 0.5);
  const double e50 = Percentile(echo_lat, 0.5);
  report.Add({"p50_1client", "p50 cached authorize, 1 client", a50, "us", e50,
              "echo floor", "<= 1.2", a50 <= 1.2 * e50,
              "p99 " + Fmt1(Percentile(agent_lat, 0.99)) + " us vs echo " +
                  Fmt1(Percentile(echo_lat, 0.99))});
  const double a99 = Percentile(agent_lat8, 0.99);
  const double e99 = Percentile(echo_lat8, 0.99);
  report.Add({"p99_8clients", "p99 cached authorize, 8 clients", a99, "us", e99,
              "echo floor", "<= 2.0", a99 <= 2.0 * e99,
              std::to_string(agent_lat8.size()) + " samples"});

  report.Add({"rss_idle", "VmRSS idle after start", Mib(idle_kib), "MiB", 12,
              "target", "<= 12 MiB", idle_kib <= 12 * 1024, ""});
  report.Add({"private_dirty_idle", "Private_Dirty idle after start",
              Mib(idle_dirty_kib), "MiB", 2, "target", "<= 2 MiB",
              idle_dirty_kib <= 2 * 1024, ""});
  {
    int allowed = 0;
    auto held = OpenSessions(agent.SocketPath(), 10000, 10, &allowed);
    const long kib = Must(agent.VmRssKiB(), "VmRSS");
    report.Add({"rss_10000_sessions", "VmRSS with 10,000 open sessions",
                Mib(kib), "MiB", 24, "target", "<= 24 MiB",
                allowed == 10000 && kib <= 24 * 1024,
                std::to_string(allowed) + " allowed"});
  }
  RunCold(agent.SocketPath(), server, report);
  agent.Stop();
}

}  // namespace gg::bench
